"""A crawl run is finished and its counters saved whatever happens after the pages are read."""

from __future__ import annotations

import pytest

from crawling.models import CrawlFailure, CrawlRun
from crawling.runs import site_crawl
from posts.models import Post

pytestmark = pytest.mark.django_db


def test_a_scoring_error_is_recorded_and_the_run_still_finishes_with_its_counts(fixture_server, settings):
    settings.CRAWL_SCORE_HALF_LIFE_HOURS = 0  # a misconfiguration: scoring divides by zero
    settings.CRAWL_SCORE_WINDOW_DAYS = 100_000  # so the old fixture posts are scored
    run = site_crawl("theqoo", base_url=fixture_server.base_url("theqoo"), robots_policy="ignore")
    saved = CrawlRun.objects.get(pk=run.pk)
    assert saved.finished_at is not None
    assert saved.new == Post.objects.filter(site_code="theqoo").count() > 0
    assert saved.pages == 1  # list pages only; the posts are counted as new
    failure = CrawlFailure.objects.get(run=saved, error__startswith="scoring failed")
    assert "ZeroDivisionError" in failure.error
    assert saved.failed == CrawlFailure.objects.filter(run=saved).count()


def test_counters_are_saved_after_every_list_page_before_the_run_ends(fixture_server):
    seen = []

    def say(line: str) -> None:  # the next list page begins: what the database holds by then
        if "list page 2" in line:
            seen.append(CrawlRun.objects.values("pages", "new", "finished_at").get())

    site_crawl("ruliweb", pages=2, base_url=fixture_server.base_url("ruliweb"), robots_policy="ignore",
               progress=say)
    assert seen[0]["pages"] == 1 and seen[0]["new"] > 0 and seen[0]["finished_at"] is None
