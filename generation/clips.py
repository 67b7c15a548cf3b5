"""The post's clip for the render and speech-to-text: the first usable one of ``post.videos``,
cached through its site's crawler (``crawling.clips``) unless a fixture crawl cached it already.

A bad clip (refused, too big, not a video, too long) is recorded with its error and skipped, the
next one tried; a post none of whose clips is usable is narrated without one.
"""

from __future__ import annotations

from dataclasses import asdict

from django.conf import settings

from crawling.clips import CLIP_ERRORS, Clip, clip_cache, clip_urls
from crawling.registry import CRAWLERS


def post_clip_fetch(post) -> tuple[Clip | None, list[dict]]:
    """The usable clip (or None) and a record of every clip tried, for the short's generation meta:
    ``{"source", "path", "seconds", "has_audio"}`` or ``{"source", "error"}``."""
    urls = clip_urls(post)
    if not urls or post.site_code not in CRAWLERS:
        return None, []
    crawler = CRAWLERS[post.site_code]()
    tried: list[dict] = []
    try:
        for position, url in enumerate(urls):
            try:
                clip = clip_cache(crawler, post, position, url)
            except CLIP_ERRORS as exc:
                message = getattr(exc, "message", "") or str(exc) or type(exc).__name__
                tried.append({"source": url, "error": message[:500]})
                continue
            tried.append({**asdict(clip), "path": clip.path.relative_to(settings.MEDIA_ROOT).as_posix()})
            return clip, tried
    finally:
        crawler.close()
    return None, tried
