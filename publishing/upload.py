"""``post_upload``: claim a RENDERED post, publish it once, record the result or why it waits.

Never twice: the claim is a guarded transition, the upload resumes a session an earlier worker
opened, and before a fresh upload after any earlier attempt the uploader is asked for a video
carrying the post's key. Never lost for quota: the post waits in RENDERED until the reset.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from generation.models import Short
from posts.lifecycle import Failure, Phase, Status
from posts.models import Post
from posts.services import post_fail, post_move, post_postpone_upload
from publishing.metadata import media_path, metadata_for, thumbnail_for
from publishing.models import PublishSlot, Upload
from publishing.quota import QuotaExhausted
from publishing.uploaders import get_uploader
from publishing.uploaders.base import AuthError, Checkpoint, Progress, Uploader, UploadError, UploadLimited
from wagglebot.lib.stages import stage

log = logging.getLogger(__name__)
AUTH_RETRY = timedelta(hours=1)
# uploadLimitExceeded names no end to its rolling window: wait an hour, doubling while it lasts.
UPLOAD_LIMIT_WAIT = timedelta(hours=1)
UPLOAD_LIMIT_WAIT_MAX = timedelta(hours=24)
# What the platform made of a video that means it will never be watched.
REFUSED = frozenset({"rejected", "failed", "deleted"})
# YouTube refuses a publishAt that is (nearly) past; later than this the video goes out at once.
SCHEDULE_MARGIN = timedelta(minutes=15)


def post_upload(post: Post, *, uploader: Uploader | None = None, progress: Progress | None = None) -> bool:
    """Upload one RENDERED post; True when it ended UPLOADED. A post not RENDERED is left alone."""
    uploader = uploader or get_uploader()
    try:
        post_move(post=post, move="claim_upload")
    except Post.InvalidTransition as exc:
        log.info("upload of post %s skipped: %s", post.pk, exc)
        return False
    try:
        with stage("upload", post_id=post.pk, uploader=uploader.name):
            result = _publish(post, uploader, progress)
    except QuotaExhausted as exc:
        post_postpone_upload(
            post=post, failure=Failure.QUOTA_WAIT, message=f"waiting for quota until {_local(exc.until)}",
            until=exc.until,
        )
        return False
    except AuthError as exc:
        post_postpone_upload(
            post=post, failure=Failure.UPLOAD_AUTH, message=exc.message, until=timezone.now() + AUTH_RETRY
        )
        return False
    except UploadLimited as exc:
        wait = limit_wait(post)
        until = timezone.now() + wait
        message = f"{exc.message}: waiting {wait} (doubling while it lasts), until {_local(until)}"
        post_postpone_upload(post=post, failure=Failure.UPLOAD_LIMIT, message=message, until=until)
        return False
    except UploadError as exc:
        upload_failed(post, exc)
        return False
    except Exception as exc:  # a bug or an unforeseen error must not leave the post UPLOADING
        log.exception("upload of post %s crashed", post.pk)
        upload_failed(post, UploadError(f"{type(exc).__name__}: {exc}"))
        return False
    # Every path sets the thumbnail: a fresh upload and a video found again after a lost answer.
    refused = result.get("processing") in REFUSED
    thumbnail_set = not refused and uploader.thumbnail_set(result["platform_id"], thumbnail_for(post.short))
    return upload_record(post, uploader.name, result, thumbnail_set=thumbnail_set)


def _publish(post: Post, uploader: Uploader, progress: Progress | None) -> dict:
    short = _short(post)
    metadata = metadata_for(post, publish_at=scheduled_at(post))
    checkpoint = upload_checkpoint(upload_for(post, uploader.name), short)
    if checkpoint.state.get("attempted"):
        # An earlier worker got this far: it may have finished the upload and died before
        # recording it, or its session may have expired since. A few quota units buy certainty.
        found = _known_video(uploader, checkpoint) or uploader.find(metadata.key)
        if found:
            log.info("post %s was already uploaded as %s, recording it", post.pk, found["platform_id"])
            return found
    checkpoint.update(attempted=True, render=_render_stamp(short))
    return uploader.upload(media_path(short.video_path), metadata, checkpoint=checkpoint, progress=progress)


def _known_video(uploader: Uploader, checkpoint: Checkpoint) -> dict | None:
    """The video an earlier worker finished and saved the id of before it died."""
    video_id = checkpoint.state.get("video_id")
    return uploader.lookup(video_id) if video_id else None


def _short(post: Post) -> Short:
    short = Short.objects.filter(post=post).first()
    if short is None or not short.video_path:
        raise UploadError("the post has no rendered video", permanent=True)
    return short


def _render_stamp(short: Short) -> str:
    return short.rendered_at.isoformat() if short.rendered_at else ""


def upload_for(post: Post, platform: str) -> Upload:
    upload, _ = Upload.objects.get_or_create(post=post, platform=platform)
    return upload


def upload_checkpoint(upload: Upload, short: Short) -> Checkpoint:
    """Resumable state kept on ``Upload.session``, saved at every change.

    A session opened for an earlier render of the post is not resumed: a new render is a new file.
    """

    def save(state: dict) -> None:
        upload.session = state
        upload.save(update_fields=["session", "updated_at"])

    session = upload.session if upload.session.get("render", "") == _render_stamp(short) else {}
    return Checkpoint(dict(session), save)


def scheduled_at(post: Post, *, now: datetime | None = None) -> datetime | None:
    """The booked slot's time when it is still far enough ahead to schedule the video."""
    slot = PublishSlot.objects.filter(post=post).first()
    now = now or timezone.now()
    return slot.at if slot and slot.is_ahead(now + SCHEDULE_MARGIN) else None


