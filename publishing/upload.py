"""``post_upload`` and ``compilation_upload``: claim a RENDERED row, publish it once per
platform, record each result.

Both go through ``publishable_upload`` with a ``Publishable`` (``publishing.publishable``): a
post's short or a compilation, each moving through its own lifecycle table by the same moves.

Never twice: the claim is a guarded transition, the upload resumes a session an earlier worker
opened, and before a fresh upload after any earlier attempt the uploader is asked for a video
carrying the row's key. Never lost for quota: the row waits in RENDERED until the reset.

Each platform (``PUBLISH_PLATFORMS``) has its own ``Upload`` record and state. The row is
UPLOADED once every requested platform is; a platform that fails permanently fails the row
(a person's retry then uploads only where the video is missing), one that waits sends the row
back to RENDERED until the earliest wait is over. A failure on one platform never touches the
video already up on another.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from generation.models import Compilation
from posts.lifecycle import Failure, InvalidTransition, Phase, Status
from posts.models import LifecycleModel, Post
from posts.services import lifecycle_move
from publishing.models import Upload
from publishing.publishable import Publishable, owner, publishable_for
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
    """Upload one RENDERED post to each requested platform; True when it ended UPLOADED."""
    return publishable_upload(post, uploaders=[uploader] if uploader else uploaders, progress=progress)


def compilation_upload(compilation: Compilation, *, uploaders: list[Uploader] | None = None) -> bool:
    """Upload one RENDERED compilation, as a post is uploaded; True when it ended UPLOADED."""
    return publishable_upload(compilation, uploaders=uploaders)


def publishable_upload(
    row: LifecycleModel, *, uploaders: list[Uploader] | None = None, progress: Progress | None = None,
) -> bool:
    """Claim ``row`` (a post or a compilation) and upload it to each requested platform.

    A platform whose record is already UPLOADED is skipped, so a retry after a failure on one
    platform uploads only where it is missing. A row not RENDERED is left alone.
    """
    uploaders = uploaders or [get_uploader(name) for name in publish_platforms()]
    try:
        lifecycle_move(row, "claim_upload")
    except InvalidTransition as exc:
        log.info("upload of %s skipped: %s", _name(row), exc)
        return False
    outcomes = [
        platform_upload(row, each, progress) for each in uploaders
        if upload_for(row, each.name).state != Upload.State.UPLOADED
    ]
    return upload_settle(row, outcomes, named=len(uploaders) > 1)


def platform_upload(row: LifecycleModel, uploader: Uploader, progress: Progress | None) -> Outcome:
    """One platform's attempt, its result and state kept on its own ``Upload`` record."""
    upload_mark(row, Outcome(uploader.name), state=Upload.State.UPLOADING)
    try:
        with stage("upload", uploader=uploader.name, **{f"{row._meta.model_name}_id": row.pk}):
            item = publishable_for(row)
            result = _publish(item, uploader, progress)
    except QuotaExhausted as exc:
        outcome = Outcome(uploader.name, Failure.QUOTA_WAIT, f"waiting for quota until {_local(exc.until)}", exc.until)
    except AuthError as exc:
        outcome = Outcome(uploader.name, Failure.UPLOAD_AUTH, exc.message, timezone.now() + AUTH_RETRY)
    except UploadLimited as exc:
        wait = limit_wait(row)
        until = timezone.now() + wait
        message = f"{exc.message}: waiting {wait} (doubling while it lasts), until {_local(until)}"
        outcome = Outcome(uploader.name, Failure.UPLOAD_LIMIT, message, until)
    except UploadError as exc:
        outcome = error_outcome(row, uploader.name, exc)
    except Exception as exc:  # a bug or an unforeseen error must not leave the row UPLOADING
        log.exception("upload of %s to %s crashed", _name(row), uploader.name)
        outcome = error_outcome(row, uploader.name, UploadError(f"{type(exc).__name__}: {exc}"))
    else:
        outcome = upload_record(item, uploader, result)
    if outcome.failure:
        upload_mark(row, outcome)
    return outcome


def upload_settle(row: LifecycleModel, outcomes: list[Outcome], *, named: bool = False) -> bool:
    """Move the row once every platform had its try: failed, waiting (earliest first) or uploaded."""
    failures = [each for each in outcomes if each.failure]
    message = "; ".join(f"{each.platform}: {each.message}" if named else each.message for each in failures)
    failed = [each for each in failures if each.until is None]
    waiting = sorted((each for each in failures if each.until), key=lambda each: each.until)
    try:
        if failed:
            lifecycle_move(row, "fail", failure=failed[0].failure, reason=message[:2000])
        elif waiting:
            lifecycle_move(row, "postpone_upload", failure=waiting[0].failure, reason=message,
                           not_before=waiting[0].until)
        else:
            lifecycle_move(row, "mark_uploaded")
            return True
    except InvalidTransition as exc:
        # The lease ran out and the sweep moved the row; the records keep what each platform did.
        log.warning("%s not moved after its upload: %s", _name(row), exc)
    return False


