"""The karaoke captions drawn once per caption state instead of once per frame.

The ``ass`` filter had libass draw and blend the captions into every one of a short's 1,500
frames: 7.2 s of CPU, half of the whole filter graph's 14 s (bench/render.py, 50 s short). Yet
the drawn captions change only when a cue starts or a word is highlighted, about 130 times.
This piece of the graph has libass draw each state once, on a canvas frame timed at the
state's start (the ffconcat demuxer gives any timestamps, in milliseconds), and overlays the
states on the video; the overlay shows each until the next one begins.

libass cannot draw onto transparency (the ``ass`` filter leaves alpha alone), so the layer is
drawn twice. Its colours: each state over black, in the video's own yuv420p. Every element but the
text's fill is black (the box, the outline, the shadow) and the fill lies on its opaque outline,
so a pixel drawn over black is already the colour the layer shows there, and ``overlay`` blends
it with its plain (SIMD) blend. Black over black changes nothing, so only the fills are drawn
(``fills_only``: 0.3 s less over a 50 s short, the same pixels). A premultiplied layer, drawn
over zero light, took overlay's C blend (0.1 s more). Its alpha: the same subtitles with every
colour made white, drawn in grey over black, where a pixel is 255·a. Highlighting a word changes
colours only, so the alpha is drawn once per cue (19 drawings for the bench short's 103 states,
0.2 s less) and ``alphamerge`` pairs each state with its cue's. Only the band the captions use is
drawn: the canvas is the band's size, and the subtitles are rewritten for it (its play
resolution, the margins measured from its edges).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from generation.subtitles import OUTLINE, SHADOW, Cue, Layout, caption_boxes, karaoke_centis

CANVAS = "caption-canvas.pgm"  # the band's size: libass draws and ffmpeg converts a seventh of a frame
COLOURED = "captions-band.ass"  # the subtitles placed in the band, their fills alone
WHITE = "captions-alpha.ass"  # the same with every colour white: drawn over black, the alpha
PLAN = "captions.ffconcat"  # a canvas frame per state, for the colours
ALPHA_PLAN = "captions-alpha.ffconcat"  # a canvas frame per cue, for the alpha
COLOUR = re.compile(r"&H([0-9A-Fa-f]{2})[0-9A-Fa-f]{6}")  # &HAABBGGRR
# Past the boxes caption_boxes measures: the blurred edge and the shadow's offset.
BAND_MARGIN = OUTLINE + SHADOW + 4


@dataclass(frozen=True)
class CaptionLayer:
    inputs: list[str]
    graph: str  # ends in [captions]
    x: int
    y: int
    states: int

    def over(self, label: str, out: str = "vout") -> str:
        """The graph piece that draws the captions over stream ``label``, ending in [``out``].

        ``repeatlast=0``: while a top stream that is repeated could still bring a frame, the
        overlay's frame sync copies every frame beneath before it is drawn on (3 MB a frame at
        1080x1920, 0.45 s of CPU over a 50 s short); one that is not repeated has no say in the
        sync, and the frame beneath is handed over as it is. Not repeated, the captions would end
        with their stream's last frame: the plan's closing canvas frame lasts to the short's end.
        """
        return (f"{self.graph};[{label}][captions]overlay=x={self.x}:y={self.y}:repeatlast=0,"
                f"format=yuv420p[{out}]")


def state_starts(cues: list[Cue], duration_ms: int, fps: int = 30) -> list[int]:
    """The milliseconds at which the drawn captions change: cue starts and ends, and every
    highlight step of the karaoke (the same sums of centiseconds the ASS file carries), up to
    the last frame (a state after it is never seen, and the overlay made one frame more for it)."""
    marks = {0}
    for cue in cues:
        at = cue.start_ms
        marks.update((at, cue.end_ms))
        for centis in karaoke_centis(cue):
            at += 10 * centis
            marks.add(at)
    last_frame_ms = (math.ceil(duration_ms * fps / 1000) - 1) * 1000 / fps
    return sorted(m for m in marks if 0 <= m <= last_frame_ms)


def caption_layer(cues: list[Cue], layout: Layout, workdir: Path, duration_ms: int, first: int, fps: int,
                  subtitles: str = "subs.ass") -> CaptionLayer | None:
    """Inputs (numbered from ``first``) and the graph of the caption overlay; None without cues."""
    if not cues:
        return None
    starts = state_starts(cues, duration_ms, fps)
    band = _band(cues, layout)
    Image.new("L", band[2:], 0).save(workdir / CANVAS)
    (workdir / PLAN).write_text(_plan(starts, duration_ms), encoding="utf-8")
    (workdir / ALPHA_PLAN).write_text(_plan(cue_changes(cues, starts), duration_ms), encoding="utf-8")
    document = in_band((workdir / subtitles).read_text(encoding="utf-8"), (layout.width, layout.height), band)
    (workdir / COLOURED).write_text(fills_only(document), encoding="utf-8")
    (workdir / WHITE).write_text(whitened(document), encoding="utf-8")

    def draw(name: str) -> str:
        return f"ass=filename={name}:fontsdir=fonts"

    # The grey canvas in yuv420p is black: Y 16, U and V 128.
    graph = (
        f"[{first}:v]format=yuv420p,{draw(COLOURED)}[capc];[{first + 1}:v]{draw(WHITE)}[capa];"
        "[capc][capa]alphamerge,setpts=PTS-1[captions]"
    )
    inputs = [arg for plan in (PLAN, ALPHA_PLAN) for arg in ("-f", "concat", "-safe", "0", "-i", plan)]
    return CaptionLayer(inputs, graph, band[0], band[1], len(starts))


def cue_changes(cues: list[Cue], starts: list[int]) -> list[int]:
    """The state starts at which a cue begins or ends: where the alpha changes (a highlight
    step changes colours only). ``alphamerge`` gives each state the alpha drawn at or before it."""
    edges = {0} | {cue.start_ms for cue in cues} | {cue.end_ms for cue in cues}
    return [start for start in starts if start in edges]


def in_band(document: str, frame: tuple[int, int], band: tuple[int, int, int, int]) -> str:
    """The ASS ``document`` (written for the whole ``frame``) for a canvas of the ``band`` alone:
    its play resolution is the band's and each style's margins are measured from the band's edges,
    so every line is drawn the same size at the same place, less the band's offset."""
    (width, height), (x, y, w, h) = frame, band
    lines = []
    for line, style in _parsed(document):
        if line.startswith("PlayResX:"):
            line = f"PlayResX: {w}\n"
        elif line.startswith("PlayResY:"):
            line = f"PlayResY: {h}\n"
        elif style:
            top = int(style["Alignment"]) >= 7  # numpad alignments: 7-9 top, 1-3 bottom
            margins = {"MarginL": int(style["MarginL"]) - x, "MarginR": int(style["MarginR"]) - (width - x - w),
                       "MarginV": int(style["MarginV"]) - (y if top else height - y - h)}
            if min(margins.values()) < 0:
                raise ValueError(f"the caption band {band} cuts into style {style['Name']}'s margins")
            line = _style_line({**style, **{key: str(value) for key, value in margins.items()}})
        lines.append(line)
    return "".join(lines)


