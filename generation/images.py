"""Post images: download through the public-only fetcher, re-encode, cache per post.

Every image is decoded and re-encoded with Pillow, so what reaches ffmpeg is a plain JPEG we
wrote ourselves, never a stranger's file with whatever a parser bug in a demuxer would take.
A bad image (refused URL, too big, not an image, undecodable) is logged and skipped: the short
falls back to fewer images or the background clip.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

from django.conf import settings
from PIL import Image, UnidentifiedImageError

from wagglebot.lib.safehttp import FetchError, fetch

log = logging.getLogger(__name__)
# Longest side kept: enough for a 1080×1920 frame with pan room, small enough to decode fast.
MAX_SIDE = 2400
MAX_PIXELS = 40_000_000


def images_dir(post_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "posts" / str(post_id) / "images"


def post_images_fetch(post) -> list[Path]:
    """Cached JPEGs of the post's images, in post order, at most RENDER_MAX_IMAGES."""
    folder = images_dir(post.pk)
    paths = []
    for index, url in enumerate(_urls(post.images)):
        if len(paths) >= settings.RENDER_MAX_IMAGES:
            break
        path = folder / f"{index:02d}.jpg"
        if path.exists() or image_fetch(url, path):
            paths.append(path)
    return paths


def _urls(images: list) -> list[str]:
    # Crawlers store plain URLs; accept {"url": ...} items too.
    return [item["url"] if isinstance(item, dict) else str(item) for item in images or [] if item]


def image_fetch(url: str, path: Path) -> bool:
    """Download ``url`` into ``path`` as a re-encoded JPEG; False (logged) when it is unusable."""
    try:
        fetched = fetch(url, max_bytes=settings.IMAGE_FETCH_MAX_BYTES, content_type_prefix="image/")
        image = image_decode(fetched.body)
    except (FetchError, ValueError) as exc:
        log.warning("image skipped: %s: %s", url[:200], exc)
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    image.save(partial, "JPEG", quality=90)
    partial.replace(path)
    return True


def image_decode(data: bytes) -> Image.Image:
    """Decode fully and flatten to RGB; ValueError for anything that is not a sane image."""
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
