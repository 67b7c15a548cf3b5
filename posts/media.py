"""Where a post's files live under MEDIA_ROOT, and the staff-only URLs that serve them."""

from __future__ import annotations

from pathlib import Path

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

