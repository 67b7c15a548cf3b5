"""The karaoke captions drawn once per caption state instead of once per frame.

The ``ass`` filter had libass draw and blend the captions into every one of a short's 1,500
frames: 7.2 s of CPU, half of the whole filter graph's 14 s (bench/render.py, 50 s short). Yet
the drawn captions change only when a cue starts or a word is highlighted, about 130 times.
This piece of the graph has libass draw each state once, on a canvas frame timed at the
state's start (the ffconcat demuxer gives any timestamps, in milliseconds), and overlays the
states on the video; the overlay shows each until the next one begins.

libass cannot draw onto transparency (the ``ass`` filter leaves alpha alone), so every state is
drawn over black and over white, and ``lut2`` recovers alpha and colour from the pair: over black
a pixel is a·C, over white a·C + 255·(1 − a). The pair for alpha is drawn in grey, a tenth of the
blending work of RGB, and only the colour is drawn in RGB, once. Only the band the captions use
is kept.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from generation.subtitles import OUTLINE, SHADOW, Cue, Layout, caption_boxes, karaoke_centis

CANVAS = "caption-canvas.pgm"
PLAN = "captions.ffconcat"
UNMIX = "if(y,min(255,x*255/y),0)"  # x: a pixel drawn over black (alpha · colour), y: its alpha
# Past the boxes caption_boxes measures: the blurred edge and the shadow's offset.
BAND_MARGIN = OUTLINE + SHADOW + 4


@dataclass(frozen=True)
class CaptionLayer:
    inputs: list[str]
    graph: str  # ends in [captions]
    x: int
    y: int
    states: int

    def over(self, label: str) -> str:
        """The graph piece that draws the captions over stream ``label``, ending in [vout]."""
        return f"{self.graph};[{label}][captions]overlay=x={self.x}:y={self.y},format=yuv420p[vout]"


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
    x, y, w, h = _band(cues, layout)
    Image.new("L", (layout.width, layout.height), 0).save(workdir / CANVAS)
    (workdir / PLAN).write_text(_plan(starts), encoding="utf-8")
    draw = f"ass=filename={subtitles}:fontsdir=fonts,crop={w}:{h}:{x}:{y}"
    graph = (
        f"[{first}:v]split=3[capc0][capk0][capw0];[capc0]format=gbrp,{draw}[capc];[capk0]{draw}[capk];"
        f"[capw0]negate,{draw}[capw];"
        # alpha = 255 − (white − black), from the grey pair; colour = colour over black · 255 / alpha
        f"[capw][capk]lut2=c0='255-(x-y)',split=2[capa][capa0];[capa0]format=gbrp[capa3];"
        f"[capc][capa3]lut2=c0='{UNMIX}':c1='{UNMIX}':c2='{UNMIX}'[capcolour];"
        f"[capcolour][capa]alphamerge,setpts=PTS-1[captions]"
    )
    return CaptionLayer(["-f", "concat", "-safe", "0", "-i", PLAN], graph, x, y, len(starts))


def _plan(starts: list[int]) -> str:
    """One canvas frame per state, half a millisecond into it (a 1/2000 s time base).

    The ``ass`` filter hands libass a frame's time truncated to the millisecond, and libass shows
    a state from its first millisecond on; asked for the state's exact start, the time could come
    out a hair under it in floating point and truncate to the state before. The layer's graph
    moves each drawn state back to its exact start, where the overlay shows it from the first
    frame at or after it: the frame the ``ass`` filter showed it in.
    """
    lines, at = ["ffconcat version 1.0"], 0
    for start in starts:
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
    x, y = max(0, left // 2 * 2), max(0, top // 2 * 2)
    w = min(layout.width, -(-right // 2) * 2) - x
    h = min(layout.height, -(-bottom // 2) * 2) - y
    return x, y, w, h
