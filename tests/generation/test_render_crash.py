"""A worker killed mid-render leaves no file at the final path, and the lease sweep returns the post."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generation.pipeline import post_dir
from posts.models import Status
from posts.tasks import sweep
from tests.factories import make_post
from tests.generation.media import narration

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[2]


def start_worker(audio: Path, timings: dict, out_dir: Path) -> subprocess.Popen:
    spec = {"audio": str(audio), "duration_ms": timings["duration_ms"], "timings": timings,
            "title": "중간에 죽는 렌더", "out_dir": str(out_dir)}
    return subprocess.Popen([sys.executable, "-m", "tests.generation.render_worker", json.dumps(spec)],
                            cwd=REPO, start_new_session=True)


def wait_for_partial_output(out_dir: Path, worker: subprocess.Popen, timeout: float = 60) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        partial = next(iter(out_dir.glob(".render-*/video.mp4")), None)
        if partial and partial.stat().st_size > 100_000:
            return partial
        assert worker.poll() is None, "the worker ended before it could be killed"
        time.sleep(0.05)
    raise AssertionError("the render never started writing")


def test_a_worker_killed_mid_render_leaves_no_video_and_the_sweep_returns_the_post(tmp_path, media_tools, settings):
    post = make_post(status=Status.APPROVED)
    post.apply("claim_generation")
    out_dir = post_dir(post)
    audio, timings = narration(tmp_path / "voice", ["렌더 도중에 작업자가 죽습니다."], pad_to_s=40)
    worker = start_worker(audio, timings, out_dir)

    partial = wait_for_partial_output(out_dir, worker)
    os.killpg(worker.pid, signal.SIGKILL)  # the worker and its ffmpeg child, as the OOM killer would
    worker.wait(timeout=10)

    assert partial.exists()
    assert not (out_dir / "video.mp4").exists() and not (out_dir / "thumbnail.jpg").exists()
    settings.GENERATION_LEASE_SECONDS = 0
    time.sleep(0.01)
    assert sweep()["released"] == 1
    post.refresh_from_db()
    assert (post.status, post.error_code) == (Status.APPROVED, "LEASE_EXPIRED")
