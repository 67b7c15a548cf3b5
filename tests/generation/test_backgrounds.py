from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings

from generation.render import VIDEO_EXTENSIONS, _pick
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