def upload_record(post: Post, uploader_name: str, result: dict, *, thumbnail_set: bool = False) -> bool:
    """Record the video; one the platform already refused fails the post with its reason."""
    upload = upload_for(post, uploader_name)  # fresh: the checkpoint saved through another instance
    upload.video_id, upload.url = result["platform_id"], result["url"]
    upload.uploaded_at = timezone.now()
    upload.publish_at = scheduled_at(post)
    upload.processing_status = result.get("processing", "")
    upload.processing_reason = result.get("reason", "")
    upload.thumbnail_set_at = timezone.now() if thumbnail_set else None
    upload.session = {**upload.session, "attempted": True, "video_id": result["platform_id"]}
    refused = upload.processing_status in REFUSED
    try:
        with transaction.atomic():
            upload.save()
            if refused:
                post_fail(post=post, failure=Failure.UPLOAD_REJECTED, message=refusal(upload))
            else:
                post_move(post=post, move="mark_uploaded")
    except Post.InvalidTransition as exc:
        # The lease ran out and the sweep moved the post; the next attempt finds the video by key.
        log.warning("post %s uploaded as %s but not recorded: %s", post.pk, result["platform_id"], exc)
        return False
    return not refused


def refusal(upload: Upload) -> str:
    reason = f" ({upload.processing_reason})" if upload.processing_reason else ""
    return f"{upload.platform} {upload.processing_status} video {upload.video_id}{reason}"


def limit_wait(post: Post) -> timedelta:
    """The pause before trying again under the upload limit: doubled by each wait just before."""
    recent = post.history.filter(old=Status.UPLOADING).values_list("error_code", flat=True)[:8]
    streak = next((n for n, code in enumerate(recent) if code != Failure.UPLOAD_LIMIT.code), len(recent))
    return min(UPLOAD_LIMIT_WAIT * 2**streak, UPLOAD_LIMIT_WAIT_MAX)


def upload_failed(post: Post, exc: UploadError) -> None:
    """Permanent errors fail the post; retryable ones wait a growing pause until the tries run out."""
    tries = post.attempts(Phase.UPLOAD)
    if exc.permanent:
        post_fail(post=post, failure=Failure.UPLOAD_REJECTED, message=exc.message)
        return
    if tries >= settings.POST_MAX_ATTEMPTS:
        post_fail(post=post, failure=Failure.UPLOAD_FAILED, message=exc.message)
        return
    until = timezone.now() + timedelta(seconds=settings.POST_RETRY_BACKOFF_SECONDS * 2 ** (tries - 1))
    message = f"{exc.message} (retry {tries} at {_local(until)})"
    post_postpone_upload(post=post, failure=Failure.UPLOAD_RETRY, message=message, until=until)


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z")
