"""robots.txt policy: obey by default, ignore only by the operator's per-site setting."""

from __future__ import annotations

import contextlib
import logging

import pytest

from crawling.base import CrawlError
from crawling.models import CrawlFailure
from crawling.registry import CRAWLERS
from crawling.runs import site_crawl

pytestmark = pytest.mark.django_db


def test_nate_pann_is_not_crawled_when_robots_is_obeyed(fixture_server):
    run = site_crawl("nate_pann", base_url=fixture_server.base_url("nate_pann"))
    assert run.total_failure
    assert run.new == 0
    assert "robots.txt disallows" in CrawlFailure.objects.get(run=run).error


def test_robots_403_disallows_everything(fixture_server):
    crawler = CRAWLERS["instiz"](base_url=fixture_server.base_url("instiz"))
    with pytest.raises(CrawlError) as caught:
        crawler.list_fetch(1)
    assert caught.value.permanent
    assert "robots.txt disallows" in caught.value.message


def test_robots_404_means_no_rules(fixture_server):
    crawler = CRAWLERS["theqoo"](base_url=fixture_server.base_url("theqoo"))
    assert len(crawler.list_fetch(1)) == 20


def test_robots_rules_apply_to_the_real_site_paths(fixture_server):
    crawler = CRAWLERS["ruliweb"](base_url=fixture_server.base_url("ruliweb"))
    crawler.robots_check(fixture_server.base_url("ruliweb") + "/best/board/300143/read/76801234")
    with pytest.raises(CrawlError):
        crawler.robots_check(fixture_server.base_url("ruliweb") + "/search?q=x")


def test_ignore_policy_crawls_and_is_logged_every_run(fixture_server, settings, caplog):
    settings.CRAWL_ROBOTS_POLICY = {"nate_pann": "ignore"}
    for _ in range(2):
        with caplog.at_level(logging.WARNING, logger="wagglebot.crawling"):
            run = site_crawl("nate_pann", base_url=fixture_server.base_url("nate_pann"))
        assert run.pages > 0
    assert sum("robots.txt IGNORED for nate_pann" in r.getMessage() for r in caplog.records) == 2


def test_robots_is_fetched_once_per_run(fixture_server):
    crawler = CRAWLERS["ruliweb"](base_url=fixture_server.base_url("ruliweb"))
    seen = []
    send = crawler.session.request

    def spy(method, url, **kwargs):
        seen.append(url)
        return send(method, url, **kwargs)

    crawler.session.request = spy
    items = crawler.list_fetch(1)
    for item in items[:3]:
        with contextlib.suppress(CrawlError):  # posts without a fixture page answer 404
            crawler.post_fetch(item)
    assert sum(url.endswith("/robots.txt") for url in seen) == 1
    assert len(seen) == 5
