"""Stage durations for ``/metrics``, recorded by the process that runs the stage.

Stages run in the worker processes of both Django-Q2 clusters (and in gunicorn workers), never in
one process that could serve them, so durations are written with prometheus_client's multiprocess
mode: one memory-mapped file per process under ``METRICS_DIR/<host>/``. Each host writes its own
folder because process ids repeat across hosts and two processes writing one file corrupt it;
``ops.metrics`` merges every folder at scrape time.

Importing this module does nothing else: the folder, ``PROMETHEUS_MULTIPROC_DIR`` and
prometheus_client itself come with the first observation, so a process that never runs a stage
(``manage.py check``, a migration) leaves no files behind.
"""

from __future__ import annotations

import functools
import logging
import os
import socket
from pathlib import Path

from django.conf import settings

log = logging.getLogger(__name__)

# From a crawled page (a fraction of a second) to a CPU render (minutes).
STAGE_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800)


def observe_stage(name: str, seconds: float, ok: bool) -> None:
    """Record one stage run; called by ``wagglebot.lib.stages.stage``."""
    try:
        _stage_histogram().labels(stage=name, outcome="ok" if ok else "failed").observe(seconds)
    except OSError as exc:
        # A full or read-only metrics folder must not fail the render it is measuring.
        log.warning("stage metric for %s not recorded: %s", name, exc)


def metering_start() -> Path:
    """Point prometheus_client at this host's folder under ``METRICS_DIR`` and create it.

    prometheus_client reads ``PROMETHEUS_MULTIPROC_DIR`` when it is first imported (see
    ``_stage_histogram`` for when that was earlier) and opens its file on the first observation,
    failing if the folder is missing. The variable is overwritten,
    not defaulted: a child process inherits its parent's, and ``METRICS_DIR`` is what it was told.
    """
    folder = Path(settings.METRICS_DIR) / socket.gethostname()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@functools.cache
def _stage_histogram():
    metering_start()
    from prometheus_client import Histogram, values

    if values.ValueClass is values.MutexValue:
        # prometheus_client was imported before the variable was set (Django-Q2 imports it when
        # its app loads): without this the samples would stay in memory, where no scrape sees them.
        values.ValueClass = values.get_value_class()
    return Histogram(
        "wagglebot_stage_duration_seconds",
        "Duration of pipeline stages and crawl runs, by outcome (ok or failed).",
        ["stage", "outcome"],
        buckets=STAGE_BUCKETS,
        registry=None,  # collected from the multiprocess files, never from this process's registry
    )
