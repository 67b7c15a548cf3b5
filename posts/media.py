"""Where a post's files live under MEDIA_ROOT, and the staff-only URLs that serve them."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse


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


def inbox_thumbnail(cached: str | None, first_image: str | None) -> str:
    """The URL of the image the inbox shows for a post, or "".

    The crawl's cached thumbnail (``cached``, relative to MEDIA_ROOT) when there is one; before
    the crawl cached it, the first image's original URL (``first_image``: the first item of
    ``Post.images``, a URL or a JSON object with ``url``).
    """
    if cached:
        return media_url(cached)
    text = (first_image or "").strip()
    if text.startswith("{"):
        try:
            text = str(json.loads(text).get("url", ""))
        except (ValueError, AttributeError):
            return ""
    return text if urlsplit(text).scheme.lower() in ("http", "https") else ""
