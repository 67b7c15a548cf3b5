"""Inbox changelist speed on 100,000 posts in MariaDB.

Seeds its own database (``wb_bench_inbox`` by default, dropped at the end unless ``--keep``),
then opens the moderation inbox through Django's test client: the default view, each sort,
each filter and a search, several times each. Prints per page the median server time and the
query count, and the line ``inbox median_ms=<x> p95_ms=<y> max_queries=<n>``.
Targets: median < 150 ms, at most 8 queries per page whatever the page size.

Then, in Chromium on a live server, it presses ``a`` on the highlighted row (an instant approval)
and times the key press until the row has left the list, and prints
``keypress median_ms=<x> max_ms=<y>``. Target: median < 300 ms. ``--no-browser`` skips it.

    .venv/bin/python bench/inbox.py [--posts 100000] [--repeat 7] [--keep] [--no-browser] [--db URL]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DB = "mysql://root@127.0.0.1:3306/wb_bench_inbox"
BATCH = 5000
PAGES = {
    "default": "",
    "sort views": "o=-4",
    "sort likes": "o=-5",
    "sort score asc": "o=7",
    "sort newest": "o=-8",
    "filter site": "site_code=theqoo",
    "filter approved": "status=APPROVED",
    "filter all": "status=all",
    "filter has images": "has_images=yes",
    "filter no images": "has_images=no",
    "filter tier high": "tier=high",
    "filter tier mid": "tier=mid",
    "filter today": "collected=today",
    "filter week": "collected=week",
    "search": "q=%EA%B0%95%EC%95%84%EC%A7%80",  # 강아지
    "page 20": "p=20",
}
WORDS = [
    "오늘", "회사", "에서", "있었던", "일", "인데", "우리", "강아지", "가", "고양이", "랑", "싸워서", "진짜",
    "웃겼음", "ㅋㅋ", "남친", "시어머니", "결혼", "썰", "레전드",
]


def setup_django(url: str) -> None:
    os.environ.update({
        "ENV_FILE": "/dev/null", "DEBUG": "false", "DATABASE_URL": url, "SECURE_SSL_REDIRECT": "false",
        "SECRET_KEY": "bench-secret-key-not-for-production-0123456789", "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "wagglebot.settings",
    })
    import environ
    import MySQLdb

    config = environ.Env.db_url_config(url)
    conn = MySQLdb.connect(host=config["HOST"], port=int(config["PORT"] or 3306), user=config["USER"],
                           password=config["PASSWORD"] or "")
    conn.cursor().execute(f"CREATE DATABASE IF NOT EXISTS `{config['NAME']}` CHARACTER SET utf8mb4")
    conn.close()
    import django

    django.setup()


def drop_database() -> None:
    from django.db import connection

    name = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE `{name}`")


def seed(total: int) -> None:
    from django.core.management import call_command

    from posts.models import Post

    call_command("migrate", verbosity=0)
    have = Post.objects.count()
    if have >= total:
        print(f"seed: {have} posts already there", file=sys.stderr)
        return
    rng = random.Random(7)
    started = time.monotonic()
    for first in range(have + 1, total + 1, BATCH):
        ids = range(first, min(first + BATCH, total + 1))
        _seed_batch(rng, ids)
        print(f"seed: {ids[-1]} posts, {time.monotonic() - started:.0f} s", file=sys.stderr)


def _seed_batch(rng: random.Random, ids: range) -> None:
    from django.db import transaction
    from django.utils import timezone

    from crawling.registry import site_choices
    from posts.models import Comment, Post, Status, StatusChange

    sites = [code for code, _ in site_choices()]
    statuses = [Status.COLLECTED] * 6 + [Status.DECLINED, Status.APPROVED, Status.RENDERED, Status.UPLOADED]
    now = timezone.now()
    posts, comments, changes = [], [], []
    for pk in ids:
        status = rng.choice(statuses)
        created = now - timedelta(minutes=rng.randrange(60 * 24 * 30))
        posts.append(Post(
            id=pk, site_code=rng.choice(sites), origin_id=str(pk), url=f"https://example.com/{pk}",
            title=" ".join(rng.choices(WORDS, k=8)), content=" ".join(rng.choices(WORDS, k=120)),
            images=[f"https://img.example.com/{pk}/{n}.jpg" for n in range(rng.choice([0, 0, 1, 3]))],
            views=rng.randrange(100_000), likes=rng.randrange(2_000), comment_count=rng.randrange(300),
            score=round(rng.random() * 100, 2), status=status, created_at=created,
        ))
        for n in range(rng.randrange(5)):
            comments.append(Comment(
                post_id=pk, content=" ".join(rng.choices(WORDS, k=15)), content_hash=f"{pk}-{n}",
                likes=rng.randrange(500), is_best=n == 0,
            ))
        if status != Status.COLLECTED:
            changes.append(StatusChange(post_id=pk, old=Status.COLLECTED, new=status, at=created))
    with transaction.atomic():
        Post.objects.bulk_create(posts, batch_size=1000)
        Comment.objects.bulk_create(comments, batch_size=2000)
        StatusChange.objects.bulk_create(changes, batch_size=2000)


def measure(repeat: int) -> tuple[list[float], int]:
    from django.apps import apps
    from django.contrib.auth.models import Group, User
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from posts.roles import roles_sync

    roles_sync(apps)
    user, _ = User.objects.get_or_create(username="bench-moderator", defaults={"is_staff": True})
    user.groups.add(Group.objects.get(name="Moderators"))
    client = Client()
    client.force_login(user)
    times, max_queries = [], 0
    plain_static = {"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    # Not setup_test_environment(): its template instrumentation would be timed as server time.
    storages = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}, **plain_static}
    with override_settings(STORAGES=storages, ALLOWED_HOSTS=["testserver"]):
        for name, query in PAGES.items():
            page_times, queries = _page(client, f"/admin/posts/post/?{query}", repeat, connection,
                                        CaptureQueriesContext)
            times += page_times
            max_queries = max(max_queries, queries)
            print(f"{name:18} median_ms={statistics.median(page_times):7.1f} queries={queries}")
    return times, max_queries


def _page(client, url: str, repeat: int, connection, capture) -> tuple[list[float], int]:
    client.get(url)  # warm-up: template loading, first-use caches
    times, queries = [], 0
    for _ in range(repeat):
        with capture(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        assert b'class="action-select"' in response.content, url  # at least one row shown
        queries = max(queries, len(captured))
    return times, queries


ROW_LEAVES_JS = """() => new Promise(done => {
  const row = document.querySelector('tr.triage-current');
  const started = performance.now();
  const watch = new MutationObserver(() => {
    if (!row.isConnected) { watch.disconnect(); done(performance.now() - started); }
  });
  watch.observe(row.parentNode, {childList: true});
  document.dispatchEvent(new KeyboardEvent('keydown', {key: 'a', code: 'KeyA', bubbles: true}));
})"""


def measure_keypress(repeat: int) -> list[float]:
    """Milliseconds from the ``a`` key to the approved row leaving the inbox, in Chromium."""
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test import Client, override_settings
    from django.test.testcases import LiveServerThread
    from playwright.sync_api import sync_playwright

    plain = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
             "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    overrides = override_settings(STORAGES=plain, SESSION_COOKIE_SECURE=False, CSRF_COOKIE_SECURE=False,
                                  ALLOWED_HOSTS=["127.0.0.1", "testserver"])
    overrides.enable()
    server = LiveServerThread("127.0.0.1", StaticFilesHandler)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    base = f"http://127.0.0.1:{server.port}"
    client = Client()
    client.force_login(User.objects.get(username="bench-moderator"))
    times = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=settings.CHROMIUM_PATH,
                                                 args=["--no-sandbox", "--disable-gpu"])
            context = browser.new_context()
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies["sessionid"].value,
                                  "url": base}])
            page = context.new_page()
            page.goto(f"{base}/admin/posts/post/")
            page.keyboard.press("j")
            page.evaluate(ROW_LEAVES_JS)  # warm-up
            for _ in range(repeat):
                times.append(page.evaluate(ROW_LEAVES_JS))
            browser.close()
    finally:
        server.terminate()
        overrides.disable()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the seeded database for the next run")
    parser.add_argument("--no-browser", action="store_true", help="skip the key-press timing in Chromium")
    parser.add_argument("--db", default=os.environ.get("BENCH_INBOX_DB", DEFAULT_DB))
    args = parser.parse_args()
    setup_django(args.db)
    try:
        seed(args.posts)
        times, max_queries = measure(args.repeat)
        p95 = statistics.quantiles(times, n=20)[-1]
        print(f"inbox median_ms={statistics.median(times):.1f} p95_ms={p95:.1f} max_queries={max_queries}")
        if not args.no_browser:
            presses = measure_keypress(max(args.repeat, 10))
            print(f"keypress median_ms={statistics.median(presses):.1f} max_ms={max(presses):.1f}")
    finally:
        if not args.keep:
            drop_database()


if __name__ == "__main__":
    main()
