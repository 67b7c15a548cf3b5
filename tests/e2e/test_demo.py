"""``make demo ARGS=--once``, three times on one folder: the newcomer's first commands.

Every run must publish its short (the demo starts on a fresh database each run), approve a post
that really scores, and reach no address outside loopback from any of its Python processes: the
demo, the web server, both clusters and their workers all run under ``tests/ops/netguard``.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys

import pytest
from django.conf import settings

from tests.conftest import on_mariadb, require_binary
from tests.e2e.test_pipeline import free_port
from tests.ops.netguard import guarded_env

pytestmark = pytest.mark.e2e
RUNS = 3


def test_three_demo_runs_in_a_row_each_publish_their_short_without_leaving_loopback(tmp_path):
    if on_mariadb():
        pytest.skip("the demo runs on its own SQLite file; the SQLite pass covers it")
    require_binary("espeak-ng")
    log, folder = tmp_path / "netguard.log", tmp_path / "demo"
    env = {**guarded_env(log), "ENV_FILE": "/dev/null", "DEBUG": "true", "RENDER_X264_PRESET": "ultrafast"}
    for run in range(1, RUNS + 1):
        result = subprocess.run(
            [sys.executable, "manage.py", "demo", "--once", "--posts", "1", "--port", str(free_port()),
             "--dir", str(folder)],
            cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=600,
        )

        assert result.returncode == 0, f"run {run}: " + result.stdout[-3000:] + result.stderr[-3000:]
        assert "1 of 1 shorts published" in result.stdout, f"run {run}"
        assert re.search(r"approved post \d+ \[\w+\] score (?!0\.000)\d\.\d{3}", result.stdout)
        assert re.search(r"post \d+ · render done in", result.stdout)
        exported = re.search(r"UPLOADED QC passed: file://(\S+)", result.stdout)
        assert exported and exported.group(1).startswith(str(folder))
        assert os.path.getsize(exported.group(1)) > 100_000
        assert re.search(r"login demo / \S+", result.stdout)
        with sqlite3.connect(folder / "db.sqlite3") as db:
            names = [name for (name,) in db.execute("SELECT name FROM django_q_schedule")]
        assert names == ["posts.sweep"]  # no crawl.<site> schedule: the live sites are never crawled
    assert not log.exists(), log.read_text()
