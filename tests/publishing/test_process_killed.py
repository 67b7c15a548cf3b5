"""A real worker process killed with SIGKILL after YouTube stored the video, before our DB heard.

Runs in the MariaDB pass: the child process needs to see the test database. The SQLite pass
covers the same recovery in-process (test_youtube_upload).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django_q.conf import Conf

from posts.tasks import sweep

ROOT = Path(__file__).resolve().parents[2]


def _child_env(settings, fake) -> dict:
    db = connection.settings_dict
    return {
        **os.environ,
        "ENV_FILE": "/dev/null",
        "DATABASE_URL": f"mysql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 3306}/{db['NAME']}",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "UPLOADER": "youtube",
        "YOUTUBE_API_ROOT": fake.url,
        "YOUTUBE_TOKEN_FILE": str(settings.YOUTUBE_TOKEN_FILE),
        "YOUTUBE_CHUNK_BYTES": str(settings.YOUTUBE_CHUNK_BYTES),
    }


def _wait_for(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.mariadb
@pytest.mark.parametrize("found_by", ["session", "key"])
def test_worker_killed_after_youtube_stored_the_video_leads_to_one_recorded_video(
    mariadb_only, transactional_db, youtube, make_rendered, settings, frozen_now, monkeypatch, found_by
):
    monkeypatch.setattr(Conf, "SYNC", True)
    post = make_rendered()
    youtube.hold_final_response = threading.Event()
    child = subprocess.Popen([sys.executable, "manage.py", "publish", str(post.pk)], cwd=ROOT,
                             env=_child_env(settings, youtube), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for(lambda: youtube.videos or child.poll() is not None)
        assert youtube.videos, child.stderr.read().decode()[-2000:]
        child.kill()
        child.wait(10)
    finally:
        youtube.hold_final_response.set()
    post.refresh_from_db()
    assert post.status == "UPLOADING"
    assert post.uploads.get().session["session_uri"]
    if found_by == "session":
        youtube.uploads_listed = False  # the lookup by key misses it; the saved session answers 200
    else:
        youtube.forget_sessions()  # the session expired; the lookup by key finds the video

    frozen_now.moment = post.claimed_at + timedelta(seconds=settings.UPLOAD_LEASE_SECONDS + 1)
    assert sweep()["released"] == 1  # the lease ran out; the sweep hands the post to a new worker

    post.refresh_from_db()
    assert post.status == "UPLOADED"
    assert list(youtube.videos) == [post.uploads.get().video_id]
    assert len(youtube.requests("POST", "/upload/youtube/v3/videos")) == 1
    if found_by == "session":
        assert youtube.requests("PUT", "/upload/youtube/v3/videos")[-1]["content_range"] == "bytes */1000000"
