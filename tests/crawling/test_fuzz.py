"""Hundreds of broken versions of the fixture pages, list pages included, crawled through the
production path (``site_crawl`` → list page → ``fetch_items`` → ``save_page``, one by one on a
failed batch) against the fixture server: no crash, every failure recorded with a reason.

Sites that need a browser (instiz) are left out: their posts go through Chromium, which would make
each round take seconds and the test minutes; their parsers are covered by the fixture tests in
real Chromium instead.
"""

from __future__ import annotations

import random
import re

import pytest

from crawling.fixture_server import FixtureServer
from crawling.models import CrawlFailure, CrawlRun
from crawling.registry import static_sites
from crawling.runs import site_crawl

pytestmark = pytest.mark.django_db
SITES = static_sites()
ROUNDS = 40
LISTED = re.compile(r"list page 1: (\d+) posts")


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


def mutate_site(folder, rng: random.Random) -> str:
    """Break the list page, a post page and, sometimes, DC's comment JSON; returns what was done."""
    pages = [folder / "list.html", rng.choice(sorted(folder.glob("post_*.html")))]
    done = []
    for page in pages:
        if rng.random() < 0.3 and page.name == "list.html":
            continue  # an intact list page, so the posts are reached more often
        mutate = rng.choice(MUTATIONS)
        page.write_bytes(mutate(page.read_bytes(), rng))
        done.append(f"{page.name}:{mutate.__name__}")
        if rng.random() < 0.05:
            page.unlink()  # HTTP 404
    for extra in sorted(folder.glob("comments_*.json")):
        if rng.random() < 0.2:
            extra.write_bytes(truncate(extra.read_bytes() or b"{}", rng))
    return " ".join(done)


def crawl_round(server, site: str) -> tuple[CrawlRun, list[str]]:
    lines: list[str] = []
    run = site_crawl(site, base_url=server.base_url(site), robots_policy="ignore", progress=lines.append)
    run.refresh_from_db()
    return run, lines


def test_broken_pages_never_crash_a_run_and_every_failure_has_a_reason(site_folder):
    rng = random.Random(20260922)
    originals = {path: path.read_bytes() for path in site_folder.glob("*/*") if path.is_file()}
    with FixtureServer(site_folder) as server:
        for site in SITES:
            for _ in range(ROUNDS):
                what = mutate_site(site_folder / site, rng)
                run, lines = crawl_round(server, site)
                listed = [int(m[1]) for line in lines if (m := LISTED.search(line))]
                assert run.finished_at is not None, what
                if listed:  # every listed post is new, updated, skipped or a recorded failure
                    assert run.pages == 1, what
                    assert run.new + run.updated + run.skipped + run.failed == listed[0], what
                else:  # the list page itself broke: one failure, nothing else
                    assert (run.pages, run.new + run.updated + run.skipped, run.failed) == (0, 0, 1), what
                for path, raw in originals.items():
                    path.write_bytes(raw)
    runs = CrawlRun.objects.all()
    failures = CrawlFailure.objects.all()
    assert runs.count() == len(SITES) * ROUNDS
    assert failures.count() == sum(runs.values_list("failed", flat=True))
    assert runs.filter(pages=0).count() > 20  # broken list pages were tried and recorded
    assert failures.exclude(error__contains="HTTP 404").count() > 50  # parse failures, not just missing pages
    assert all(f.error.strip() and f.url.startswith("http") for f in failures)
    assert runs.filter(new__gt=0).exists() and runs.filter(updated__gt=0).exists()
