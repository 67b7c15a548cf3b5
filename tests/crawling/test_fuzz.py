"""Hundreds of broken versions of the fixture pages: no crash, every failure recorded with a reason."""

from __future__ import annotations

import random

import pytest

from crawling.base import ListItem
from crawling.fixture_server import FixtureServer
from crawling.models import CrawlFailure, CrawlRun
from crawling.registry import CRAWLERS
from crawling.runs import item_crawl
from tests.crawling.conftest import expected

pytestmark = pytest.mark.django_db
SITES = ["nate_pann", "dcinside", "theqoo", "ruliweb", "ppomppu"]
ROUNDS = 30


def truncate(raw: bytes, rng: random.Random) -> bytes:
    return raw[: rng.randrange(len(raw))]


def cut_chunk(raw: bytes, rng: random.Random) -> bytes:
    start = rng.randrange(len(raw))
    return raw[:start] + raw[start + rng.randrange(1, 4000):]


def garbage(raw: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(raw))
    return raw[:at] + rng.randbytes(rng.randrange(1, 300)) + raw[at:]


def reencode(raw: bytes, rng: random.Random) -> bytes:
    text = raw.decode("cp949" if b"euc-kr" in raw[:2000] else "utf-8", errors="replace")
    return text.encode(rng.choice(["cp949", "utf-16", "latin-1", "utf-8"]), errors="replace")


def strip_tags(raw: bytes, rng: random.Random) -> bytes:
    for tag in rng.sample([b"<div", b"<span", b"<td", b"<h1", b"<p", b"<dl", b"<a "], 3):
        raw = raw.replace(tag, b"<x", rng.randrange(1, 40))
    return raw


def numbers_to_words(raw: bytes, rng: random.Random) -> bytes:
    return bytes(ord("x") if chr(b).isdigit() and rng.random() < 0.3 else b for b in raw)


def empty(raw: bytes, rng: random.Random) -> bytes:
    return b""


MUTATIONS = [truncate, cut_chunk, garbage, reencode, strip_tags, numbers_to_words, empty]


def test_broken_pages_never_crash_a_run_and_every_failure_has_a_reason(site_folder):
    rng = random.Random(20260922)
    tried = 0
    with FixtureServer(site_folder) as server:
        for site in SITES:
            crawler = CRAWLERS[site](base_url=server.base_url(site), robots_policy="ignore")
            run = CrawlRun.objects.create(site_code=site)
            for want in expected(site)["posts"]:
                item = ListItem(origin_id=want["origin_id"], url=want["url"], title="",
                                fetch_url=want.get("fetched_url", ""))
                page = site_folder / site / want["file"]
                original = page.read_bytes()
                extra = sorted((site_folder / site).glob("comments_*.json"))
                for _ in range(ROUNDS):
                    mutate = rng.choice(MUTATIONS)
                    page.write_bytes(mutate(original, rng))
                    if extra and rng.random() < 0.2:  # break DC's comment JSON too, sometimes
                        extra[0].write_bytes(truncate(extra[0].read_bytes() or b"{}", rng))
                    if rng.random() < 0.05:
                        page.unlink()  # HTTP 404
                    before = (run.new + run.updated + run.skipped, run.failed)
                    item_crawl(crawler, run, item, lambda line: None)
                    after = (run.new + run.updated + run.skipped, run.failed)
                    assert sum(after) - sum(before) == 1, mutate.__name__
                    tried += 1
                page.write_bytes(original)
            crawler.close()
            run.finish()
    failures = CrawlFailure.objects.all()
    assert tried >= 300
    assert failures.count() == sum(CrawlRun.objects.values_list("failed", flat=True))
    assert failures.count() > 50
    assert all(f.error.strip() and f.url.startswith("https://") for f in failures)
    assert CrawlRun.objects.filter(new__gt=0).exists()
