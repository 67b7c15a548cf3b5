#!/usr/bin/env python
"""Draw the background loops in assets/backgrounds/ (the project's own, no third-party footage).

Each loop is LOOP_FRAMES frames of a pattern computed with numpy and encoded with the
project's ffmpeg. Every moving term turns a whole number of times over the loop
(``phase = 2π·k·n/LOOP_FRAMES`` with integer ``k``), so frame LOOP_FRAMES would be frame 0 again
and ``-stream_loop`` plays it without a jump. Deterministic: no randomness, the same bytes of
pattern on every run (the encoder's output may differ between ffmpeg versions).
Drawn at half size (540x960) and scaled at render: soft shapes lose nothing, the files stay small.

    .venv/bin/python scripts/make_backgrounds.py [--out assets/backgrounds]
"""

from __future__ import annotations

import argparse
import subprocess
from collections.abc import Callable
from pathlib import Path

import imageio_ffmpeg
import numpy as np

WIDTH, HEIGHT, FPS = 540, 960, 30
LOOP_FRAMES = 6 * FPS
TAU = 2 * np.pi
Y, X = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
U, V = X / WIDTH, Y / HEIGHT  # 0..1 across and down


def palette(value: np.ndarray, a, b, c, d) -> np.ndarray:
    """Inigo Quilez's cosine palette: a + b·cos(2π(c·value + d)), per channel, as uint8 RGB."""
    rgb = [a[i] + b[i] * np.cos(TAU * (c[i] * value + d[i])) for i in range(3)]
    return (np.clip(np.stack(rgb, axis=-1), 0, 1) * 255).astype(np.uint8)


def aurora(p: float) -> np.ndarray:
    wave = np.sin(TAU * (2 * V + p) + 1.5 * np.sin(TAU * (U + 2 * p)))
    return palette(0.5 + 0.25 * wave + 0.3 * V, (0.12, 0.2, 0.3), (0.12, 0.2, 0.2), (1, 1, 1), (0.3, 0.2, 0.6))


def plasma(p: float) -> np.ndarray:
    value = (np.sin(TAU * (1.5 * U + p)) + np.sin(TAU * (V - 2 * p)) + np.sin(TAU * (U + V + p))) / 6
    return palette(value, (0.35, 0.18, 0.2), (0.25, 0.15, 0.15), (1, 1, 1), (0.0, 0.1, 0.25))


def ripples(p: float) -> np.ndarray:
    radius = np.hypot(U - 0.5, (V - 0.45) * HEIGHT / WIDTH)
    value = 0.5 + 0.5 * np.sin(TAU * (3 * radius - 2 * p))
    return palette(0.3 * value + 0.4 * V, (0.1, 0.14, 0.3), (0.08, 0.12, 0.2), (1, 1, 1), (0.5, 0.55, 0.6))


def stripes(p: float) -> np.ndarray:
    bands = np.sin(TAU * (U + V * HEIGHT / WIDTH - p))
    return palette(0.45 + 0.12 * bands + 0.25 * U, (0.35, 0.2, 0.3), (0.25, 0.15, 0.2), (1, 1, 1), (0.95, 0.05, 0.1))


def orbits(p: float) -> np.ndarray:
    value = np.zeros_like(U)
    for k, (cx, cy, r, turns) in enumerate(((0.5, 0.3, 0.2, 1), (0.4, 0.65, 0.25, -1), (0.6, 0.5, 0.15, 2))):
        angle = TAU * (turns * p + k / 3)
        bx, by = cx + r * np.cos(angle), cy + 0.6 * r * np.sin(angle)
        value += 0.05 / (0.02 + (U - bx) ** 2 + ((V - by) * HEIGHT / WIDTH) ** 2)
    return palette(0.2 + 0.08 * np.minimum(value, 6), (0.1, 0.25, 0.22), (0.1, 0.2, 0.15), (1, 1, 1), (0.4, 0.5, 0.5))


LOOPS: dict[str, Callable[[float], np.ndarray]] = {
    "aurora": aurora, "plasma": plasma, "ripples": ripples, "stripes": stripes, "orbits": orbits,
}


def encode(name: str, draw: Callable[[float], np.ndarray], out: Path) -> Path:
    path = out / f"{name}.mp4"
    ffmpeg = subprocess.Popen(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "rawvideo",
         "-pix_fmt", "rgb24", "-s", f"{WIDTH}x{HEIGHT}", "-r", str(FPS), "-i", "-", "-c:v", "libx264",
         "-preset", "slow", "-crf", "20", "-pix_fmt", "yuv420p", "-g", str(FPS), "-bf", "0",
         "-movflags", "+faststart", "-an", "-y", str(path)],
        stdin=subprocess.PIPE,
    )
    for n in range(LOOP_FRAMES):
        ffmpeg.stdin.write(draw(n / LOOP_FRAMES).tobytes())
    ffmpeg.stdin.close()
    if ffmpeg.wait() != 0:
        raise SystemExit(f"ffmpeg failed on {name}")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "assets" / "backgrounds")
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    for name, draw in LOOPS.items():
        path = encode(name, draw, out)
        print(f"{path}: {path.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
