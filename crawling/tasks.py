"""Django-Q2 tasks of the crawling app (default cluster, hourly per site; see wagglebot/q.py)."""

from __future__ import annotations

from django.conf import settings

from crawling.recheck import site_recheck
from crawling.runs import site_crawl


def crawl_site(site_code: str) -> dict:
    """Crawl one site; safe to run twice (the upsert makes a repeat a stats refresh)."""
    run = site_crawl(site_code, pages=settings.CRAWL_PAGES)
    return {"run": run.pk, "new": run.new, "updated": run.updated, "failed": run.failed}


def recheck_site(site_code: str) -> dict:
    """Fetch recent waiting posts again: flag and hold deleted ones, update edited ones; safe to run twice."""
    return site_recheck(site_code)
