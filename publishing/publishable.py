"""What an upload publishes, seen the same way for a post's short and for a compilation.

``publishing.upload`` works on a ``Publishable``: the row that moves through its lifecycle table
(a ``Post`` or a ``generation.Compilation``), the metadata (title, description, tags and the
idempotency key), the video and its thumbnails, and when the video was rendered (a session
opened for an older render is not resumed). One upload path serves both, so a compilation gets
the post's guarantees: resumable, never twice, quota waits, per-platform records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.utils import timezone

from generation.models import Compilation, Short
from posts.models import LifecycleModel, Post
from publishing.metadata import Metadata, compilation_metadata, media_path, metadata_for, thumbnails_for
from publishing.models import PublishSlot
from publishing.uploaders.base import UploadError

# YouTube refuses a publishAt that is (nearly) past; later than this the video goes out at once.
SCHEDULE_MARGIN = timedelta(minutes=15)


@dataclass(frozen=True)
class Publishable:
    row: Post | Compilation
    metadata: Metadata
    video_path: Path
    thumbnails: list[str]  # 9:16 first; a platform may refuse one
    rendered_at: datetime | None

    @property
    def render_stamp(self) -> str:
        return self.rendered_at.isoformat() if self.rendered_at else ""


def publishable_for(row: LifecycleModel) -> Publishable:
    """The row's video and metadata; a row with no rendered video is a permanent upload error."""
    if isinstance(row, Compilation):
        if not row.video_path:
            raise UploadError("the compilation has no rendered video", permanent=True)
        return Publishable(row, compilation_metadata(row), media_path(row.video_path), thumbnails_for(row),
                           row.rendered_at)
    short = Short.objects.filter(post=row).first()
    if short is None or not short.video_path:
        raise UploadError("the post has no rendered video", permanent=True)
    return Publishable(row, metadata_for(row, publish_at=scheduled_at(row)), media_path(short.video_path),
                       thumbnails_for(short), short.rendered_at)


def thumbnails_of(row: LifecycleModel) -> list[str]:
    """The thumbnails to (re)try for a published row; none when its media is gone."""
    if isinstance(row, Compilation):
        return thumbnails_for(row)
    short = Short.objects.filter(post=row).first()
    return thumbnails_for(short) if short else []


def owner(row: LifecycleModel) -> dict:
    """The ``Upload`` field naming this row: ``{"post": post}`` or ``{"compilation": compilation}``."""
    return {row._meta.model_name: row}


def scheduled_at(post: Post, *, now: datetime | None = None) -> datetime | None:
    """The booked slot's time when it is still far enough ahead to schedule the video."""
    if not isinstance(post, Post):
        return None  # slots are booked for posts only
    slot = PublishSlot.objects.filter(post=post).first()
    now = now or timezone.now()
    return slot.at if slot and slot.is_ahead(now + SCHEDULE_MARGIN) else None
