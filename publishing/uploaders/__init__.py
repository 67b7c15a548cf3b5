"""Uploader registry: one explicit dict, chosen by the UPLOADER setting."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from publishing.uploaders.base import Uploader

UPLOADERS: dict[str, str] = {
    "local": "publishing.uploaders.local.LocalUploader",
    "youtube": "publishing.uploaders.youtube.YouTubeUploader",
}


def get_uploader(name: str | None = None) -> Uploader:
    name = name or settings.UPLOADER
    if name not in UPLOADERS:
        raise ValueError(f"unknown uploader {name!r}; choose one of {', '.join(UPLOADERS)}")
    return import_string(UPLOADERS[name])()


def upload_problem_notice() -> str:
    """The inbox's warning for publishers; no network: a missing token or client secret."""
    problem = get_uploader().problem()
    return f"Uploads cannot run: {problem}" if problem else ""
