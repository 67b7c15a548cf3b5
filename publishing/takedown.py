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

from posts.lifecycle import Failure, Status
from posts.models import Post
from posts.services import post_fail, post_move
from publishing.uploaders import get_uploader

log = logging.getLogger(__name__)


def post_take_down(post: Post) -> bool:
    """Delete the video on the platform and the local media, then move the post to TAKEN_DOWN.

    The platform delete comes first: if it fails (quota, network) the post fails with
    TAKE_DOWN_FAILED and is retried, instead of a TAKEN_DOWN post whose video is still public.
    Safe to run twice: deleting what is gone is a no-op, and the last move is guarded.
    """
    if post.status != Status.TAKING_DOWN:
        log.info("take-down of post %s skipped: it is %s", post.pk, post.status)
        return False
    content = post.output
    try:
        if content.platform_id:
            get_uploader(content.upload_meta.get("uploader")).delete(content.platform_id)
    except Exception as exc:
        log.warning("take-down of post %s failed: %s", post.pk, exc)
        post_fail(post=post, failure=Failure.TAKE_DOWN_FAILED, message=f"{type(exc).__name__}: {exc}")
        return False
    media_delete(post)
    post_move(post=post, move="mark_taken_down", reason="deleted on the platform")
    return True


def media_delete(post: Post) -> None:
    """Remove ``MEDIA_ROOT/posts/<id>/`` and forget the paths; platform id and URL stay for history."""
    shutil.rmtree(Path(settings.MEDIA_ROOT) / "posts" / str(post.pk), ignore_errors=True)
    content = post.output
    content.audio_path = content.video_path = content.thumbnail_path = ""
    content.upload_meta = {**content.upload_meta, "taken_down_at": timezone.now().isoformat()}
    content.save(update_fields=["audio_path", "video_path", "thumbnail_path", "upload_meta", "updated_at"])
