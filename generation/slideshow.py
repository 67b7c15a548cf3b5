"""Post images as a zooming slideshow with crossfades, as a piece of an ffmpeg filter graph.

Each slide is the whole image fitted over a blurred, darkened copy of itself (a crop-to-fill
showed 30 % of a 3:2 photo and cut both ends of every line of a text capture), upscaled at most
``MAX_UPSCALE`` times. Pillow draws the blurred backdrop small and ffmpeg scales it and the
picture to their sizes once; per frame it moves only the picture's window: a slow zoom (``scale``
evaluated per frame, so every frame is resampled at its own size and the motion is sub-pixel
smooth where a ``crop`` pan stood still two frames in three), or for a capture much taller than
the frame, a scroll from top to bottom at full width. The still backdrop is cut into the strips
around the window once and the frame is assembled with ``xstack``, a copy: zooming the whole
1080x1920 frame cost more than encoding it.
Slides change at sentence starts, crossfading: each slide is cut into pieces by frame number
(before anything is drawn), so a ``blend`` mixes only the few frames of each transition.

Held (given the ``ticks`` where something drawn over the slides changes), the slides' bodies run
at a variable rate: a frame is stacked only where the picture's size changes or at a tick, and
the render's last ``fps`` repeats each until the next. In the bench's 50 s image story 586 of the
1,504 frames are drawn; the others are the frame before handed on again instead of a new 3 MB
frame stacked, overlaid and captioned: 0.7 s of CPU less for the whole render, encode included
(20.3 s against 20.9 s, the medians of six alternated runs), and the same frames. The pieces keep
the short's own timestamps and ``interleave`` puts them in order, since ``concat`` guesses a
piece's end from its frames' mean spacing.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from PIL import Image, ImageEnhance, ImageFilter

from generation import cards

ZOOM = 0.10  # each slide zooms this much over its time, in or out
MAX_UPSCALE = 2.0  # a 480 px image blown up 6× is mush; past 2× the blurred fill shows instead
BACKDROP_BRIGHTNESS = 0.45
BACKDROP_SHRINK = 12  # the blur runs on a small copy: the same look for a fraction of the time
MIN_SLIDE_SECONDS = 1.5
TALL = 1.25  # a capture this much taller than the frame (at full width) scrolls instead of shrinking
REDUCING_GAP = 3  # a picture is box-averaged to no less than this many times its size before its Lanczos


@dataclass
class SlideParts:
    backdrop: Image.Image  # the whole frame, blurred and darkened, 1/BACKDROP_SHRINK its size: ffmpeg scales it up
    picture: Image.Image  # the image, reduced by a whole factor when far larger: ffmpeg resamples it to ``size``
    size: tuple[int, int]  # the picture in the slide: 1 + ZOOM times its window (it zooms), or whole (it scrolls)
    box: tuple[int, int, int, int]  # x, y, width, height of the picture's window in the frame, all even
    travel: int = 0  # pixels a tall capture scrolls; 0: it zooms


class Piece(NamedTuple):
    """A run of a slide's frames, ``start`` to before ``end`` (frames of the slide), ending in ``label``."""

    label: str
    start: int
    end: int
    # Held: a frame only where the picture's size changes and at these frames of the slide, timed
    # in the short (``offset``: the slide's first frame there). None: every frame, timed from 0.
    ticks: frozenset[int] | None = None
    offset: int = 0
    # One frame more, past the short's end: the last ``fps`` ends its stream there, so the frame
    # before is the last one shown (an ``fps`` drops the frame its stream ends on).
    closing: bool = False


def slide_size(width: int, height: int) -> tuple[int, int]:
    """The drawn slide: the frame plus the zoom, so zooming only ever scales down."""
    return _even(width * (1 + ZOOM)), _even(height * (1 + ZOOM))


