"""The layout drift alarm: a run whose field sources fall sharply against the site's recent runs
is marked degraded, logged with site and field, and shown on the status page and /metrics."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from crawling.drift import drift_find, field_shares
from crawling.fixture_server import FixtureServer
from crawling.models import CrawlRun
from crawling.registry import CRAWLERS
from crawling.runs import site_crawl
from tests.crawling.conftest import expected
from tests.crawling.test_field_fallbacks import HEADER_RENAMED, page, parse

pytestmark = pytest.mark.django_db
USUAL = {"title": {"primary": 1.0, "empty": 0.0}, "views": {"primary": 1.0, "empty": 0.0},
         "published_at": {"primary": 1.0, "empty": 0.0}}


def test_field_shares_count_primary_fallback_and_missing_per_field():
    parses = [
        {"sources": {"views": "a", "title": "t"}, "fallback": [], "missing": []},
        {"sources": {"views": "b", "title": "t"}, "fallback": ["views"], "missing": []},
        {"sources": {"views": "", "title": "t"}, "fallback": [], "missing": ["views"]},
        {"sources": {"views": "a", "title": ""}, "fallback": [], "missing": ["title"]},
    ]
    assert field_shares(parses) == {"views": {"primary": 0.5, "empty": 0.25}, "title": {"primary": 0.75, "empty": 0.25}}


def test_a_drop_against_the_median_of_recent_runs_is_drift_and_a_small_wobble_is_not():
    history = [USUAL, USUAL, {**USUAL, "views": {"primary": 0.0, "empty": 1.0}}, USUAL, USUAL]
    now = {**USUAL, "views": {"primary": 0.5, "empty": 0.0}, "title": {"primary": 0.7, "empty": 0.3}}
    assert [change["field"] for change in drift_find(now, history)] == ["views"]
    assert drift_find(now, []) == []  # a site's first run has nothing to compare with


@pytest.mark.parametrize("site", list(CRAWLERS))
def test_every_site_whose_title_block_was_renamed_drifts_on_title_and_on_nothing_else_it_kept(site):
    want = expected(site)["posts"][0]
    text = page(site, want["file"])
    usual = parse(site, text, want["url"]).parse
    changed = parse(site, text.replace(*HEADER_RENAMED[site]), want["url"]).parse
    drift = drift_find(field_shares([changed] * 3), [field_shares([usual] * 3)] * 5)
    assert "title" in [change["field"] for change in drift]
    kept = [name for name, source in changed["sources"].items() if source == usual["sources"][name]]
    assert not {change["field"] for change in drift} & set(kept)


def every_post_is(folder, site: str, page: str, fix) -> None:
    """Give every listed post of ``site`` the same (changed) page."""
    text = fix((folder / site / page).read_text("utf-8"))
    for item in expected(site)["list"]["items"]:
        (folder / site / f"post_{item['origin_id']}.html").write_text(text, "utf-8")


def crawl(folder, site: str) -> CrawlRun:
    with FixtureServer(folder) as server:
        run = site_crawl(site, base_url=server.base_url(site), robots_policy="ignore")
    run.refresh_from_db()
    return run


def history_add(site: str, shares: dict, n: int = 5) -> None:
    for hours in range(n, 0, -1):
        CrawlRun.objects.create(site_code=site, started_at=timezone.now() - timedelta(hours=hours),
                                finished_at=timezone.now(), parsed=20, field_shares=shares)


def test_a_ruliweb_run_whose_views_and_dates_moved_is_degraded_and_shown(site_folder, caplog, admin_client, settings):
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    history_add("ruliweb", USUAL)

    def new_markup(text: str) -> str:  # the 조회 label and the regdate class are gone
        return re.sub(r'class="regdate"', 'class="written"', text.replace("조회 20,118", ""))

    every_post_is(site_folder, "ruliweb", "post_76801234.html", new_markup)
    with caplog.at_level(logging.WARNING, logger="wagglebot.crawling"):
        run = crawl(site_folder, "ruliweb")
    assert run.parsed == len(expected("ruliweb")["list"]["items"]) and run.degraded
    assert sorted(run.drift_fields) == ["published_at", "views"]
    assert run.field_shares["views"] == {"primary": 0.0, "empty": 0.0}  # the mini profile answered
    assert run.field_shares["published_at"] == {"primary": 0.0, "empty": 1.0}
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("ruliweb" in line and "field views" in line for line in warnings), warnings

    status = admin_client.get("/status/").content.decode()
    assert re.search(r"<th>Ruliweb</th><td>[^<]*</td><td><strong class=\"degraded\">degraded: [a-z_, ]*views", status)
    metrics = admin_client.get("/metrics").content.decode()
    assert 'wagglebot_crawl_degraded{site="ruliweb"} 1.0' in metrics
    assert 'wagglebot_crawl_field_primary_ratio{field="views",site="ruliweb"} 0.0' in metrics


def test_an_unchanged_site_is_not_degraded(site_folder):
    history_add("ruliweb", USUAL)
    every_post_is(site_folder, "ruliweb", "post_76801234.html", lambda text: text)
    run = crawl(site_folder, "ruliweb")
    assert run.parsed == len(expected("ruliweb")["list"]["items"]) and not run.degraded
    assert run.field_shares["views"] == {"primary": 1.0, "empty": 0.0}
