"""Where a post's files live under MEDIA_ROOT, and the staff-only URLs that serve them."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif")


class MediaPathError(Exception):
    """A requested path that is not a regular file inside MEDIA_ROOT."""


def media_resolve(relpath: str) -> Path:
    """The real file behind ``relpath``, refusing anything that leaves MEDIA_ROOT.

    ``resolve()`` follows symlinks and ``..`` before the containment check, so neither a
    ``../`` in the URL nor a symlink planted inside MEDIA_ROOT can reach other files.
    """
    root = Path(settings.MEDIA_ROOT).resolve()
    if not relpath or relpath.startswith(("/", "\\")) or "\x00" in relpath:
        raise MediaPathError(f"not a relative path: {relpath!r}")
    path = (root / relpath).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise MediaPathError(f"not a file inside MEDIA_ROOT: {relpath!r}")
    return path


def media_url(relpath: str) -> str:
    return reverse("media", kwargs={"path": relpath})


def cached_images(post_id: int) -> list[str]:
    """Paths (relative to MEDIA_ROOT) of the post's images the crawler saved, in order."""
    folder = Path(settings.MEDIA_ROOT) / "posts" / str(post_id) / "images"
    try:
        names = sorted(p.name for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    except OSError:
        return []
    return [f"posts/{post_id}/images/{name}" for name in names]


def inbox_thumbnail(post_id: int, first_image: str | None) -> str:
    """The URL of the image the inbox shows for a post, or "".

    Until the crawler caches a thumbnail per post, this is the first image's original URL
    (``first_image``: the first item of ``Post.images``, a URL or a JSON object with ``url``);
    switching to the cached thumbnail is a change to this function only.
    """
    text = (first_image or "").strip()
    if text.startswith("{"):
        try:
            text = str(json.loads(text).get("url", ""))
        except (ValueError, AttributeError):
            return ""
    return text if urlsplit(text).scheme.lower() in ("http", "https") else ""
