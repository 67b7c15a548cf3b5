"""Django-Q2 cluster configuration and the schedules that live in code.

Two clusters share one broker:
- ``default``: crawls, uploads, sweeps and other light work, several workers;
- ``gpu``: exactly one worker and ``queue_limit`` 1, so one post at a time goes through
  script → speech → render on the accelerator.

Start them with ``python manage.py qcluster`` and ``Q_CLUSTER_NAME=gpu python manage.py qcluster``.
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


def schedules() -> list[dict]:
    """Every periodic task, created idempotently by ``manage.py sync_schedules``."""
    from django_q.models import Schedule

    items = [
        {
            "name": "posts.sweep",
            "func": "posts.tasks.sweep",
            "schedule_type": Schedule.MINUTES,
            "minutes": 5,
        },
    ]
    items += _crawl_schedules(Schedule)
    items += _publishing_schedules(Schedule)
    return [{**item, "cluster": item.get("cluster", DEFAULT_CLUSTER)} for item in items]


def _crawl_schedules(Schedule) -> list[dict]:
    from crawling.registry import CRAWLERS

    return [
        {
            "name": f"crawl.{code}",
            "func": "crawling.tasks.crawl_site",
            "args": repr(code),
            "schedule_type": Schedule.HOURLY,
        }
        for code in CRAWLERS
    ]


def _publishing_schedules(Schedule) -> list[dict]:
    # fill_slots does nothing unless AUTO_PUBLISH is on, so the schedule can always exist.
    return [
        {"name": "publishing.fill_slots", "func": "publishing.tasks.fill_slots",
         "schedule_type": Schedule.MINUTES, "minutes": 15},
        {"name": "publishing.refresh_stats", "func": "publishing.tasks.refresh_stats",
         "schedule_type": Schedule.HOURLY},
    ]
