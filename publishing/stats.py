"""Platform counters of uploaded videos: pulled periodically, summed for the status page."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Max, Sum
from django.utils import timezone

from posts.models import Content, Status
from publishing.models import VideoStats
from publishing.quota import QuotaExhausted
from publishing.uploaders import get_uploader
from publishing.uploaders.base import UploadError

log = logging.getLogger(__name__)


def stats_refresh(*, now: datetime | None = None) -> int:
    """Fetch views, likes and comments of every uploaded video; returns how many were updated."""
    now = now or timezone.now()
    by_uploader: dict[str, list[Content]] = defaultdict(list)
    contents = Content.objects.filter(post__status=Status.UPLOADED).exclude(platform_id="")
    for content in contents:
        by_uploader[content.upload_meta.get("uploader", settings.UPLOADER)].append(content)
    return sum(_refresh(name, items, now) for name, items in by_uploader.items())


def _refresh(uploader_name: str, contents: list[Content], now: datetime) -> int:
    try:
        numbers = get_uploader(uploader_name).stats([c.platform_id for c in contents])
    except (QuotaExhausted, UploadError) as exc:
        log.warning("stats of %s uploads not refreshed: %s", uploader_name, exc)
        return 0
    updated = 0
    for content in contents:
        if content.platform_id in numbers:
            stats_save(content, numbers[content.platform_id], now)
            updated += 1
    return updated


def stats_save(content: Content, numbers: dict, now: datetime) -> None:
    VideoStats.objects.update_or_create(
        post_id=content.post_id, defaults={"platform_id": content.platform_id, "fetched_at": now, **numbers}
    )
    content.upload_meta = {**content.upload_meta, "stats": {**numbers, "fetched_at": now.isoformat()}}
    content.save(update_fields=["upload_meta", "updated_at"])


def totals() -> dict:
    """``{"videos", "views", "likes", "comments", "fetched_at"}`` over posts still UPLOADED."""
    sums = VideoStats.objects.filter(post__status=Status.UPLOADED).aggregate(
        videos=Count("pk"), views=Sum("views"), likes=Sum("likes"), comments=Sum("comments"),
        fetched_at=Max("fetched_at"),
    )
    return {key: (value if value is not None or key == "fetched_at" else 0) for key, value in sums.items()}