def fills_only(document: str) -> str:
    """The ASS ``document`` for the colour drawing: the letters' fills alone. Drawn over black,
    the black box, outline and shadow leave every pixel as it was, and a fill's soft edge over
    black comes out as over its black outline: the same picture for a third of the drawing."""
    boxes, lines = set(), []
    for line, style in _parsed(document):
        if style:
            if style["BorderStyle"] == "3":  # an opaque box: nothing but the box shows
                boxes.add(style["Name"])
            line = _style_line({**style, "Outline": "0", "Shadow": "0"})
        elif line.startswith("Dialogue:") and line.split(",", 4)[3] in boxes:
            continue
        lines.append(line)
    return "".join(lines)


def _parsed(document: str):
    """Each line of the ASS ``document``, with its fields by name when it is a style (else None)."""
    fields: list[str] = []
    for line in document.splitlines(keepends=True):
        if line.startswith("Format:") and not fields:  # the styles' format comes before the events'
            fields = [name.strip() for name in line.split(":", 1)[1].split(",")]
        style = dict(zip(fields, line.split(":", 1)[1].strip().split(","), strict=True)) \
            if line.startswith("Style:") else None
        yield line, style


def _style_line(style: dict[str, str]) -> str:
    return f"Style: {','.join(style.values())}\n"


def whitened(document: str) -> str:
    """The ASS ``document`` with every style's colours white, each keeping its alpha (the events
    carry no colour tags; their text, which could spell one, is left alone)."""
    return "".join(COLOUR.sub(lambda match: f"&H{match.group(1)}FFFFFF", line) if line.startswith("Style:") else line
                   for line in document.splitlines(keepends=True))


def _plan(starts: list[int], end_ms: int) -> str:
    """One canvas frame per state, half a millisecond into it (a 1/2000 s time base), and a last
    one at ``end_ms``, past the short's last frame: the overlay drops its captions when their
    stream ends (see ``CaptionLayer.over``), so the stream lasts as long as the short.

    The ``ass`` filter hands libass a frame's time truncated to the millisecond, and libass shows
    a state from its first millisecond on; asked for the state's exact start, the time could come
    out a hair under it in floating point and truncate to the state before. The layer's graph
    moves each drawn state back to its exact start, where the overlay shows it from the first
    frame at or after it: the frame the ``ass`` filter showed it in.
    """
    lines, at = ["ffconcat version 1.0"], 0
    for start in [*starts, end_ms]:
        frame = 2 * start + 1
        if len(lines) > 1:
            lines.append(f"duration {(frame - at) / 2000:.4f}")
        lines += [f"file {CANVAS}", f"option framerate {2000}"]
        at = frame
    return "\n".join(lines) + "\n"


def _band(cues: list[Cue], layout: Layout) -> tuple[int, int, int, int]:
    """x, y, width, height (even, inside the frame) of the strip every caption box falls in."""
    boxes = caption_boxes(cues, layout)
    top = min(b["y"] for b in boxes) - BAND_MARGIN
    bottom = max(b["y"] + b["h"] for b in boxes) + BAND_MARGIN
    left = min(b["x"] for b in boxes) - BAND_MARGIN
    right = max(b["x"] + b["w"] for b in boxes) + BAND_MARGIN
    # The band reaches the margins' lines, so that each style's margins stay positive in it.
    margin_left, margin_right, _ = layout.margins
    left, right = min(left, margin_left), max(right, layout.width - margin_right)
    x, y = max(0, left // 2 * 2), max(0, top // 2 * 2)
    w = min(layout.width, -(-right // 2) * 2) - x
    h = min(layout.height, -(-bottom // 2) * 2) - y
    return x, y, w, h
