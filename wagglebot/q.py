"""Django-Q2 cluster configuration; the periodic tasks are listed in ``ops/schedules.py``.

Two clusters share one broker:
- ``default``: crawls, uploads, sweeps and other light work, several workers;
- ``gpu``: exactly one worker and ``queue_limit`` 1, so one post at a time goes through
  script → speech → render on the accelerator.

Start them with ``python manage.py runcluster`` and ``Q_CLUSTER_NAME=gpu python manage.py runcluster``
(``qcluster`` with a clean stop on SIGTERM; see ``ops/management/commands/runcluster.py``).
``timeout`` (kill a stuck task) is below ``retry`` (re-deliver an unacknowledged task) so a task
is never handed to a second worker while the first may still be running it.
"""

from __future__ import annotations

DEFAULT_CLUSTER = "default"
GPU_CLUSTER = "gpu"


def cluster_config(*, redis_url: str, workers: int, default_timeout: int, gpu_timeout: int) -> dict:
    """Build ``settings.Q_CLUSTER`` for the ORM broker, or Redis when ``redis_url`` is set."""
    config: dict = {
        "name": DEFAULT_CLUSTER,
        "workers": workers,
        "timeout": default_timeout,
        "retry": default_timeout + 120,
        "max_attempts": 2,
        "queue_limit": workers * 2,
        "recycle": 200,
        "save_limit": 500,
        "ack_failures": True,
        "catch_up": False,
        "poll": 1,
        "ALT_CLUSTERS": {
            GPU_CLUSTER: {
                "workers": 1,
                "queue_limit": 1,
                "timeout": gpu_timeout,
                "retry": gpu_timeout + 300,
                "max_attempts": 1,
                # A fresh process every few posts returns memory the LLM runtime keeps.
                "recycle": 20,
            },
        },
    }
    if redis_url:
        config["redis"] = redis_url
    else:
        config["orm"] = "default"
    return config
