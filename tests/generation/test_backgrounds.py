from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings

from generation.render import MEMORY_LOOP_SECONDS, VIDEO_EXTENSIONS, _pick, background_loop
from wagglebot.lib import ffmpeg

SMALL = (54, 96)


def gray_frames(clip: Path) -> np.ndarray:
    done = subprocess.run([ffmpeg.ffmpeg_path(), "-v", "error", "-i", str(clip), "-vf",
                           f"scale={SMALL[0]}:{SMALL[1]},format=gray", "-f", "rawvideo", "-"],
                          check=True, capture_output=True)
    return np.frombuffer(done.stdout, np.uint8).reshape(-1, SMALL[1], SMALL[0]).astype(np.int16)


def shipped() -> list[Path]:
    return sorted(p for p in Path(settings.RENDER_BACKGROUNDS_DIR).iterdir() if p.suffix in VIDEO_EXTENSIONS)


def test_at_least_five_small_backgrounds_ship_and_each_looks_different():
    clips = shipped()

    assert len(clips) >= 5
    assert all(clip.stat().st_size <= 1.5 * 1024 * 1024 for clip in clips)
    firsts = [gray_frames(clip)[0] for clip in clips]
    for a in range(len(firsts)):
        for b in range(a + 1, len(firsts)):
            assert np.abs(firsts[a] - firsts[b]).mean() > 5, (clips[a].name, clips[b].name)


@pytest.mark.parametrize("clip", shipped(), ids=lambda p: p.name)
def test_a_background_loops_without_a_seam(clip):
    frames = gray_frames(clip)
    steps = np.abs(np.diff(frames, axis=0)).mean(axis=(1, 2))
    seam = np.abs(frames[-1] - frames[0]).mean()

    assert len(frames) >= 90  # a few seconds, not a still
    assert steps.min() > 0  # it moves on every frame
    assert seam <= steps.max(), f"seam {seam:.2f} vs consecutive frames up to {steps.max():.2f}"


def test_posts_get_different_backgrounds_by_their_seed():
    picked = {_pick(settings.RENDER_BACKGROUNDS_DIR, VIDEO_EXTENSIONS, seed).name for seed in range(5)}

    assert len(picked) == 5


def loop_clip(folder: Path, seconds: float) -> Path:
    folder.mkdir()
    path = folder / "loop.mp4"
    ffmpeg.run(["-f", "lavfi", "-i", f"testsrc2=s=540x960:r=30:d={seconds}", "-c:v", "libx264", "-preset", "ultrafast",
                "-pix_fmt", "yuv420p", "-y", str(path)])
    return path


def test_a_short_loop_is_scaled_once_and_replayed_from_memory_a_long_one_streams(tmp_path, settings):
    settings.RENDER_BACKGROUNDS_DIR = tmp_path / "short"
    loop_clip(settings.RENDER_BACKGROUNDS_DIR, 2.0)
    inputs, chain = background_loop(0, 0, {}, label="bg")
    out = tmp_path / "bg.yuv"
    ffmpeg.run([*inputs, "-filter_complex", chain.removesuffix(";"), "-map", "[bg]", "-t", "5", "-f", "rawvideo",
                "-pix_fmt", "gray", "-y", str(out)])
    frames = np.fromfile(out, np.uint8).reshape(-1, 1920, 1080)

    assert "-stream_loop" not in inputs and "loop=loop=-1:size=60" in chain
    assert len(frames) == 150
    assert all(np.array_equal(frames[n], frames[n + 60]) for n in (0, 30, 59, 89))  # each pass the same frames
    assert not np.array_equal(frames[0], frames[30])  # and it moves within a pass

    settings.RENDER_BACKGROUNDS_DIR = tmp_path / "long"
    loop_clip(settings.RENDER_BACKGROUNDS_DIR, MEMORY_LOOP_SECONDS + 1)
    inputs, chain = background_loop(0, 0, {}, label="bg")
    assert inputs[:2] == ["-stream_loop", "-1"] and "loop=" not in chain
