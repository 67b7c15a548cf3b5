"""One crawl run of one site: list pages → post pages → saved posts, scores and duplicate links.

A run never dies on one page: every fetch or parse error of a page (HTTP 404/500, timeout,
truncated HTML, wrong encoding, missing elements, or a parser bug) becomes a ``CrawlFailure``
row with its reason, and each post is saved in its own transaction, so nothing already saved is
lost when a later page breaks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from crawling import duplicates, scoring
from crawling.base import BaseCrawler, ListItem
from crawling.models import CrawlRun
from crawling.registry import CRAWLERS
from crawling.saving import SKIPPED, post_save
from posts.models import Post, Status
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
                page_crawl(crawler, run, page, say)
        finally:
            crawler.close()
            scoring.scores_recompute(site_code)
            duplicates.canonicals_refresh()
            run.finish()
        result.update(new=run.new, updated=run.updated, failed=run.failed)
    return run


def page_crawl(crawler: BaseCrawler, run: CrawlRun, page: int, say: Progress) -> None:
    url = crawler.list_url(page)
    try:
        items = crawler.list_fetch(page)
    except Exception as exc:  # one broken list page is recorded, the run goes on
        run.failure_add(url, exc)
        say(f"{crawler.code}: list page {page} FAILED {exc}")
        return
    run.pages += 1
    say(f"{crawler.code}: list page {page}: {len(items)} posts")
    for item in items:
        item_crawl(crawler, run, item, say)


def item_crawl(crawler: BaseCrawler, run: CrawlRun, item: ListItem, say: Progress) -> None:
    declined = Post.objects.filter(site_code=crawler.code, origin_id=item.origin_id, status=Status.DECLINED)
    if declined.exists():
        run.count(SKIPPED)  # a moderator said no; no need to fetch it again
        return
    try:
        data = crawler.post_fetch(item)
        outcome = post_save(crawler.code, data)
    except Exception as exc:  # parser bugs on odd pages included: record the reason, keep going
        run.failure_add(item.url, exc)
        say(f"{crawler.code}: {item.origin_id} FAILED {exc}")
        return
    run.pages += 1
    run.count(outcome)
    say(f"{crawler.code}: {item.origin_id} {outcome}")
