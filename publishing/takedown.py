"""``post_take_down`` and ``compilation_take_down``: remove a video everywhere (an author
asked), keeping its history.

A person asks with ``request_take_down`` (UPLOADED → TAKING_DOWN, reason in the history); these
run as that move's follow-up task. Both go through ``take_down``, which works on any row of a
lifecycle table with upload records.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from generation.models import Compilation, Short
from posts.lifecycle import Failure, Status
from posts.models import LifecycleModel, Post
from posts.services import lifecycle_move
from publishing.uploaders import get_uploader
from publishing.uploaders.base import ManualTakeDown

log = logging.getLogger(__name__)


def post_take_down(post: Post) -> bool:
    return take_down(post, media_delete)


def compilation_take_down(compilation: Compilation) -> bool:
    return take_down(compilation, compilation_media_delete)


def take_down(row: LifecycleModel, delete_media) -> bool:
    """Delete the video on each platform and the local media, then move the row to TAKEN_DOWN.

    The platform delete comes first: if it fails (quota, network) the row fails with
    TAKE_DOWN_FAILED and is retried, instead of a TAKEN_DOWN row whose video is still public.
    A platform without a delete API (TikTok) cannot be done here: its record keeps no
    ``taken_down_at``, and the record and the row's history tell a person to delete it in the app.
    Safe to run twice: deleting what is gone is a no-op, and the last move is guarded.
    """
    name = f"{row._meta.model_name} {row.pk}"
    if row.status != Status.TAKING_DOWN:
        log.info("take-down of %s skipped: it is %s", name, row.status)
        return False
    by_hand = []
    for upload in row.uploads.filter(taken_down_at__isnull=True).exclude(video_id=""):
        try:
            get_uploader(upload.platform).delete(upload.video_id)
        except ManualTakeDown as exc:
            # No delete API (TikTok): the record stays without taken_down_at and says what to do.
            upload.error = exc.message[:500]
            upload.save(update_fields=["error", "updated_at"])
            by_hand.append(exc.message)
            continue
        except Exception as exc:
            log.warning("take-down of %s on %s failed: %s", name, upload.platform, exc)
            lifecycle_move(row, "fail", failure=Failure.TAKE_DOWN_FAILED,
                           reason=f"{upload.platform}: {type(exc).__name__}: {exc}"[:2000])
            return False
        upload.taken_down_at = timezone.now()
        upload.save(update_fields=["taken_down_at", "updated_at"])
    delete_media(row)
    reason = "; ".join(["deleted on the platform", *(f"TO DO BY HAND: {step}" for step in by_hand)])
    lifecycle_move(row, "mark_taken_down", reason=reason)
    return True


def media_delete(post: Post) -> None:
    """Remove ``MEDIA_ROOT/posts/<id>/`` and forget the paths; the upload records stay for history."""
    shutil.rmtree(Path(settings.MEDIA_ROOT) / "posts" / str(post.pk), ignore_errors=True)
    Short.objects.filter(post=post).update(audio_path="", video_path="", thumbnail_path="", updated_at=timezone.now())


def compilation_media_delete(compilation: Compilation) -> None:
    """Remove ``MEDIA_ROOT/compilations/<id>/`` and forget the paths, as for a post."""
    shutil.rmtree(Path(settings.MEDIA_ROOT) / "compilations" / str(compilation.pk), ignore_errors=True)
    Compilation.objects.filter(pk=compilation.pk).update(
        audio_path="", video_path="", thumbnail_path="", tall_thumbnail_path="", updated_at=timezone.now())
