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


def upload_problem() -> str:
    """Why the configured uploader cannot work now ("" when it can); no network."""
    return get_uploader().problem()


def upload_problem_notice(user) -> str:
    """The inbox's warning: the server detail (a path, a command) only for a superuser."""
    problem = upload_problem()
    if not problem:
        return ""
    if user.is_superuser:
        return f"Uploads cannot run: {problem}"
    return "Uploads cannot run: the platform login is missing or unusable. Ask an administrator to log in again."
