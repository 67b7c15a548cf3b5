"""A cluster stops when SIGTERM reaches its whole process group, as systemd's default sends it,
and writes its heartbeat while it runs."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

STOP_WITHIN_SECONDS = 10


@pytest.fixture
def cluster_env(tmp_path) -> dict[str, str]:
    """A fresh SQLite file with the ORM broker's tables: no broker shared with other tests."""
    env = {
        **os.environ, "ENV_FILE": "/dev/null", "DATABASE_URL": f"sqlite:///{tmp_path / 'q.sqlite3'}",
        "REDIS_URL": "", "MEDIA_ROOT": str(tmp_path / "media"), "Q_CLUSTER_NAME": "gpu",
    }
    for app in ("django_q", "ops"):
        subprocess.run([sys.executable, "manage.py", "migrate", app, "-v0"], cwd=settings.BASE_DIR, env=env,
                       check=True, timeout=120)
    return env


def start_cluster(env: dict[str, str], log: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runcluster"], cwd=settings.BASE_DIR, env=env,
        stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while b"running." not in log.read_bytes():
        assert process.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)
    time.sleep(1.5)  # the sentinel is asleep on its stop event, where the hang happened
    return process


@pytest.mark.parametrize("to_group", [True, False], ids=["whole-group", "main-process-only"])
def test_the_gpu_cluster_exits_within_seconds_of_sigterm(cluster_env, tmp_path, to_group):
    log = tmp_path / "cluster.log"
    process = start_cluster(cluster_env, log)
    try:
        (os.killpg if to_group else os.kill)(process.pid, signal.SIGTERM)
        assert process.wait(STOP_WITHIN_SECONDS) == 0, log.read_text()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert live_members(process.pid) == [], "a worker outlived the cluster"


def live_members(group: int) -> list[int]:
    """Processes of the group that still run (zombies an init that does not reap left are not)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


def test_a_running_cluster_writes_its_heartbeat_for_healthz(cluster_env, tmp_path):
    process = start_cluster(cluster_env, tmp_path / "cluster.log")
    try:
        with sqlite3.connect(tmp_path / "q.sqlite3") as db:
            rows = db.execute("SELECT name, pid FROM ops_clusterheartbeat").fetchall()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(STOP_WITHIN_SECONDS)
    assert rows == [("gpu", process.pid)]
