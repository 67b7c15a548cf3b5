"""``post_upload``: claim a RENDERED post, publish it once per platform, record each result.

Never twice: the claim is a guarded transition, the upload resumes a session an earlier worker
opened, and before a fresh upload after any earlier attempt the uploader is asked for a video
carrying the post's key. Never lost for quota: the post waits in RENDERED until the reset.

Each platform (``PUBLISH_PLATFORMS``) has its own ``Upload`` record and state. The post is
UPLOADED once every requested platform is; a platform that fails permanently fails the post
(a person's retry then uploads only where the video is missing), one that waits sends the post
back to RENDERED until the earliest wait is over. A failure on one platform never touches the
video already up on another.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from generation.models import Short
from posts.lifecycle import Failure, Phase, Status
from posts.models import Post
from posts.services import post_fail, post_move, post_postpone_upload
from publishing.metadata import media_path, metadata_for, thumbnails_for
from publishing.models import PublishSlot, Upload
from publishing.quota import QuotaExhausted
from publishing.uploaders import get_uploader, publish_platforms
from publishing.uploaders.base import AuthError, Checkpoint, Progress, Uploader, UploadError, UploadLimited
from wagglebot.lib.stages import stage

log = logging.getLogger(__name__)
AUTH_RETRY = timedelta(hours=1)
# uploadLimitExceeded names no end to its rolling window: wait an hour, doubling while it lasts.
UPLOAD_LIMIT_WAIT = timedelta(hours=1)
UPLOAD_LIMIT_WAIT_MAX = timedelta(hours=24)
# What the platform made of a video that means it will never be watched.
REFUSED = frozenset({"rejected", "failed", "deleted"})
# Processing is over (or the platform reports none): the thumbnail can go up. YouTube's Shorts
# take a custom thumbnail only on a processed video.
FINISHED = frozenset({"processed", ""})
# YouTube refuses a publishAt that is (nearly) past; later than this the video goes out at once.
SCHEDULE_MARGIN = timedelta(minutes=15)


@dataclass(frozen=True)
class Outcome:
    """How one platform's attempt ended: uploaded (no failure), waiting until a time, or failed."""

    platform: str
    failure: Failure | None = None
    message: str = ""
    until: datetime | None = None

    @property
    def state(self) -> str:
        if self.failure is None:
            return Upload.State.UPLOADED
        return Upload.State.WAITING if self.until else Upload.State.FAILED


def post_upload(
    post: Post, *, uploader: Uploader | None = None, uploaders: list[Uploader] | None = None,
    progress: Progress | None = None,
) -> bool:
    """Upload one RENDERED post to each requested platform; True when it ended UPLOADED.

    A platform whose record is already UPLOADED is skipped, so a retry after a failure on one
    platform uploads only where it is missing. A post not RENDERED is left alone.
    """
    uploaders = [uploader] if uploader else uploaders or [get_uploader(name) for name in publish_platforms()]
    try:
        post_move(post=post, move="claim_upload")
    except Post.InvalidTransition as exc:
        log.info("upload of post %s skipped: %s", post.pk, exc)
        return False
    outcomes = [
        platform_upload(post, each, progress) for each in uploaders
        if upload_for(post, each.name).state != Upload.State.UPLOADED
    ]
    return post_settle(post, outcomes, named=len(uploaders) > 1)


def platform_upload(post: Post, uploader: Uploader, progress: Progress | None) -> Outcome:
    """One platform's attempt, its result and state kept on its own ``Upload`` record."""
    upload_mark(post, Outcome(uploader.name), state=Upload.State.UPLOADING)
    try:
        with stage("upload", post_id=post.pk, uploader=uploader.name):
            result = _publish(post, uploader, progress)
    except QuotaExhausted as exc:
        outcome = Outcome(uploader.name, Failure.QUOTA_WAIT, f"waiting for quota until {_local(exc.until)}", exc.until)
    except AuthError as exc:
        outcome = Outcome(uploader.name, Failure.UPLOAD_AUTH, exc.message, timezone.now() + AUTH_RETRY)
    except UploadLimited as exc:
        wait = limit_wait(post)
        until = timezone.now() + wait
        message = f"{exc.message}: waiting {wait} (doubling while it lasts), until {_local(until)}"
        outcome = Outcome(uploader.name, Failure.UPLOAD_LIMIT, message, until)
    except UploadError as exc:
        outcome = error_outcome(post, uploader.name, exc)
    except Exception as exc:  # a bug or an unforeseen error must not leave the post UPLOADING
        log.exception("upload of post %s to %s crashed", post.pk, uploader.name)
        outcome = error_outcome(post, uploader.name, UploadError(f"{type(exc).__name__}: {exc}"))
    else:
        outcome = upload_record(post, uploader, result)
    if outcome.failure:
        upload_mark(post, outcome)
    return outcome


