"""One crawl run of one site: list pages → post pages → saved posts, scores and duplicate links.

A run never dies on one page: every fetch or parse error of a page (HTTP 404/500, timeout,
truncated HTML, wrong encoding, missing elements, or a parser bug) becomes a ``CrawlFailure``
row with its reason. A list page's posts are fetched, then saved together in one transaction
(``posts_save``); when that fails, they are saved one by one, each in its own transaction, so one
bad post is recorded and the rest of the page is still saved. Once every page is saved, the new
posts' images are fetched and thumbnailed (``crawling.images``) within a time budget.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from crawling import drift, duplicates, scoring
from crawling.base import BaseCrawler, ListItem, PostData
from crawling.clips import clips_cache_run
from crawling.images import images_cache_run
from crawling.models import CrawlRun
from crawling.registry import CRAWLERS
from crawling.saving import SKIPPED, post_save, posts_save
from posts.models import Post, Status
from posts.signals import posts_collected
from wagglebot.lib.stages import stage

log = logging.getLogger("wagglebot.crawling")
Progress = Callable[[str], None]


def site_crawl(
    site_code: str, *, pages: int = 1, base_url: str | None = None, robots_policy: str | None = None,
    progress: Progress | None = None,
) -> CrawlRun:
    crawler = CRAWLERS[site_code](base_url=base_url, robots_policy=robots_policy)
    crawler.robots_announce()
    run = CrawlRun.objects.create(site_code=site_code)
    say = progress or (lambda line: log.info("%s", line))
    with stage("crawl", site=site_code) as result:
        try:
            for page in range(1, pages + 1):
                crawl_page(crawler, run, page, say)
                run.counts_save()  # a run killed by the queue timeout still shows what it did
            # After every page, so posts never wait behind downloads; within a time budget.
            say(f"{site_code}: images cached for {images_cache_run(crawler)} posts")
            if crawler.policy.fixture:  # live crawls leave clips to the render (crawling.clips)
                with_clips = Post.objects.filter(site_code=site_code, updated_at__gte=run.started_at).exclude(videos=[])
                say(f"{site_code}: clips cached for {clips_cache_run(crawler, with_clips)} posts")
        finally:
            crawler.close()
            drift_check(run, crawler.list_url(1))
            run.finish()  # first: a scoring error must not leave the run unfinished
            follow_up_run(run, crawler.list_url(1))
        result.update(new=run.new, updated=run.updated, failed=run.failed)
    return run


def drift_check(run: CrawlRun, url: str) -> None:
    """Compare the run's field sources with the site's recent runs; an error here is recorded, never
    fatal (the counts matter more than the alarm)."""
    try:
        drift.run_assess(run, run.parses)
    except Exception as exc:
        log.exception("crawl %s: the layout drift check failed", run.site_code)
        run.failure_add(url, f"drift check failed: {type(exc).__name__}: {exc}")


def follow_up_run(run: CrawlRun, url: str) -> None:
    """Rescore the site, re-elect its duplicates' canonical copies, then announce the run's new posts;
    each failure is recorded on the finished run and logged, and none hides another nor an error of
    the crawl."""
    steps = (("scoring", lambda: scoring.scores_recompute(run.site_code)),
             ("duplicates", lambda: duplicates.canonicals_refresh(run.site_code)),
             ("announcing", lambda: posts_announce(run)))
    for name, step in steps:
        try:
            step()
        except Exception as exc:
            log.exception("crawl %s: %s failed after the run", run.site_code, name)
            run.failure_add(url, f"{name} failed after the crawl: {type(exc).__name__}: {exc}")
            run.counts_save()


def posts_announce(run: CrawlRun) -> None:
    """Tell listeners (webhooks) which posts this run found, now that they are scored and linked."""
    new = Post.objects.filter(site_code=run.site_code, created_at__gte=run.started_at, status=Status.COLLECTED)
    posts_collected.send(sender=CrawlRun, posts=list(new))


def crawl_page(crawler: BaseCrawler, run: CrawlRun, page: int, say: Progress) -> None:
    url = crawler.list_url(page)
    try:
        items = crawler.list_fetch(page)
    except Exception as exc:  # one broken list page is recorded, the run goes on
        run.failure_add(url, exc)
        say(f"{crawler.code}: list page {page} FAILED {exc}")
        return
    run.pages += 1
    say(f"{crawler.code}: list page {page}: {len(items)} posts")
    save_page(crawler, run, fetch_items(crawler, run, items, say), say)


def fetch_items(crawler: BaseCrawler, run: CrawlRun, items: list[ListItem], say: Progress) -> list:
    """(item, data) of the page's posts that could be read; declined posts are not fetched again."""
    ids = [item.origin_id for item in items]
    declined = set(
        Post.objects.filter(site_code=crawler.code, origin_id__in=ids, status=Status.DECLINED)
        .values_list("origin_id", flat=True)
    )
    fetched = []
    for item in items:
        if item.origin_id in declined:
            run.count(SKIPPED)  # a moderator said no; no need to fetch it again
            continue
        data = fetch_item(crawler, run, item, say)
        if data is not None:
            fetched.append((item, data))
    return fetched


def save_page(crawler: BaseCrawler, run: CrawlRun, fetched: list[tuple[ListItem, PostData]], say: Progress) -> None:
    try:
        outcomes = posts_save(crawler.code, [data for _, data in fetched])
    except Exception:  # nothing of the page was saved: one by one, so only the bad post fails
        for item, data in fetched:
            save_item(crawler, run, item, data, say)
        return
    for (item, _), outcome in zip(fetched, outcomes, strict=True):
        finish_item(crawler, run, item, outcome, say)


def fetch_item(crawler: BaseCrawler, run: CrawlRun, item: ListItem, say: Progress) -> PostData | None:
    try:
        data = crawler.post_fetch(item)
    except Exception as exc:  # parser bugs on odd pages included: record the reason, keep going
        fail_item(crawler, run, item, exc, say)
        return None
    if data.parse:
        run.parses.append(data.parse)
    return data


def save_item(crawler: BaseCrawler, run: CrawlRun, item: ListItem, data: PostData, say: Progress) -> None:
    try:
        outcome = post_save(crawler.code, data)
    except Exception as exc:
        fail_item(crawler, run, item, exc, say)
        return
    finish_item(crawler, run, item, outcome, say)


def fail_item(crawler: BaseCrawler, run: CrawlRun, item: ListItem, exc: Exception, say: Progress) -> None:
    run.failure_add(item.url, exc)
    say(f"{crawler.code}: {item.origin_id} FAILED {exc}")


def finish_item(crawler: BaseCrawler, run: CrawlRun, item: ListItem, outcome: str, say: Progress) -> None:
    run.count(outcome)
    say(f"{crawler.code}: {item.origin_id} {outcome}")
