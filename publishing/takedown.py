"""``post_take_down``: remove a post's video everywhere (an author asked), keeping its history.

A person asks with ``post_request_take_down`` (UPLOADED → TAKING_DOWN, reason in the history);
this runs as that move's follow-up task.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from generation.models import Short
from posts.lifecycle import Failure, Status
from posts.models import Post
from posts.services import post_fail, post_move
from publishing.uploaders import get_uploader
from publishing.uploaders.base import ManualTakeDown

log = logging.getLogger(__name__)


def post_take_down(post: Post) -> bool:
    """Delete the video on the platform and the local media, then move the post to TAKEN_DOWN.

    The platform delete comes first: if it fails (quota, network) the post fails with
    TAKE_DOWN_FAILED and is retried, instead of a TAKEN_DOWN post whose video is still public.
    A platform without a delete API (TikTok) cannot be done here: its record keeps no
    ``taken_down_at``, and the record and the post's history tell a person to delete it in the app.
    Safe to run twice: deleting what is gone is a no-op, and the last move is guarded.
    """
    if post.status != Status.TAKING_DOWN:
        log.info("take-down of post %s skipped: it is %s", post.pk, post.status)
        return False
    by_hand = []
    for upload in post.uploads.filter(taken_down_at__isnull=True).exclude(video_id=""):
        try:
            get_uploader(upload.platform).delete(upload.video_id)
        except ManualTakeDown as exc:
            # No delete API (TikTok): the record stays without taken_down_at and says what to do.
            upload.error = exc.message[:500]
            upload.save(update_fields=["error", "updated_at"])
            by_hand.append(exc.message)
            continue
        except Exception as exc:
            log.warning("take-down of post %s on %s failed: %s", post.pk, upload.platform, exc)
            post_fail(post=post, failure=Failure.TAKE_DOWN_FAILED,
                      message=f"{upload.platform}: {type(exc).__name__}: {exc}")
            return False
        upload.taken_down_at = timezone.now()
        upload.save(update_fields=["taken_down_at", "updated_at"])
    media_delete(post)
    reason = "; ".join(["deleted on the platform", *(f"TO DO BY HAND: {step}" for step in by_hand)])
    post_move(post=post, move="mark_taken_down", reason=reason)
    return True


def media_delete(post: Post) -> None:
    """Remove ``MEDIA_ROOT/posts/<id>/`` and forget the paths; the upload records stay for history."""
    shutil.rmtree(Path(settings.MEDIA_ROOT) / "posts" / str(post.pk), ignore_errors=True)
    Short.objects.filter(post=post).update(audio_path="", video_path="", thumbnail_path="", updated_at=timezone.now())