def post_settle(post: Post, outcomes: list[Outcome], *, named: bool = False) -> bool:
    """Move the post once every platform had its try: failed, waiting (earliest first) or uploaded."""
    failures = [each for each in outcomes if each.failure]
    message = "; ".join(f"{each.platform}: {each.message}" if named else each.message for each in failures)
    failed = [each for each in failures if each.until is None]
    waiting = sorted((each for each in failures if each.until), key=lambda each: each.until)
    try:
        if failed:
            post_fail(post=post, failure=failed[0].failure, message=message)
        elif waiting:
            post_postpone_upload(post=post, failure=waiting[0].failure, message=message, until=waiting[0].until)
        else:
            post_move(post=post, move="mark_uploaded")
            return True
    except Post.InvalidTransition as exc:
        # The lease ran out and the sweep moved the post; the records keep what each platform did.
        log.warning("post %s not moved after its upload: %s", post.pk, exc)
    return False


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


def upload_record(post: Post, uploader: Uploader, result: dict) -> Outcome:
    """Record the video; one the platform already refused is a failure with its reason.

    The thumbnail goes up only once processing has finished (``FINISHED``); until then the stats
    refresh, which follows processing, sets it.
    """
    upload = upload_for(post, uploader.name)  # fresh: the checkpoint saved through another instance
    upload.video_id, upload.url = result["platform_id"], result["url"]
    upload.uploaded_at = timezone.now()
    upload.publish_at = scheduled_at(post)
    upload.processing_status = result.get("processing", "")
    upload.processing_reason = result.get("reason", "")
    upload.session = {**upload.session, "attempted": True, "video_id": result["platform_id"]}
    refused = upload.processing_status in REFUSED
    thumbnail_set = not refused and thumbnail_place(uploader, upload, post.short)
    upload.thumbnail_set_at = timezone.now() if thumbnail_set else None
    upload.state = Upload.State.FAILED if refused else Upload.State.UPLOADED
    upload.error = refusal(upload) if refused else ""
    upload.save()
    return Outcome(uploader.name, Failure.UPLOAD_REJECTED, refusal(upload)) if refused else Outcome(uploader.name)


def thumbnail_place(uploader: Uploader, upload: Upload, short: Short) -> bool:
    """Set the 9:16 thumbnail, else the 16:9 one, once the platform finished processing the video."""
    if upload.processing_status not in FINISHED:
        return False
    return any(uploader.thumbnail_set(upload.video_id, path) for path in thumbnails_for(short))


def upload_mark(post: Post, outcome: Outcome, *, state: str = "") -> None:
    upload = upload_for(post, outcome.platform)
    upload.state, upload.error = state or outcome.state, outcome.message[:500]
    upload.save(update_fields=["state", "error", "updated_at"])


def refusal(upload: Upload) -> str:
    reason = f" ({upload.processing_reason})" if upload.processing_reason else ""
    return f"{upload.platform} {upload.processing_status} video {upload.video_id}{reason}"


def limit_wait(post: Post) -> timedelta:
    """The pause before trying again under the upload limit: doubled by each wait just before."""
    recent = post.history.filter(old=Status.UPLOADING).values_list("error_code", flat=True)[:8]
    streak = next((n for n, code in enumerate(recent) if code != Failure.UPLOAD_LIMIT.code), len(recent))
    return min(UPLOAD_LIMIT_WAIT * 2**streak, UPLOAD_LIMIT_WAIT_MAX)


def error_outcome(post: Post, platform: str, exc: UploadError) -> Outcome:
    """Permanent errors fail; retryable ones wait a growing pause until the post's tries run out."""
    tries = post.attempts(Phase.UPLOAD)
    if exc.permanent:
        return Outcome(platform, Failure.UPLOAD_REJECTED, exc.message)
    if tries >= settings.POST_MAX_ATTEMPTS:
        return Outcome(platform, Failure.UPLOAD_FAILED, exc.message)
    until = timezone.now() + timedelta(seconds=settings.POST_RETRY_BACKOFF_SECONDS * 2 ** (tries - 1))
    return Outcome(platform, Failure.UPLOAD_RETRY, f"{exc.message} (retry {tries} at {_local(until)})", until)


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z")
