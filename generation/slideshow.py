"""Post images as a panning slideshow with crossfades, as a piece of an ffmpeg filter graph.

Each image is decoded once and repeated in memory (looping the file would decode the JPEG on
every frame), panned by ``crop`` (pointer arithmetic, no scaling per frame), and cut into
pieces by frame number so ``xfade`` blends only the few frames of each transition: chained
over whole slides, xfade processed every frame and was the costliest filter in the graph.
"""

from __future__ import annotations

import math
from pathlib import Path

from django.conf import settings
from PIL import Image

from generation import cards

# Slides are drawn this much larger than the frame; the pan travels across the overflow.
PAN_MARGIN = 0.12


def slide_size(width: int, height: int) -> tuple[int, int]:
    return _even(width * (1 + PAN_MARGIN)), _even(height * (1 + PAN_MARGIN))


def slideshow(images: list[Path], workdir: Path, *, first: int, seconds: float, size: tuple[int, int],
              fps: int) -> tuple[list[str], str, dict]:
    """Inputs, the graph ending in ``[base]``, and what was chosen (for the render meta)."""
    count, total = len(images), math.ceil(seconds * fps)
    fade = round(min(settings.RENDER_CROSSFADE_SECONDS, seconds / (2 * count + 1)) * fps) if count > 1 else 0
    stride = math.ceil((total - fade) / count)  # frames from one slide's start to the next's
    fade = max(1, min(fade, stride - 1)) if count > 1 else 0
    inputs, chains = [], []
    for index, image in enumerate(images):
        name = f"slide{index:02d}.ppm"  # uncompressed: written and read back in milliseconds
        with Image.open(image) as source:
            cards.cover(source, slide_size(*size)).save(workdir / name)
        inputs += ["-framerate", str(fps), "-i", name]
        chains.append(_slide(first + index, index, stride + fade, size, fps, _uses(index, count, fade)))
    chains.append(_joined(count, stride, fade, fps))
    return inputs, ";".join(chains) + ";", {"visual": "slideshow", "images": count, "crossfade_s": fade / fps}


def _uses(index: int, count: int, fade: int) -> list[str]:
    """The labels slide ``index`` is cut into: head (fades in), body, tail (fades out or ends)."""
    head = [f"[h{index}]"] if index and fade else []
    tail = [f"[t{index}]"] if fade else []
    return [*head, f"[b{index}]", *tail]


def _slide(stream: int, index: int, frames: int, size: tuple[int, int], fps: int, labels: list[str]) -> str:
    chain = (f"[{stream}:v]scale=out_range=tv,format=yuv420p,loop=loop={frames - 1}:size=1:start=0,"
             f"setpts=N/({fps}*TB),{_pan(index, frames / fps, size)}")
    if len(labels) == 1:
        return f"{chain}{labels[0]}"
    return f"{chain},split={len(labels)}{''.join(labels)}"


def _pan(index: int, length: float, size: tuple[int, int]) -> str:
    """A slow Ken Burns move across the slide's overflow, alternating direction per slide."""
    width, height = size
    dx, dy = slide_size(width, height)[0] - width, slide_size(width, height)[1] - height
    p = f"min(1,t/{length:.3f})"
    if index % 2:
        return f"crop={width}:{height}:x='{dx}*(1-{p})':y='{dy}*(0.75-0.5*{p})'"
    return f"crop={width}:{height}:x='{dx}*{p}':y='{dy}*(0.25+0.5*{p})'"


def _joined(count: int, stride: int, fade: int, fps: int) -> str:
    """body0, fade01, body1, fade12, …, body(n-1), tail(n-1), concatenated."""
    if not fade:
        return "[b0]null[base]"
    steps, order = [], []
    for index in range(count):
        start = fade if index else 0
        steps.append(f"[b{index}]{_cut(start, stride)}[B{index}]")
        order.append(f"[B{index}]")
        steps.append(f"[t{index}]{_cut(stride, stride + fade)}[T{index}]")
        if index + 1 < count:
            steps.append(f"[h{index + 1}]{_cut(0, fade)}[H{index + 1}]")
            steps.append(f"[T{index}][H{index + 1}]xfade=transition=fade:duration={fade / fps:.4f}:offset=0[X{index}]")
            order.append(f"[X{index}]")
        else:
            order.append(f"[T{index}]")
    steps.append(f"{''.join(order)}concat=n={len(order)}:v=1:a=0[base]")
    return ";".join(steps)


def _cut(start: int, end: int) -> str:
    return f"trim=start_frame={start}:end_frame={end},setpts=PTS-STARTPTS"


def _even(value: float) -> int:
    return int(round(value / 2) * 2)
