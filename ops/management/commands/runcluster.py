"""Run a Django-Q2 cluster (``Q_CLUSTER_NAME`` picks which) and stop it cleanly on SIGTERM.

``qcluster`` stops from inside its signal handler: it sets the stop event and joins the
sentinel. When SIGTERM reaches the whole process group (systemd's default
``KillMode=control-group``, ``docker stop`` of a shell, Ctrl-C), the sentinel — which restores
SIGTERM's default action — dies while it sleeps on that event, and ``Event.set()`` then waits
forever for the dead sleeper to acknowledge (django-q2 issue #346): the cluster logs "stopping"
and hangs until the unit's SIGKILL. Here the handler only records the signal; the main thread
sets the event from a helper thread, waits for the sentinel a bounded time, and ends whatever is
left. A task cut short leaves its post claimed, and the sweep returns it when the lease ends.
While it runs, the main process (idle otherwise) writes the cluster's heartbeat for /healthz.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections

# /healthz calls a cluster dead after HEALTHZ_HEARTBEAT_SECONDS without one (several beats).
HEARTBEAT_SECONDS = 10


class Command(BaseCommand):
    help = "Start a Django-Q2 cluster that stops within --grace seconds on SIGTERM or SIGINT."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--grace", type=float, default=20.0,
                            help="seconds a running task may take to finish after SIGTERM (default 20)")

    def handle(self, *args, grace: float, **options) -> None:
        from django_q.cluster import Cluster

        self.signalled = 0
        cluster = Cluster()  # installs qcluster's handlers; ours replace them below
        signal.signal(signal.SIGTERM, self.on_signal)
        signal.signal(signal.SIGINT, self.on_signal)
        cluster.start()
        name = os.environ.get("Q_CLUSTER_NAME") or settings.Q_CLUSTER["name"]
        beaten = 0.0
        while not self.signalled and cluster.sentinel.is_alive():
            if time.monotonic() - beaten >= HEARTBEAT_SECONDS:
                beaten = time.monotonic()
                self.beat(name)
            time.sleep(0.2)
        self.stop(cluster, grace)
        if not self.signalled:
            raise SystemExit(f"the cluster's sentinel died (exit code {cluster.sentinel.exitcode})")

    def beat(self, name: str) -> None:
        from ops.models import ClusterHeartbeat

        try:
            close_old_connections()  # a connection the database dropped (a restart) is opened again
            ClusterHeartbeat.objects.beat(name)
        except DatabaseError as exc:  # a database outage must not stop the cluster; /healthz shows it
            self.stderr.write(f"heartbeat not written: {exc}")

    def on_signal(self, signum, frame) -> None:
        self.signalled = signum  # only a flag: nothing here may take a lock

    def stop(self, cluster, grace: float) -> None:
        sentinel = cluster.sentinel
        children = _children(sentinel.pid)
        if sentinel.is_alive():
            # set() blocks forever if the sentinel dies while sleeping on the event; a daemon
            # thread may hang, the command does not.
            threading.Thread(target=cluster.stop_event.set, daemon=True).start()
            sentinel.join(grace)
        if sentinel.is_alive():
            sentinel.kill()
            sentinel.join(5)
        for pid in children if sentinel.exitcode != 0 else ():  # workers a killed sentinel left
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.stderr.write(f"cluster stopped (sentinel exit code {sentinel.exitcode})")


def _children(pid: int) -> list[int]:
    """The direct children of ``pid`` (the cluster's workers, monitor and pusher), from /proc."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]
