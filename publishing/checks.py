"""System checks for the publishing settings: a typo is reported before the first upload."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register

PRIVACY = {"private", "unlisted", "public"}
CHUNK_UNIT = 256 * 1024  # YouTube accepts resumable chunks in multiples of 256 KiB


@register()
def check_publishing(app_configs=None, **kwargs) -> list[Error]:
    from publishing.slots import _clock
    from publishing.uploaders import UPLOADERS

    errors = []
    if settings.UPLOADER not in UPLOADERS:
        errors.append(Error(f"UPLOADER {settings.UPLOADER!r} is unknown.", hint=f"Use one of {', '.join(UPLOADERS)}.",
                            id="publishing.E001"))
    if settings.YOUTUBE_PRIVACY_STATUS not in PRIVACY:
        errors.append(Error(f"YOUTUBE_PRIVACY_STATUS {settings.YOUTUBE_PRIVACY_STATUS!r} is not one of "
                            f"{', '.join(sorted(PRIVACY))}.", id="publishing.E002"))
    if settings.YOUTUBE_CHUNK_BYTES <= 0 or settings.YOUTUBE_CHUNK_BYTES % CHUNK_UNIT:
        errors.append(Error("YOUTUBE_CHUNK_BYTES must be a positive multiple of 262144 (256 KiB).",
                            id="publishing.E003"))
    try:
        [_clock(text) for text in settings.PUBLISH_SLOTS]
    except ValueError:
        errors.append(Error(f"PUBLISH_SLOTS {settings.PUBLISH_SLOTS!r} must be HH:MM times, comma separated.",
                            id="publishing.E004"))
    return errors
