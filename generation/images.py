"""The post's images for the render: the files the crawl cached (``crawling.images``).

A post crawled before images were cached at crawl time, or one the crawl's image budget left out,
has its images cached here first, through its site's crawler, the same way the crawl does.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from crawling.images import image_urls, post_images_cache
from crawling.registry import CRAWLERS


def post_images_fetch(post) -> list[Path]:
    """Cached JPEGs of the post's images, in post order, at most RENDER_MAX_IMAGES.

    Only images the post still lists are used: a moderator (or the demo) who emptied
    ``post.images`` gets a short without them.
    """
    listed = set(image_urls(post.images))
    if not listed or post.site_code not in CRAWLERS:
        return []
    crawler = CRAWLERS[post.site_code]()
    try:
        rows = post_images_cache(crawler, post)
    finally:
        crawler.close()
    root = Path(settings.MEDIA_ROOT)
    paths = [root / row.file for row in rows if row.file and row.source_url in listed]
    return [path for path in paths if path.is_file()][: settings.RENDER_MAX_IMAGES]
