"""``make demo ARGS=--once`` on a fresh SQLite database: the newcomer's first command."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings

from tests.conftest import on_mariadb, require_binary
from tests.e2e.test_pipeline import free_port

pytestmark = pytest.mark.e2e


def test_demo_once_publishes_the_best_sample_post_and_exits(tmp_path):
    if on_mariadb():
        pytest.skip("the demo runs on its own SQLite file; the SQLite pass covers it")
    require_binary("espeak-ng")
    env = {
        **os.environ,
        "ENV_FILE": "/dev/null",
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "METRICS_DIR": str(tmp_path / "metrics"),
        "RENDER_X264_PRESET": "ultrafast",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "demo", "--once", "--posts", "1", "--port", str(free_port())],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=600,
    )

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "1 of 1 shorts published" in result.stdout
    assert re.search(r"post \d+ · render done in", result.stdout)
    exported = re.search(r"UPLOADED QC passed: file://(\S+)", result.stdout)
    assert exported and os.path.getsize(exported.group(1)) > 100_000
    assert re.search(r"login demo / \S+", result.stdout)
