"""Platform counters of uploaded videos, pulled periodically and summed for the status page.

Each refresh also checks what the platform made of the videos: a video rejected or failed in
processing, or no longer there, fails its post or compilation with the reason
(``mark_rejected``), and a thumbnail that did not go up with the video is set again.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from posts.lifecycle import Failure, InvalidTransition
from posts.models import Status
from posts.services import lifecycle_move
from publishing.models import Upload
from publishing.publishable import thumbnails_of
from publishing.quota import QuotaExhausted
from publishing.upload import REFUSED, refusal, thumbnail_place
from publishing.uploaders import get_uploader
from publishing.uploaders.base import Uploader, UploadError

log = logging.getLogger(__name__)


def stats_refresh(*, now: datetime | None = None) -> int:
    """Fetch views, likes and comments of every uploaded video; returns how many were updated."""
    now = now or timezone.now()
    by_platform: dict[str, list[Upload]] = defaultdict(list)
    published = Q(post__status=Status.UPLOADED) | Q(compilation__status=Status.UPLOADED)
    uploads = Upload.objects.filter(published, taken_down_at__isnull=True).exclude(video_id="")
    for upload in uploads.select_related("post", "compilation"):
        by_platform[upload.platform].append(upload)
    return sum(_refresh(name, items, now) for name, items in by_platform.items())


def _refresh(platform: str, uploads: list[Upload], now: datetime) -> int:
    uploader = get_uploader(platform)
    if not uploader.counters:
        uploads = [upload for upload in uploads if upload.processing_status == "uploaded"]
        if not uploads:
            return 0
    try:
        numbers = uploader.stats([upload.video_id for upload in uploads])
    except (QuotaExhausted, UploadError) as exc:
        log.warning("stats of %s uploads not refreshed: %s", platform, exc)
        return 0
    updated = 0
    for upload in uploads:
        if upload.video_id in numbers:
            stats_save(upload, numbers[upload.video_id], now)
            updated += 1
        elif uploader.lists_videos:
            processing_save(upload, {"processing": "removed", "reason": ""})
            continue
        if upload.thumbnail_set_at is None:
            thumbnail_retry(upload, uploader, now)
    return updated


def stats_save(upload: Upload, numbers: dict, now: datetime) -> None:
    for key in ("views", "likes", "comments"):  # a platform without counters sends none of them
        setattr(upload, key, numbers.get(key, getattr(upload, key)))
    upload.stats_fetched_at = now
    upload.save(update_fields=["views", "likes", "comments", "stats_fetched_at", "updated_at"])
    if "processing" in numbers:
        processing_save(upload, numbers)


def processing_save(upload: Upload, found: dict) -> None:
    """Record what the platform made of the video; a refused or removed one fails its post."""
    status, reason = found["processing"], found.get("reason", "")
    if (status, reason) == (upload.processing_status, upload.processing_reason):
        return
    upload.processing_status, upload.processing_reason = status, reason
    upload.save(update_fields=["processing_status", "processing_reason", "updated_at"])
    if status not in REFUSED | {"removed"}:
        return
    failure = Failure.VIDEO_REMOVED if status == "removed" else Failure.UPLOAD_REJECTED
    try:
        lifecycle_move(upload.owner, "mark_rejected", failure=failure, reason=refusal(upload)[:2000])
    except InvalidTransition as exc:  # taken down or moved meanwhile: the record says enough
        log.info("%s not marked %s: %s", upload.owner, status, exc)


def thumbnail_retry(upload: Upload, uploader: Uploader, now: datetime) -> None:
    """Set the thumbnail once processing has finished, or again after it failed at upload (an
    unverified channel, a quota day, an outage)."""
    if thumbnail_place(uploader, upload, thumbnails_of(upload.owner)):
        upload.thumbnail_set_at = now
        upload.save(update_fields=["thumbnail_set_at", "updated_at"])


def totals() -> dict:
    """``{"videos", "views", "likes", "comments", "fetched_at"}`` over posts still UPLOADED."""
    sums = Upload.objects.filter(post__status=Status.UPLOADED, stats_fetched_at__isnull=False).aggregate(
        videos=Count("pk"), views=Sum("views"), likes=Sum("likes"), comments=Sum("comments"),
        fetched_at=Max("stats_fetched_at"),
    )
    return {key: (value if value is not None or key == "fetched_at" else 0) for key, value in sums.items()}
