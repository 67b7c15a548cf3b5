"""Crawl speed: parse time per page against a bare lxml parse, and upsert throughput.

    .venv/bin/python bench/crawl.py [--posts 10000] [--rounds 20]

Parse: every fixture page of the sites crawled without Chromium (list and post pages) is decoded,
parsed and read by its site module; the same bytes go through ``lxml.html.document_fromstring``
alone. There is no target: the politeness delay between requests dwarfs the parse time.

Upsert: ``posts_save`` for N synthetic posts (5 comments each) in pages of 20 posts, as
``site_crawl`` saves a list page (the fixture list pages hold 16 to 25 posts), into a fresh MariaDB
database ``wb_bench_crawl`` (created and dropped here), then the same N again as updates; falls back
to SQLite, with a note, when MariaDB is unreachable. Last line:
``crawl parse/lxml=<x.xx> upsert_per_s=<n>`` (upserts = inserts and updates together).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "sites"
MARIADB = os.environ.get("BENCH_MARIADB_URL", "mysql://root@127.0.0.1:3306/wb_bench_crawl")
PAGE = 20  # posts per list page, as site_crawl saves them


def database_url() -> tuple[str, str]:
    sys.path.insert(0, str(ROOT))
    from wagglebot.lib.dbping import reachable

    if reachable(MARIADB):
        return MARIADB, "MariaDB"
    path = Path(tempfile.mkdtemp()) / "bench.sqlite3"
    print("note: MariaDB unreachable, upsert measured on SQLite instead", file=sys.stderr)
    return f"sqlite:///{path}", "SQLite"


def setup_django(url: str) -> None:
    os.environ.update({
        "DATABASE_URL": url, "ENV_FILE": "/dev/null", "DEBUG": "true", "LOG_LEVEL": "WARNING",
    })
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wagglebot.settings")
    import django

    django.setup()


def pages() -> list[tuple[str, bytes, str, str]]:
    """(site, raw bytes, kind, canonical URL) for every static fixture page."""
    from crawling.registry import static_sites

    found = []
    for site in static_sites():
        expected = json.loads((FIXTURES / site / "expected.json").read_text("utf-8"))
        found.append((site, (FIXTURES / site / "list.html").read_bytes(), "list", expected["list"]["url"]))
        for post in expected["posts"]:
            found.append((site, (FIXTURES / site / post["file"]).read_bytes(), "post", post["url"]))
    return found


def parse_ratio(rounds: int) -> float:
    import lxml.html

    from crawling import html
    from crawling.registry import CRAWLERS, static_sites

    crawlers = {site: CRAWLERS[site]() for site in static_sites()}
    # The bare parse is told each page's real encoding; left to guess, libxml2 stops at the first
    # CP949-only syllable of the ppomppu pages and "parses" almost nothing.
    bare_parsers = {site: lxml.html.HTMLParser(encoding=c.encoding or "utf-8") for site, c in crawlers.items()}
    work = pages()
    ours = bare = 0.0
    # Round 0 warms up: selectors compile once per process, not once per page.
    for round_no in range(rounds + 1):
        if round_no == 1:
            ours = bare = 0.0
        for site, raw, kind, url in work:
            crawler = crawlers[site]
            started = time.perf_counter()
            doc = html.document(html.html_decode(raw, forced=crawler.encoding))
            crawler.parse_list(doc, url) if kind == "list" else crawler.parse_post(doc, url)
            ours += time.perf_counter() - started
            started = time.perf_counter()
            lxml.html.document_fromstring(raw, parser=bare_parsers[site])
            bare += time.perf_counter() - started
    count = rounds * len(work)
    print(f"parse: {len(work)} pages x {rounds}: ours {ours / count * 1000:.2f} ms/page, "
          f"bare lxml {bare / count * 1000:.2f} ms/page")
    return ours / bare


def synthetic(i: int, rng: random.Random):
    from crawling.base import CommentData, PostData

    syllables = "가나다라마바사아자차카타파하거너더러머버서어저처커터퍼허고노도로모보소오조초"
    words = [
        "".join(rng.choice(syllables) for _ in range(rng.randint(2, 5))) for _ in range(rng.randint(60, 160))
    ]
    return PostData(
        origin_id=str(i), url=f"https://example.com/post/{i}", title=" ".join(words[:6]),
        content=" ".join(words), views=rng.randint(0, 100000), likes=rng.randint(0, 3000),
        comment_count=rng.randint(0, 500),
        comments=[CommentData(author=f"user{j}", text=" ".join(words[j:j + 8]), likes=rng.randint(0, 900),
                              is_best=j < 2) for j in range(5)],
    )


def upsert_rate(posts: int) -> float:
    from django.core.management import call_command

    from crawling.saving import posts_save

    call_command("migrate", verbosity=0)
    rng = random.Random(4)
    batch = [synthetic(i, rng) for i in range(posts)]
    pages = [batch[i:i + PAGE] for i in range(0, posts, PAGE)]
    outcomes: list[str] = []
    started = time.perf_counter()
    for page in pages:
        outcomes += posts_save("theqoo", page)
    inserted = time.perf_counter() - started
    for data in batch:
        data.views += 10
    started = time.perf_counter()
    for page in pages:
        outcomes += posts_save("theqoo", page)
    updated = time.perf_counter() - started
    print(f"upsert: {posts} inserts {posts / inserted:.0f}/s, {posts} updates {posts / updated:.0f}/s "
          f"in pages of {PAGE} ({outcomes.count('new')} new, {outcomes.count('updated')} updated)")
    return 2 * posts / (inserted + updated)


def recreate(url: str, *, drop_only: bool = False) -> None:
    if not url.startswith("mysql"):
        return
    import environ
    import MySQLdb

    config = environ.Env.db_url_config(url)
    conn = MySQLdb.connect(host=config["HOST"], port=int(config["PORT"] or 3306), user=config["USER"],
                           password=config["PASSWORD"] or "")
    cursor = conn.cursor()
    cursor.execute(f"DROP DATABASE IF EXISTS `{config['NAME']}`")
    if not drop_only:
        cursor.execute(f"CREATE DATABASE `{config['NAME']}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    url, engine = database_url()
    recreate(url)
    setup_django(url)
    try:
        ratio = parse_ratio(args.rounds)
        rate = upsert_rate(args.posts)
    finally:
        from django.db import connection

        connection.close()
        recreate(url, drop_only=True)
    print(f"upsert database: {engine}")
    print(f"crawl parse/lxml={ratio:.2f} upsert_per_s={rate:.0f}")


if __name__ == "__main__":
    main()