def _publish(item: Publishable, uploader: Uploader, progress: Progress | None) -> dict:
    checkpoint = upload_checkpoint(upload_for(item.row, uploader.name), item)
    if checkpoint.state.get("attempted"):
        # An earlier worker got this far: it may have finished the upload and died before
        # recording it, or its session may have expired since. A few quota units buy certainty.
        found = _known_video(uploader, checkpoint) or uploader.find(item.metadata.key)
        if found:
            log.info("%s was already uploaded as %s, recording it", _name(item.row), found["platform_id"])
            return found
    checkpoint.update(attempted=True, render=_render_stamp(item))
    return uploader.upload(item.video_path, item.metadata, checkpoint=checkpoint, progress=progress)


def _known_video(uploader: Uploader, checkpoint: Checkpoint) -> dict | None:
    """The video an earlier worker finished and saved the id of before it died."""
    video_id = checkpoint.state.get("video_id")
    return uploader.lookup(video_id) if video_id else None


def _render_stamp(rendered) -> str:
    return rendered.rendered_at.isoformat() if rendered.rendered_at else ""


def _name(row: LifecycleModel) -> str:
    return f"{row._meta.model_name} {row.pk}"


def upload_for(row: LifecycleModel, platform: str) -> Upload:
    upload, _ = Upload.objects.get_or_create(**owner(row), platform=platform)
    return upload


def upload_checkpoint(upload: Upload, rendered) -> Checkpoint:
    """Resumable state kept on ``Upload.session``, saved at every change.

    A session opened for an earlier render (``rendered.rendered_at``: of the Short, compilation
    or publishable) is not resumed: a new render is a new file.
    """

    def save(state: dict) -> None:
        upload.session = state
        upload.save(update_fields=["session", "updated_at"])

    session = upload.session if upload.session.get("render", "") == _render_stamp(rendered) else {}
    return Checkpoint(dict(session), save)


def upload_record(item: Publishable, uploader: Uploader, result: dict) -> Outcome:
    """Record the video; one the platform already refused is a failure with its reason.

    The thumbnail goes up only once processing has finished (``FINISHED``); until then the stats
    refresh, which follows processing, sets it.
    """
    upload = upload_for(item.row, uploader.name)  # fresh: the checkpoint saved through another instance
    upload.video_id, upload.url = result["platform_id"], result["url"]
    upload.uploaded_at = timezone.now()
    upload.publish_at = item.metadata.publish_at
    upload.processing_status = result.get("processing", "")
    upload.processing_reason = result.get("reason", "")
    upload.session = {**upload.session, "attempted": True, "video_id": result["platform_id"]}
    refused = upload.processing_status in REFUSED
    thumbnail_set = not refused and thumbnail_place(uploader, upload, item.thumbnails)
    upload.thumbnail_set_at = timezone.now() if thumbnail_set else None
    upload.state = Upload.State.FAILED if refused else Upload.State.UPLOADED
    upload.error = refusal(upload) if refused else ""
    upload.save()
    return Outcome(uploader.name, Failure.UPLOAD_REJECTED, refusal(upload)) if refused else Outcome(uploader.name)


def thumbnail_place(uploader: Uploader, upload: Upload, thumbnails: list[str]) -> bool:
    """Set the 9:16 thumbnail, else the 16:9 one, once the platform finished processing the video."""
    if upload.processing_status not in FINISHED:
        return False
    return any(uploader.thumbnail_set(upload.video_id, path) for path in thumbnails)


def upload_mark(row: LifecycleModel, outcome: Outcome, *, state: str = "") -> None:
    upload = upload_for(row, outcome.platform)
    upload.state, upload.error = state or outcome.state, outcome.message[:500]
    upload.save(update_fields=["state", "error", "updated_at"])


def refusal(upload: Upload) -> str:
    reason = f" ({upload.processing_reason})" if upload.processing_reason else ""
    return f"{upload.platform} {upload.processing_status} video {upload.video_id}{reason}"


def limit_wait(row: LifecycleModel) -> timedelta:
    """The pause before trying again under the upload limit: doubled by each wait just before."""
    recent = row.history.filter(old=Status.UPLOADING).values_list("error_code", flat=True)[:8]
    streak = next((n for n, code in enumerate(recent) if code != Failure.UPLOAD_LIMIT.code), len(recent))
    return min(UPLOAD_LIMIT_WAIT * 2**streak, UPLOAD_LIMIT_WAIT_MAX)


def error_outcome(row: LifecycleModel, platform: str, exc: UploadError) -> Outcome:
    """Permanent errors fail; retryable ones wait a growing pause until the row's tries run out."""
    tries = row.attempts(Phase.UPLOAD)
    if exc.permanent:
        return Outcome(platform, Failure.UPLOAD_REJECTED, exc.message)
    if tries >= settings.POST_MAX_ATTEMPTS:
        return Outcome(platform, Failure.UPLOAD_FAILED, exc.message)
    until = timezone.now() + timedelta(seconds=settings.POST_RETRY_BACKOFF_SECONDS * 2 ** (tries - 1))
    return Outcome(platform, Failure.UPLOAD_RETRY, f"{exc.message} (retry {tries} at {_local(until)})", until)


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z")
