"""Post images, cached at crawl time: fetched once, re-encoded, thumbnailed and recorded.

Every image is decoded and re-encoded with Pillow, so what reaches the admin and ffmpeg is a plain
JPEG we wrote ourselves, never a stranger's file with whatever a parser bug in a decoder would
take. A bad image (refused URL, too big, not an image, undecodable) becomes a ``PostImage`` row
with its error and is skipped: it never fails the post, and it is not fetched again.

The crawl caches the images of the posts it saved after its pages (``images_cache_run``), within
a time budget, so posts are never held up behind image downloads; whatever the budget left out is
cached by the next run or, at the latest, by the render (``generation.images``).
"""

from __future__ import annotations

import io
import logging
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from crawling.base import BaseCrawler, CrawlError
from posts.models import Post, PostImage, Status
from wagglebot.lib.safehttp import FetchError

log = logging.getLogger("wagglebot.crawling")
# Longest side kept: enough for a 1080×1920 frame with pan room, small enough to decode fast.
MAX_SIDE = 2400
MAX_PIXELS = 40_000_000
THUMBNAIL_SIDE = 320
# Posts saved this long ago still get their images from a later run if a budget left them out.
BACKLOG = timedelta(days=1)


def images_dir(post_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "posts" / str(post_id) / "images"


def image_urls(images: list) -> list[str]:
    # Crawlers store plain URLs; accept {"url": ...} items too.
    return [item["url"] if isinstance(item, dict) else str(item) for item in images or [] if item]


def post_images_cache(crawler: BaseCrawler, post: Post) -> list[PostImage]:
    """The post's image rows, fetching them first unless an earlier call did (safe to run twice)."""
    rows = list(post.image_files.all())
    if rows:
        return rows
    urls = image_urls(post.images)[: settings.CRAWL_MAX_IMAGES]
    rows = [image_cache(crawler, post, position, url) for position, url in enumerate(urls)]
    # Another worker caching the same post wrote the same files; its rows win, ours are dropped.
    PostImage.objects.bulk_create(rows, ignore_conflicts=True)
    return list(post.image_files.all())


def image_cache(crawler: BaseCrawler, post: Post, position: int, url: str) -> PostImage:
    """Fetch one image and write it and its thumbnail; the row carries the error instead if it fails."""
    row = PostImage(post=post, position=position, source_url=url[:1000])
    try:
        image = image_decode(crawler.image_fetch(url, referer=post.url))
    except (CrawlError, FetchError, ValueError) as exc:
        log.warning("image skipped: post %s %s: %s", post.pk, url[:200], exc)
        row.error = str(exc)[:2000] or type(exc).__name__
        return row
    path = images_dir(post.pk) / f"{position:02d}.jpg"
    row.file = image_save(image, path)
    row.width, row.height, row.bytes = image.width, image.height, path.stat().st_size
    image.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    row.thumbnail = image_save(image, path.parent / "thumbs" / path.name)
    return row


def image_save(image: Image.Image, path: Path) -> str:
    """Write ``image`` as a JPEG at ``path`` (via a temporary name); the path relative to MEDIA_ROOT."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    image.save(partial, "JPEG", quality=88)
    partial.replace(path)
    return path.relative_to(settings.MEDIA_ROOT).as_posix()


def image_decode(data: bytes) -> Image.Image:
    """Decode fully and flatten to RGB within MAX_SIDE; ValueError for anything that is not a sane image."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ValueError(f"{image.width}×{image.height} is too many pixels")
            image.load()
            rgb = image.convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as exc:
        raise ValueError(f"not a decodable image: {exc}") from exc
    rgb.thumbnail((MAX_SIDE, MAX_SIDE))
    return rgb


def uncached_posts(site_code: str):
    """Recent posts of the site still waiting for a moderator or a render whose images nobody cached."""
    return (
        Post.objects.filter(
            site_code=site_code, status__in=(Status.COLLECTED, Status.APPROVED),
            created_at__gte=timezone.now() - BACKLOG, image_files__isnull=True,
        )
        .exclude(images=[])
        .order_by("-created_at", "-pk")
    )


def images_cache_run(crawler: BaseCrawler, *, budget: float | None = None) -> int:
    """Cache the images of the site's uncached posts until ``CRAWL_IMAGES_BUDGET_SECONDS`` are spent;
    returns how many posts were done. A post whose caching crashes is logged and left for later."""
    deadline = time.monotonic() + (settings.CRAWL_IMAGES_BUDGET_SECONDS if budget is None else budget)
    done = 0
    for post in uncached_posts(crawler.code).only("pk", "url", "images"):
        if time.monotonic() >= deadline:
            break
        try:
            post_images_cache(crawler, post)
        except Exception:  # a full disk or a Pillow bug must not cost the crawl its scoring
            log.exception("images of post %s could not be cached", post.pk)
            continue
        done += 1
    return done
