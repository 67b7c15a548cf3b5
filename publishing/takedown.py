"""``post_take_down``: remove an uploaded post everywhere (an author asked), keeping its history."""

from __future__ import annotations

import shutil
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from posts.models import Post, Status
from publishing.uploaders import get_uploader


def post_take_down(post: Post, *, by, reason: str) -> None:
    """Delete the video on the platform and the local media, then move the post to TAKEN_DOWN.

    The platform delete comes first: if it fails (quota, network) the post stays UPLOADED and
    the take-down can be repeated, instead of a TAKEN_DOWN post whose video is still public.
    """
    if post.status != Status.UPLOADED:
        raise Post.InvalidTransition(f"post {post.pk} is {post.status}, only UPLOADED posts are taken down")
    if not reason.strip():
        raise ValueError("a take-down needs a reason")
    content = post.output
    if content.platform_id:
        get_uploader(content.upload_meta.get("uploader")).delete(content.platform_id)
    media_delete(post)
    post.take_down(by=by, reason=reason)


def media_delete(post: Post) -> None:
    """Remove ``MEDIA_ROOT/posts/<id>/`` and forget the paths; platform id and URL stay for history."""
    shutil.rmtree(Path(settings.MEDIA_ROOT) / "posts" / str(post.pk), ignore_errors=True)
    content = post.output
    content.audio_path = content.video_path = content.thumbnail_path = ""
    content.upload_meta = {**content.upload_meta, "taken_down_at": timezone.now().isoformat()}
    content.save(update_fields=["audio_path", "video_path", "thumbnail_path", "upload_meta", "updated_at"])