def fitted(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """The whole ``image`` centred on a blurred, darkened cover of itself, ``size`` big."""
    image = image.convert("RGB")
    backdrop = _backdrop(image, size)
    scale = min(size[0] / image.width, size[1] / image.height, MAX_UPSCALE)
    shown = _resized(image, max(round(image.width * scale), 1), max(round(image.height * scale), 1))
    backdrop.paste(shown, ((size[0] - shown.width) // 2, (size[1] - shown.height) // 2))
    return backdrop


def slide_parts(image: Image.Image, size: tuple[int, int]) -> SlideParts:
    """The backdrop and the picture of one slide, both for the graph to scale once (Pillow's
    Lanczos took 30-50 ms a picture, ffmpeg's takes 1-2 ms), and where the picture's window sits."""
    image, (width, height) = image.convert("RGB"), size
    backdrop = _blurred(image, size)
    scale = min(width / image.width, MAX_UPSCALE)
    if image.height * scale > height * TALL:  # a long capture: readable at full width, scrolled
        w, h = min(_even(image.width * scale), width), _even(image.height * scale)
        return SlideParts(backdrop, _reduced(image, (w, h)), (w, h), ((width - w) // 4 * 2, 0, w, height),
                          h - height)
    scale = min(scale, height / image.height)
    w, h = min(max(_even(image.width * scale), 2), width), min(max(_even(image.height * scale), 2), height)
    drawn = (_even(w * (1 + ZOOM)), _even(h * (1 + ZOOM)))
    return SlideParts(backdrop, _reduced(image, drawn), drawn, ((width - w) // 4 * 2, (height - h) // 4 * 2, w, h))


def _reduced(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """``image`` averaged down by the whole factor that leaves it at least REDUCING_GAP times
    ``size`` (as Pillow's own ``reducing_gap`` does before its Lanczos): written smaller, and
    resampled from a few times its size, never from dozens."""
    factor = min(image.width // (size[0] * REDUCING_GAP), image.height // (size[1] * REDUCING_GAP))
    return image.reduce(factor) if factor > 1 else image


def _backdrop(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    return _blurred(image, size).resize(size, Image.BILINEAR)


def _blurred(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """The blurred, darkened cover of ``size``, drawn at 1/BACKDROP_SHRINK of it: upscaled and
    darkened at full size, it cost Pillow 50 ms a slide (ffmpeg scales it up once, in 2 ms)."""
    small = cards.cover(image, (max(size[0] // BACKDROP_SHRINK, 1), max(size[1] // BACKDROP_SHRINK, 1)))
    return ImageEnhance.Brightness(small.filter(ImageFilter.GaussianBlur(3))).enhance(BACKDROP_BRIGHTNESS)


def _resized(image: Image.Image, width: int, height: int) -> Image.Image:
    return image.resize((width, height), Image.LANCZOS, reducing_gap=REDUCING_GAP)


def slideshow(images: list[Path], workdir: Path, *, first: int, seconds: float, size: tuple[int, int],
              fps: int, timings: dict | None = None,
              ticks: Collection[int] | None = None) -> tuple[list[str], str, dict]:
    """Inputs, the graph ending in ``[base]``, and what was chosen (for the render meta).

    Given ``ticks`` (frames of the short where what is drawn over the slides changes), ``[base]``
    is held: it has frames only where it changes and at the ticks, and needs an ``fps`` after
    whatever is drawn over it (see the module's doc)."""
    count, total = len(images), math.ceil(seconds * fps)
    fade = round(min(settings.RENDER_CROSSFADE_SECONDS, seconds / (2 * count + 1)) * fps) if count > 1 else 0
    starts = slide_starts(_sentence_frames(timings, fps, fade), count, total - fade, round(MIN_SLIDE_SECONDS * fps))
    lengths = [end - start for start, end in zip(starts, [*starts[1:], total - fade], strict=True)]
    fade = max(1, min(fade, min(lengths) - 1)) if count > 1 else 0
    inputs, chains, scrolled = [], [], 0
    for index, image in enumerate(images):
        with Image.open(image) as source:
            parts = slide_parts(source, size)
        for part, picture in (("backdrop", parts.backdrop), ("picture", parts.picture)):
            picture.save(workdir / f"slide{index:02d}-{part}.ppm")  # uncompressed: written and read in ms
            inputs += ["-framerate", str(fps), "-i", f"slide{index:02d}-{part}.ppm"]
        held = None if ticks is None else frozenset(t - starts[index] for t in ticks)
        chains.append(_slide(first + 2 * index, index, lengths[index] + fade, parts, size, fps,
                             _pieces(index, count, lengths[index], fade, held, starts[index])))
        scrolled += bool(parts.travel)
    chains.append(_joined(count, fade, fps, None if ticks is None else starts))
    chosen = {"visual": "slideshow", "images": count, "scrolled": scrolled, "crossfade_s": fade / fps,
              "slide_starts_s": [round(s / fps, 2) for s in starts], "held": ticks is not None}
    return inputs, ";".join(chains) + ";", chosen


def _sentence_frames(timings: dict | None, fps: int, fade: int) -> list[int]:
    """Frames where a crossfade should start so that the new slide is in place as the sentence begins."""
    sentences = (timings or {}).get("sentences") or []
    return [round(s["start_ms"] * fps / 1000) - fade // 2 for s in sentences[1:]]


def slide_starts(cuts: list[int], count: int, total: int, min_frames: int) -> list[int]:
    """``count`` start frames within ``total``: each cut on the sentence start nearest the even
    split (within half a slide of it), or on the even split when no sentence start is near."""
    min_frames = max(1, min(min_frames, total // max(count, 1)))
    starts = [0]
    for k in range(1, count):
        ideal = k * total / count
        low, high = starts[-1] + min_frames, total - (count - k) * min_frames
        near = [c for c in cuts if low <= c <= high and abs(c - ideal) <= total / count / 2]
        starts.append(min(near, key=lambda c: abs(c - ideal)) if near else min(max(round(ideal), low), high))
    return starts


def _pieces(index: int, count: int, length: int, fade: int, ticks: frozenset[int] | None = None,
            offset: int = 0) -> list[Piece]:
    """The pieces slide ``index`` is cut into: its head (fading in), its body and its tail (fading
    out); the last slide's body runs to its end. Given ``ticks`` (frames of the slide), the body is
    held (``Piece``); the pieces that fade stay whole, for ``blend``."""
    last = index + 1 == count
    body = Piece(f"[B{index}]", fade if index else 0, length + fade if last else length)
    if ticks is not None:
        body = body._replace(ticks=ticks, offset=offset, closing=last)
    if not fade:
        return [body]
    head = [Piece(f"[H{index}]", 0, fade)] if index else []
    tail = [] if last else [Piece(f"[T{index}]", length, length + fade)]
    return [*head, body, *tail]


def _slide(stream: int, index: int, frames: int, parts: SlideParts, size: tuple[int, int], fps: int,
           pieces: list[Piece]) -> str:
    """The backdrop's strips around the picture's moving window, stacked into whole frames, for
    each piece of the slide (a held piece's backdrop is one frame, which ``xstack`` keeps).

    Each piece holds the two stills for its own frames (``loop`` passes references, and only as
    they are asked for): a piece asked for early, as a crossfade's tail is, draws its own frames
    and no others. Held once and cut into pieces, asking for the tail drew every frame before it,
    and the body kept them all (3 MB each) until its turn.
    """
    strips = strips_around(size, parts.box)

    def still(number: int, kind: str, resampled: tuple[int, int], flags: str) -> str:
        # Resampled in RGB, then subsampled to yuv420p as before: resampled and subsampled in one
        # Lanczos step, the sharper chroma cost the bench short 4 % more bits.
        names = "".join(f"[sl{index}{kind}{k}]" for k in range(len(pieces)))
        return (f"[{number}:v]scale=w={resampled[0]}:h={resampled[1]}:flags={flags},format=rgb24,"
                f"scale=out_range=tv,format=yuv420p,split={len(pieces)}{names}")

    backdrop = still(stream, "b", size, "bilinear")  # up from its small drawing
    picture = still(stream + 1, "p", parts.size, "lanczos")
    chains = [picture, *([backdrop] if strips else [])]
    for k, piece in enumerate(pieces):
        # the piece's frames, timed where they fall in the slide: the motion goes on across pieces
        shown = piece.end - piece.start + piece.closing
        timed = f"setpts=({piece.start}+N)/({fps}*TB)"
        hold = f"loop=loop={shown - 1}:size=1:start=0,{timed}"
        ticks = None if piece.ticks is None else sorted(t - piece.start for t in piece.ticks
                                                        if piece.start <= t < piece.end)
        moving = f"[sl{index}p{k}]{hold},{_motion(index, frames, fps, parts, shown, ticks)}"
        backdrop = f"[sl{index}b{k}]{hold if ticks is None else timed}"
        placed = "setpts=PTS-STARTPTS" if ticks is None else f"setpts=PTS+{piece.offset}/({fps}*TB)"
        chains.append(stacked(backdrop, moving, f"sl{index}k{k}", strips, parts.box) + f",{placed}{piece.label}")
    return ";".join(chains)


def strips_around(size: tuple[int, int], box: tuple[int, int, int, int]) -> list[tuple[int, int, int, int]]:
    """x, y, width, height of the strips of a ``size`` frame around ``box``: above, below, left, right."""
    (width, height), (x, y, w, h) = size, box
    return [(sx, sy, sw, sh) for sx, sy, sw, sh in (
        (0, 0, width, y), (0, y + h, width, height - y - h), (0, y, x, h), (x + w, y, width - x - w, h),
    ) if sw > 0 and sh > 0]


def stacked(backdrop: str, picture: str, name: str, strips: list[tuple[int, int, int, int]],
            box: tuple[int, int, int, int]) -> str:
    """The chain ``picture`` in its window, the chain ``backdrop`` cut into the strips around it."""
    if not strips:
        return picture
    names = [f"[{name}s{n}]" for n in range(len(strips))]
    return (f"{backdrop},split={len(strips)}{''.join(names)};"
            + "".join(f"{label}crop={sw}:{sh}:{sx}:{sy}{label};" for label, (sx, sy, sw, sh) in zip(names, strips,
                                                                                                      strict=True))
            + f"{picture}[{name}p];{''.join(names)}[{name}p]xstack=inputs={len(strips) + 1}:layout="
            + "|".join(f"{sx}_{sy}" for sx, sy, _, _ in [*strips, box]))


def slide_chain(stream: int, index: int, frames: int, parts: SlideParts, size: tuple[int, int], fps: int,
                label: str) -> str:
    """One slide on its own (a compilation's rank), zooming as in a slideshow, ending in ``label``.
    ``stream``: its backdrop's input, the picture's is the next; ``index`` keeps labels apart and
    picks the zoom's direction."""
    return _slide(stream, index, frames, parts, size, fps, [Piece(label, 0, frames)])


def _motion(index: int, frames: int, fps: int, parts: SlideParts, shown: int, ticks: list[int] | None = None) -> str:
    """A tall capture scrolls top to bottom; any other picture zooms about its centre, in on even
    slides and out on odd ones, over the slide's ``frames``, of which this piece shows ``shown``.
    Given ``ticks`` (frames of the piece), the zoom is held: no ``fps``, and a frame at each tick.

    The picture is scaled to its size for this frame and the window cut out with ``exact`` (a
    yuv420p crop otherwise rounds to even pixels and the picture jitters by one). The crop
    offset repeats the size expression because crop keeps the input size it was configured with.
    Bilinear: at these ratios it looks the same as bicubic for less work per frame. Sizes are
    whole pixels, so a frame whose size has not changed is the frame before it again: ``select``
    lets through only the frames where the size changes (and the piece's first and last) and
    ``fps`` repeats each until the next (held: the render's last ``fps``, after the ticks' frames).
    """
    _, _, width, height = parts.box
    length = frames / fps
    if parts.travel:
        return f"crop={width}:{height}:0:y='{parts.travel}*min(1,t/{length:.4f})':exact=1"

    def size(side: int, at: str) -> str:
        share = f"min(1,{at}/{length:.4f})" if index % 2 == 0 else f"max(0,1-{at}/{length:.4f})"
        return f"trunc({side}*(1+{ZOOM}*{share}))"

    # The shorter side sets the size and the longer follows it: the picture keeps its shape, and
    # the size changes on fewer frames (81 of 261 for a 4:3 photo over 8.7 s) than two free sides.
    short, longer = sorted((width, height))
    lead, before = size(short, "t"), size(short, f"max(0,t-1/{fps})")
    follow = f"trunc({lead}*{longer}/{short})"
    w, h = (lead, follow) if width == short else (follow, lead)
    ticked = "".join(f"+eq(n,{tick})" for tick in ticks or ())
    return (f"select='eq(n,0)+eq(n,{shown - 1})+not(eq({lead},{before})){ticked}',"
            f"scale=w='{w}':h='{h}':eval=frame:flags=bilinear,"
            f"crop={width}:{height}:x='({w}-{width})/2':y='({h}-{height})/2':exact=1"
            + ("" if ticks is not None else f",fps={fps}"))


def _joined(count: int, fade: int, fps: int, starts: list[int] | None = None) -> str:
    """body0, fade01, body1, fade12, …, body(n-1), one after the other: concatenated, or held
    (given the slides' ``starts`` in the short), each crossfade moved to its place and the pieces
    interleaved by their timestamps."""
    if not fade:
        return "[B0]null[base]"
    steps, order = [], []
    for index in range(count):
        order.append(f"[B{index}]")
        if index + 1 < count:
            steps.append(_crossfade(index, fade, fps, None if starts is None else starts[index + 1]))
            order.append(f"[X{index}]")
    joined = f"concat=n={len(order)}:v=1:a=0" if starts is None else f"interleave=nb_inputs={len(order)}"
    steps.append(f"{''.join(order)}{joined}[base]")
    return ";".join(steps)


def _crossfade(index: int, fade: int, fps: int, at: int | None = None) -> str:
    """Slide ``index``'s tail fading into the next slide's head, over ``fade`` frames (timed from
    0, or from frame ``at`` of the short when given).

    ``blend`` at a fixed opacity mixes a frame in a third of the time ``xfade`` takes (its fade is
    worked out per sample in floating point); ``sendcmd`` sets each frame's opacity, half a frame
    ahead of it: the old slide's share falls from 1 by 1/``fade`` a frame, as xfade's does.
    """
    name = f"blend@fade{index}"
    steps = ";".join(f"{(k - 0.5) / fps:.4f} {name} all_opacity {1 - k / fade:.4f}" for k in range(1, fade))
    timed = f"sendcmd=c='{steps}'," if steps else ""
    placed = "" if at is None else f",setpts=PTS+{at}/({fps}*TB)"
    return (f"[T{index}]{timed}null[T{index}c];"
            f"[T{index}c][H{index + 1}]{name}=all_mode=normal:all_opacity=1{placed}[X{index}]")


def _even(value: float) -> int:
    return int(round(value / 2) * 2)
