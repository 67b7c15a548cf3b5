"""The time-zone loader on a throwaway MariaDB server whose time-zone tables are empty, as on every new machine."""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest

from tests.conftest import require
from wagglebot.lib import dbping

pytestmark = pytest.mark.mariadb


def find_server_binary(name: str) -> str:
    # mariadbd lives in /usr/sbin, which is not on a normal user's PATH.
    path = shutil.which(name, path=os.environ.get("PATH", "") + os.pathsep + "/usr/sbin")
    require(path is not None, f"{name} (Debian package mariadb-server-core)")
    return path


def free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def empty_server(mariadb_only):
    """A fresh mariadbd on a free loopback port; root has no password, mysql.time_zone* is empty."""
    server, install = find_server_binary("mariadbd"), find_server_binary("mariadb-install-db")
    # Not pytest's tmp_path: a Unix socket path must stay under 108 characters.
    with tempfile.TemporaryDirectory(prefix="wb-mariadb-") as tmp:
        data, user = Path(tmp) / "data", getpass.getuser()
        subprocess.run([install, "--no-defaults", f"--datadir={data}", f"--user={user}", "--skip-test-db",
                        "--auth-root-authentication-method=normal"], capture_output=True, check=True, timeout=60)
        port = free_port()
        log = open(Path(tmp) / "server.log", "wb")  # noqa: SIM115 (closed below, after the server stops)
        process = subprocess.Popen(
            [server, "--no-defaults", f"--datadir={data}", f"--socket={tmp}/s.sock", f"--pid-file={tmp}/pid",
             f"--port={port}", "--bind-address=127.0.0.1", f"--user={user}", "--innodb-buffer-pool-size=16M"],
            stdout=log, stderr=subprocess.STDOUT,
        )
        url = f"mysql://root@127.0.0.1:{port}/mysql"
        try:
            wait_until_up(url, process, Path(tmp) / "server.log")
            yield url
        finally:
            process.terminate()
            process.wait(timeout=30)
            log.close()


def wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        assert process.poll() is None, f"mariadbd exited:\n{log.read_text()}"
        if query(url, "SELECT 1") is not None:
            return
        time.sleep(0.1)
    pytest.fail(f"mariadbd did not answer within 15 s:\n{log.read_text()}")


def query(url: str, sql: str):
    import MySQLdb

    try:
        with closing(dbping.connect(url, autocommit=True)) as connection, connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchone()[0]
    except MySQLdb.OperationalError:
        return None


def test_the_loader_fills_empty_time_zone_tables_without_waiting_on_itself(empty_server):
    assert query(empty_server, "SELECT COUNT(*) FROM mysql.time_zone_name") == 0
    # A thread, so that a loader that waits on its own lock fails this test instead of hanging it;
    # stopping the server afterwards releases the stuck client.
    loader = threading.Thread(target=dbping.ensure_time_zones, args=(empty_server,), daemon=True)
    loader.start()
    loader.join(timeout=30)

    assert not loader.is_alive(), "the loader was still waiting after 30 s"
    assert query(empty_server, "SELECT COUNT(*) FROM mysql.time_zone_name") > 500
    assert query(empty_server, "SELECT CONVERT_TZ('2024-01-01 00:00', 'UTC', 'Asia/Seoul')").hour == 9
    # The checking connection is gone too: only the connection asking is left.
    others = "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND USER = 'root'"
    assert query(empty_server, others) == 0


def test_a_lock_held_elsewhere_stops_the_loader_with_an_error_naming_the_wait(empty_server):
    holder = dbping.connect(empty_server)  # no autocommit: this SELECT keeps its metadata lock
    holder.cursor().execute("SELECT COUNT(*) FROM mysql.time_zone_name")
    started = time.monotonic()

    with pytest.raises(SystemExit) as exit_info:
        dbping.ensure_time_zones(empty_server, timeout=2)

    holder.close()
    assert time.monotonic() - started < 15
    assert "Lock wait timeout exceeded" in str(exit_info.value.code)
    assert "TRUNCATE TABLE time_zone_name" in str(exit_info.value.code)
