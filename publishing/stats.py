"""Platform counters of uploaded videos: pulled periodically, summed for the status page."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime

from django.db.models import Count, Max, Sum
from django.utils import timezone

from posts.models import Status
from publishing.models import Upload
from publishing.quota import QuotaExhausted
from publishing.uploaders import get_uploader
from publishing.uploaders.base import UploadError

log = logging.getLogger(__name__)


def stats_refresh(*, now: datetime | None = None) -> int:
    """Fetch views, likes and comments of every uploaded video; returns how many were updated."""
    now = now or timezone.now()
    by_platform: dict[str, list[Upload]] = defaultdict(list)
    for upload in Upload.objects.filter(post__status=Status.UPLOADED, taken_down_at__isnull=True).exclude(video_id=""):
        by_platform[upload.platform].append(upload)
    return sum(_refresh(name, items, now) for name, items in by_platform.items())


def _refresh(platform: str, uploads: list[Upload], now: datetime) -> int:
    try:
        numbers = get_uploader(platform).stats([upload.video_id for upload in uploads])
    except (QuotaExhausted, UploadError) as exc:
        log.warning("stats of %s uploads not refreshed: %s", platform, exc)
        return 0
    updated = 0
    for upload in uploads:
        if upload.video_id in numbers:
            stats_save(upload, numbers[upload.video_id], now)
            updated += 1
    return updated


def stats_save(upload: Upload, numbers: dict, now: datetime) -> None:
    for key in ("views", "likes", "comments"):
        setattr(upload, key, numbers.get(key, 0))
    upload.stats_fetched_at = now
    upload.save(update_fields=["views", "likes", "comments", "stats_fetched_at", "updated_at"])


def totals() -> dict:
    """``{"videos", "views", "likes", "comments", "fetched_at"}`` over posts still UPLOADED."""
    sums = Upload.objects.filter(post__status=Status.UPLOADED, stats_fetched_at__isnull=False).aggregate(
        videos=Count("pk"), views=Sum("views"), likes=Sum("likes"), comments=Sum("comments"),
        fetched_at=Max("stats_fetched_at"),
    )
    return {key: (value if value is not None or key == "fetched_at" else 0) for key, value in sums.items()}
