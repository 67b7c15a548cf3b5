"""The periodic tasks, in code; ``manage.py sync_schedules`` writes them to the database."""

from __future__ import annotations

from django_q.models import Schedule

from crawling.registry import CRAWLERS
from wagglebot.q import DEFAULT_CLUSTER


def schedules() -> list[dict]:
    """Every periodic task, created idempotently by ``manage.py sync_schedules``."""
    items = [
        {
            "name": "posts.sweep",
            "func": "posts.tasks.sweep",
            "schedule_type": Schedule.MINUTES,
            "minutes": 5,
        },
        # Retries whose back-off ended and lost enqueues; a minute is the retries' granularity.
        {"name": "hooks.sweep", "func": "hooks.tasks.sweep", "schedule_type": Schedule.MINUTES, "minutes": 1},
    ]
    # A draft for a person to approve, never a published video: see compilation_suggest_weekly.
    items.append({"name": "compilations.suggest_weekly", "func": "generation.tasks.suggest_weekly",
                  "schedule_type": Schedule.WEEKLY})
    items += _crawl_schedules()
    items += _publishing_schedules()
    return [{**item, "cluster": item.get("cluster", DEFAULT_CLUSTER)} for item in items]


def _crawl_schedules() -> list[dict]:
    crawls = [
        {
            "name": f"crawl.{code}",
            "func": "crawling.tasks.crawl_site",
            "args": repr(code),
            "schedule_type": Schedule.HOURLY,
        }
        for code in CRAWLERS
    ]
    # Posts deleted or edited at the source after they left the list pages (crawling.recheck).
    rechecks = [
        {"name": f"recheck.{code}", "func": "crawling.tasks.recheck_site", "args": repr(code),
         "schedule_type": Schedule.HOURLY}
        for code in CRAWLERS
    ]
    return crawls + rechecks


def _publishing_schedules() -> list[dict]:
    # fill_slots does nothing unless AUTO_PUBLISH is on, so the schedule can always exist.
    return [
        {"name": "publishing.fill_slots", "func": "publishing.tasks.fill_slots",
         "schedule_type": Schedule.MINUTES, "minutes": 15},
        {"name": "publishing.refresh_stats", "func": "publishing.tasks.refresh_stats",
         "schedule_type": Schedule.HOURLY},
    ]
