"""The recheck: recent posts still waiting for a moderator or a render are fetched again.

A post deleted at the source (its page answers 404/410 or the site's "deleted" page) is flagged
and held from rendering (``post_flag_deleted``); one that is still there is saved again like a
crawled post, so an edit at the source updates its text (``crawling.saving``). Posts that fell
off the list pages are only ever seen again this way. Each run takes the posts unchecked for
longest, a few per site, so a site gets no more requests than a list page's worth.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from crawling.base import BaseCrawler, CrawlError, ListItem
from crawling.registry import CRAWLERS
from crawling.saving import posts_save
from posts.models import Post, Status
from posts.services import post_flag_deleted

log = logging.getLogger("wagglebot.crawling")


def recheck_due(site_code: str) -> list[Post]:
    """The site's COLLECTED/APPROVED posts of the last CRAWL_RECHECK_DAYS, unchecked for longest first."""
    since = timezone.now() - timedelta(days=settings.CRAWL_RECHECK_DAYS)
    waiting = (Status.COLLECTED, Status.APPROVED)
    posts = Post.objects.filter(site_code=site_code, status__in=waiting, created_at__gte=since)
    oldest_first = posts.order_by(F("source_checked_at").asc(nulls_first=True), "pk")
    return list(oldest_first.only("pk", "origin_id", "url", "title", "status")[: settings.CRAWL_RECHECK_LIMIT])


def site_recheck(site_code: str, *, base_url: str | None = None, robots_policy: str | None = None) -> dict[str, int]:
    crawler = CRAWLERS[site_code](base_url=base_url, robots_policy=robots_policy)
    counts = {"present": 0, "deleted": 0, "failed": 0}
    try:
        for post in recheck_due(site_code):
            counts[post_recheck(crawler, post)] += 1
    finally:
        crawler.close()
    log.info("recheck %s %s", site_code, counts)
    return counts


def post_recheck(crawler: BaseCrawler, post: Post) -> str:
    """Fetch the post's page again: ``present`` (saved again), ``deleted`` (flagged) or ``failed``."""
    Post.objects.filter(pk=post.pk).update(source_checked_at=timezone.now())
    try:
        data = crawler.post_fetch(ListItem(origin_id=post.origin_id, url=post.url, title=post.title))
    except CrawlError as exc:
        gone = exc.status in (404, 410)
        return _deleted(post, f"HTTP {exc.status} at the source") if gone else _failed(post, exc)
    except Exception as exc:  # the page no longer reads as a post: the site's "deleted" page?
        try:
            gone = crawler.deleted_check(post.url)
        except CrawlError as again:
            return _failed(post, again)
        return _deleted(post, "the source shows its deleted-post page") if gone else _failed(post, exc)
    posts_save(crawler.code, [data])
    return "present"


def _deleted(post: Post, reason: str) -> str:
    held = post_flag_deleted(post=post, reason=f"deleted at the source: {reason}")
    log.info("recheck: post %s deleted at the source (%s)%s", post.pk, reason, ", held" if held else "")
    return "deleted"


def _failed(post: Post, exc: Exception) -> str:
    log.warning("recheck: post %s could not be read: %s", post.pk, exc)
    return "failed"
