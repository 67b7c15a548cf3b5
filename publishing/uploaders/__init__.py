"""Uploader registry: one explicit dict; PUBLISH_PLATFORMS (else UPLOADER) says which publish."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext

from publishing.uploaders.base import Uploader

UPLOADERS: dict[str, str] = {
    "local": "publishing.uploaders.local.LocalUploader",
    "youtube": "publishing.uploaders.youtube.YouTubeUploader",
    "tiktok": "publishing.uploaders.tiktok.TikTokUploader",
}


def publish_platforms() -> list[str]:
    """The platforms every post goes to: PUBLISH_PLATFORMS, else the one UPLOADER."""
    return list(settings.PUBLISH_PLATFORMS) or [settings.UPLOADER]


def get_uploader(name: str | None = None) -> Uploader:
    name = name or settings.UPLOADER
    if name not in UPLOADERS:
        raise ValueError(f"unknown uploader {name!r}; choose one of {', '.join(UPLOADERS)}")
    return import_string(UPLOADERS[name])()


def upload_problem() -> str:
    """Why the configured platforms cannot upload now ("" when they can); no network."""
    problems = [problem for name in publish_platforms() if (problem := get_uploader(name).problem())]
    return "; ".join(problems)


def upload_problem_notice(user) -> str:
    """The inbox's warning: the server detail (a path, a command) only for a superuser."""
    problem = upload_problem()
    if not problem:
        return ""
    if user.is_superuser:
        return gettext("Uploads cannot run: %(problem)s") % {"problem": problem}
    return gettext(
        "Uploads cannot run: the platform login is missing or unusable. Ask an administrator to log in again."
    )
