"""The post lifecycle, declared once: statuses, failure kinds, moves and the work each implies.

Everything else is derived from the tables below: ``TRANSITIONS`` (what ``Post.transition``
allows), ``post.can(move)`` (what the admin offers), the services that enqueue each move's
follow-up task, and what the sweep repairs (``PENDING``: a status whose follow-up task nobody
claimed). To answer "what happens when a post is approved?" read the ``approve`` line.

    COLLECTED ──approve──▶ APPROVED ──claim_generation──▶ PROCESSING ──mark_rendered──▶ RENDERED
        ▲ │decline   undo_approve│decline                     │fail / release             │schedule_upload
     undo_decline            DECLINED                     FAILED ◀── fail ── UPLOADING ◀─claim_upload
                                 ▲ reject_short (a person, with a reason) from RENDERED or FAILED
                                                            │retry (to the failure's retry_to)
    UPLOADED ──request_take_down──▶ TAKING_DOWN ──mark_taken_down──▶ TAKEN_DOWN
        └──mark_rejected (the platform rejected or removed the video)──▶ FAILED
    COLLECTED / APPROVED ──hold (deleted at the source)──▶ HELD ──unhold──▶ COLLECTED
                                                            └──decline──▶ DECLINED

A compilation (``generation.Compilation``, a ranked TOP-N of posts) has its own table,
``COMPILATION_MOVES``, with the same phases, failure kinds, claims and leases:

    DRAFT ──approve──▶ APPROVED ──claim_generation──▶ PROCESSING ──mark_rendered──▶ RENDERED ─▶ …
      ▲ │reject          │reject                                   (upload and take-down as posts)
    reopen            REJECTED

Both models share one guarded ``transition()`` (``posts.models.LifecycleModel``) through
``Lifecycle``, the derived tables of one move table.

Attempts are counted per phase (``generation_attempts``, ``upload_attempts``,
``take_down_attempts``): a claim adds one unless the failure the post waits after says it does
not count (a quota day, a missing login).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class InvalidTransition(Exception):
    """A move the table forbids, or one another worker made first."""


class Status(models.TextChoices):
    COLLECTED = "COLLECTED", _("Collected")
    APPROVED = "APPROVED", _("Approved")
    DECLINED = "DECLINED", _("Declined")
    PROCESSING = "PROCESSING", _("Processing")
    RENDERED = "RENDERED", _("Rendered")
    UPLOADING = "UPLOADING", _("Uploading")
    UPLOADED = "UPLOADED", _("Uploaded")
    FAILED = "FAILED", _("Failed")
    TAKING_DOWN = "TAKING_DOWN", _("Taking down")
    TAKEN_DOWN = "TAKEN_DOWN", _("Taken down")
    HELD = "HELD", _("Held")


S = Status


class CompilationStatus(models.TextChoices):
    # The values a compilation shares with posts are spelled alike, so a failure kind's retry_to
    # (a post status) names the same place in either table.
    DRAFT = "DRAFT", _("Draft")
    APPROVED = "APPROVED", _("Approved")
    REJECTED = "REJECTED", _("Rejected")
    PROCESSING = "PROCESSING", _("Processing")
    RENDERED = "RENDERED", _("Rendered")
    UPLOADING = "UPLOADING", _("Uploading")
    UPLOADED = "UPLOADED", _("Uploaded")
    FAILED = "FAILED", _("Failed")
    TAKING_DOWN = "TAKING_DOWN", _("Taking down")
    TAKEN_DOWN = "TAKEN_DOWN", _("Taken down")


C = CompilationStatus


class Phase(models.TextChoices):
    GENERATION = "generation", _("Generation")
    UPLOAD = "upload", _("Upload")
    TAKE_DOWN = "take_down", _("Take-down")

    @property
    def attempts_field(self) -> str:
        return f"{self.value}_attempts"


# Where a retry of each phase starts again, and where a claimed post waits when its lease ends.
PHASE_START = {Phase.GENERATION: S.APPROVED, Phase.UPLOAD: S.RENDERED, Phase.TAKE_DOWN: S.TAKING_DOWN}


@dataclass(frozen=True)
class FailureKind:
    code: str
    phase: Phase
    permanent: bool
    attempt: bool  # does the claim after this failure count as another attempt?
    # English, as history rows store it (StatusChange.reason); show it through gettext(label).
    label: str
    # Waits for a person, not for time: the sweep never retries it; the person's act does.
    awaits_person: bool = False

    @property
    def retry_to(self) -> Status:
        return PHASE_START[self.phase]


class Failure(FailureKind, Enum):
    """Every reason a post can stop or wait. ``code`` is what ``Post.error_code`` stores."""

    SCRIPT_FAILED = "SCRIPT_FAILED", Phase.GENERATION, False, True, gettext_noop("the script writer failed")
    SCRIPT_INVALID = "SCRIPT_INVALID", Phase.GENERATION, True, True, gettext_noop("nothing usable to narrate")
    TTS_FAILED = "TTS_FAILED", Phase.GENERATION, False, True, gettext_noop("speech synthesis failed")
    TTS_INVALID = "TTS_INVALID", Phase.GENERATION, True, True, gettext_noop("nothing speakable")
    RENDER_FAILED = "RENDER_FAILED", Phase.GENERATION, False, True, gettext_noop("the render failed")
    RENDER_INVALID = "RENDER_INVALID", Phase.GENERATION, True, True, gettext_noop("the render cannot run as configured")
    # Not the post's fault: its retries wait for space without using up its attempts.
    DISK_FULL = "DISK_FULL", Phase.GENERATION, False, False, gettext_noop("the disk is full")
    MEDIA_PROBE_FAILED = (
        "MEDIA_PROBE_FAILED", Phase.GENERATION, False, True, gettext_noop("ffprobe could not read the file")
    )
    QC_FAILED = "QC_FAILED", Phase.GENERATION, False, True, gettext_noop("the video failed quality checks")
    # Speech-to-text of a post's clip (generation/stt.py): the audio ffmpeg extracts for recognition,
    # then the engines. A clip without an audio stream fails the same way every time.
    AUDIO_EXTRACT_FAILED = (
        "AUDIO_EXTRACT_FAILED", Phase.GENERATION, False, True, gettext_noop("audio extraction failed")
    )
    AUDIO_INVALID = "AUDIO_INVALID", Phase.GENERATION, True, True, gettext_noop("the clip has no audio to recognise")
    STT_TIMEOUT = "STT_TIMEOUT", Phase.GENERATION, False, True, gettext_noop("speech-to-text timed out")
    STT_BAD_RESPONSE = (
        "STT_BAD_RESPONSE", Phase.GENERATION, False, True, gettext_noop("speech-to-text gave no usable transcript")
    )
    # A low-confidence transcript (every Vosk one) is narrated only once a person confirms it on the
    # post page; confirming it retries the generation (generation.services.transcripts_confirm).
    # Not permanent (the post is fine) and not counted as an attempt, but never retried by the sweep.
    TRANSCRIPT_UNCONFIRMED = (
        "TRANSCRIPT_UNCONFIRMED", Phase.GENERATION, False, False,
        gettext_noop("waiting for a person to confirm the clip's transcript"), True,
    )
    GENERATION_CRASHED = (
        "GENERATION_CRASHED", Phase.GENERATION, False, True, gettext_noop("unexpected error in generation")
    )
    LEASE_EXPIRED = (
        "LEASE_EXPIRED", Phase.GENERATION, False, True, gettext_noop("the generation worker's lease expired")
    )
    UPLOAD_RETRY = "UPLOAD_RETRY", Phase.UPLOAD, False, True, gettext_noop("the upload hit a temporary error")
    UPLOAD_FAILED = "UPLOAD_FAILED", Phase.UPLOAD, False, True, gettext_noop("the upload failed")
    UPLOAD_REJECTED = "UPLOAD_REJECTED", Phase.UPLOAD, True, True, gettext_noop("the platform refused the upload")
    QUOTA_WAIT = "QUOTA_WAIT", Phase.UPLOAD, False, False, gettext_noop("waiting for the platform's daily quota")
    # YouTube's per-channel upload limit over a rolling window (uploadLimitExceeded), not the quota day.
    UPLOAD_LIMIT = "UPLOAD_LIMIT", Phase.UPLOAD, False, False, gettext_noop("waiting for the channel's upload limit")
    UPLOAD_AUTH = "UPLOAD_AUTH", Phase.UPLOAD, False, False, gettext_noop("the platform login is missing or revoked")
    UPLOAD_LEASE_EXPIRED = (
        "UPLOAD_LEASE_EXPIRED", Phase.UPLOAD, False, True, gettext_noop("the upload worker's lease expired")
    )
    VIDEO_REMOVED = "VIDEO_REMOVED", Phase.UPLOAD, True, True, gettext_noop("the platform no longer has the video")
    TAKE_DOWN_FAILED = "TAKE_DOWN_FAILED", Phase.TAKE_DOWN, False, True, gettext_noop("the platform delete failed")

    @classmethod
    def of(cls, code: str) -> Failure | None:
        return _BY_CODE.get(code)


_BY_CODE = {kind.code: kind for kind in Failure}


@dataclass(frozen=True)
class ServiceFailureKind:
    code: str
    permanent: bool  # would the same request fail the same way again?
    label: str  # English, as logs and rows store it; show it through gettext(label)


class WebhookFailure(ServiceFailureKind, Enum):
    """Why a webhook delivery failed (``hooks.Delivery.error_code``, the STAGE_FAILED line's error_code).

    A delivery never moves a post, so these kinds have no phase and are not ``Failure`` members
    (``Lifecycle`` derives retry targets from every ``Failure``); they share its vocabulary so a
    failure is named one way in the stage logs, the console and the hooks admin.
    """

    WEBHOOK_TIMEOUT = "WEBHOOK_TIMEOUT", False, gettext_noop("the webhook receiver did not answer in time")
    WEBHOOK_UNREACHABLE = "WEBHOOK_UNREACHABLE", False, gettext_noop("the webhook receiver could not be reached")
    # 5xx and 429: the receiver is there but cannot take the event now.
    WEBHOOK_SERVER_ERROR = (
        "WEBHOOK_SERVER_ERROR", False, gettext_noop("the webhook receiver answered with a temporary error")
    )
    WEBHOOK_REFUSED = "WEBHOOK_REFUSED", True, gettext_noop("the webhook receiver refused the event")
    WEBHOOK_GONE = "WEBHOOK_GONE", True, gettext_noop("the webhook receiver is gone (410)")
    WEBHOOK_BLOCKED = "WEBHOOK_BLOCKED", True, gettext_noop("the webhook address is not public")
    WEBHOOK_INACTIVE = "WEBHOOK_INACTIVE", True, gettext_noop("the webhook endpoint is inactive")

    @classmethod
    def of(cls, code: str) -> WebhookFailure | None:
        return next((kind for kind in cls if kind.code == code), None)

    @classmethod
    def for_answer(cls, status: int) -> WebhookFailure | None:
        """The kind a receiver's HTTP answer means; None for a 2xx."""
        if 200 <= status < 300:
            return None
        if status == 410:
            return cls.WEBHOOK_GONE
        if status == 429 or status >= 500:
            return cls.WEBHOOK_SERVER_ERROR
        return cls.WEBHOOK_REFUSED


@dataclass(frozen=True)
class Task:
    """A follow-up task: its dotted path, cluster, and which posts of its status wait for it."""

    func: str
    cluster: str
    waiting: Q = field(default_factory=Q)


GENERATE = Task("generation.tasks.generate", "gpu")
# A RENDERED post waits for an upload only once one was asked for (a person, a slot, a retry);
# otherwise it waits for a person's decision and no task is pending.
UPLOAD = Task("publishing.tasks.upload", "default", Q(not_before__isnull=False))
TAKE_DOWN = Task("publishing.tasks.take_down", "default")

# Field effects: functions of (post, now) returning the columns a move sets besides status.
Effects = Callable[["object", object], dict]


def _none(post, now) -> dict:
    return {}


def _claim(phase: Phase) -> Effects:
    def effects(post, now) -> dict:
        failure = Failure.of(post.error_code)
        counted = 0 if failure and not failure.attempt else 1
        return {"claimed_at": now, phase.attempts_field: F(phase.attempts_field) + counted}

    return effects


def _reset(*phases: Phase, **extra) -> Effects:
    def effects(post, now) -> dict:
        return {**{phase.attempts_field: 0 for phase in phases}, **extra}

    return effects


def _unclaim(post, now) -> dict:
    return {"claimed_at": None}


def _upload_now(post, now) -> dict:
    return {"not_before": now}


def _release(post, now) -> dict:
    return {"claimed_at": None, "not_before": now}


def _retry(post, now) -> dict:
    # A retried upload goes again at once; not_before marks a RENDERED post as waiting for one.
    failure = Failure.of(post.error_code)
    return {"not_before": now} if failure and failure.retry_to == S.RENDERED else {}


@dataclass(frozen=True)
class Move:
    name: str
    sources: frozenset[Status]
    target: Status | None  # None: the failure kind's retry_to (retry)
    effects: Effects = _none
    follow_up: Task | None = None  # retry: the task its target waits for (PENDING)
    failure: bool = False  # the move records a failure kind on the post (error fields)

    def target_for(self, post) -> Status:
        if self.target is not None:
            return self.target
        failure = Failure.of(post.error_code)
        return failure.retry_to if failure else S.APPROVED


def _move(name, sources, target, **kwargs) -> Move:
    return Move(name, frozenset(sources), target, **kwargs)


MOVES: dict[str, Move] = {
    move.name: move
    for move in (
        _move("approve", {S.COLLECTED}, S.APPROVED, effects=_reset(Phase.GENERATION), follow_up=GENERATE),
        _move("decline", {S.COLLECTED, S.APPROVED, S.HELD}, S.DECLINED),
        # A person rejects the short itself (rendered, or failed on its way): never uploaded. Not
        # mark_rejected, which is the platform's verdict on an uploaded video.
        _move("reject_short", {S.RENDERED, S.FAILED}, S.DECLINED),
        _move("undo_decline", {S.DECLINED}, S.COLLECTED),
        # A person's undo within the undo window: the service allows it only while the approval's
        # not_before (the window's end) has not passed, so no generation was queued or claimed.
        _move("undo_approve", {S.APPROVED}, S.COLLECTED),
        _move("claim_generation", {S.APPROVED}, S.PROCESSING, effects=_claim(Phase.GENERATION)),
        _move("mark_rendered", {S.PROCESSING}, S.RENDERED, effects=_reset(Phase.UPLOAD, claimed_at=None)),
        _move("regenerate", {S.RENDERED}, S.APPROVED, effects=_reset(Phase.GENERATION), follow_up=GENERATE),
        _move("schedule_upload", {S.RENDERED}, S.RENDERED, effects=_upload_now, follow_up=UPLOAD),
        _move("claim_upload", {S.RENDERED}, S.UPLOADING, effects=_claim(Phase.UPLOAD)),
        _move("mark_uploaded", {S.UPLOADING}, S.UPLOADED, effects=_unclaim),
        # The platform rejected the video in processing, or removed it later (seen by the stats refresh).
        _move("mark_rejected", {S.UPLOADED}, S.FAILED, failure=True),
        # UPLOADING → RENDERED after a retryable error or a quota wait; not_before says when.
        _move("postpone_upload", {S.UPLOADING}, S.RENDERED, effects=_unclaim, follow_up=UPLOAD, failure=True),
        _move("fail", {S.PROCESSING, S.UPLOADING, S.TAKING_DOWN}, S.FAILED, effects=_unclaim, failure=True),
        _move("release_generation", {S.PROCESSING}, S.APPROVED, effects=_unclaim, follow_up=GENERATE, failure=True),
        _move("release_upload", {S.UPLOADING}, S.RENDERED, effects=_release, follow_up=UPLOAD, failure=True),
        # A person's retry grants the phase fresh attempts (the service passes fresh=True).
        _move("retry", {S.FAILED}, None, effects=_retry),
        _move("request_take_down", {S.UPLOADED}, S.TAKING_DOWN, effects=_reset(Phase.TAKE_DOWN),
              follow_up=TAKE_DOWN),
        _move("mark_taken_down", {S.TAKING_DOWN}, S.TAKEN_DOWN),
        # The source deleted the post before it was rendered: no generation claims a HELD post.
        # Only a person brings it back (a false alarm), to the inbox, to be approved again.
        _move("hold", {S.COLLECTED, S.APPROVED}, S.HELD),
        _move("unhold", {S.HELD}, S.COLLECTED),
    )
}


COMPILE = Task("generation.tasks.compile", "gpu")
UPLOAD_COMPILATION = Task("publishing.tasks.upload_compilation", "default", Q(not_before__isnull=False))
TAKE_DOWN_COMPILATION = Task("publishing.tasks.take_down_compilation", "default")

# A compilation moves as a post does once approved; before that a person drafts and orders it.
COMPILATION_MOVES: dict[str, Move] = {
    move.name: move
    for move in (
        _move("approve", {C.DRAFT}, C.APPROVED, effects=_reset(Phase.GENERATION), follow_up=COMPILE),
        _move("reject", {C.DRAFT, C.APPROVED}, C.REJECTED),
        _move("reopen", {C.REJECTED}, C.DRAFT),
        _move("claim_generation", {C.APPROVED}, C.PROCESSING, effects=_claim(Phase.GENERATION)),
        _move("mark_rendered", {C.PROCESSING}, C.RENDERED, effects=_reset(Phase.UPLOAD, claimed_at=None)),
        _move("regenerate", {C.RENDERED}, C.APPROVED, effects=_reset(Phase.GENERATION), follow_up=COMPILE),
        _move("schedule_upload", {C.RENDERED}, C.RENDERED, effects=_upload_now, follow_up=UPLOAD_COMPILATION),
        _move("claim_upload", {C.RENDERED}, C.UPLOADING, effects=_claim(Phase.UPLOAD)),
        _move("mark_uploaded", {C.UPLOADING}, C.UPLOADED, effects=_unclaim),
        _move("mark_rejected", {C.UPLOADED}, C.FAILED, failure=True),
        _move("postpone_upload", {C.UPLOADING}, C.RENDERED, effects=_unclaim, follow_up=UPLOAD_COMPILATION,
              failure=True),
        _move("fail", {C.PROCESSING, C.UPLOADING, C.TAKING_DOWN}, C.FAILED, effects=_unclaim, failure=True),
        _move("release_generation", {C.PROCESSING}, C.APPROVED, effects=_unclaim, follow_up=COMPILE, failure=True),
        _move("release_upload", {C.UPLOADING}, C.RENDERED, effects=_release, follow_up=UPLOAD_COMPILATION,
              failure=True),
        _move("retry", {C.FAILED}, None, effects=_retry),
        _move("request_take_down", {C.UPLOADED}, C.TAKING_DOWN, effects=_reset(Phase.TAKE_DOWN),
              follow_up=TAKE_DOWN_COMPILATION),
        _move("mark_taken_down", {C.TAKING_DOWN}, C.TAKEN_DOWN),
    )
}


class Lifecycle:
    """One move table and what is derived from it: the transitions, the statuses waiting for a
    task (``pending``: the sweep's work) and where a claimed row returns when its lease ends."""

    def __init__(self, statuses: type[models.TextChoices], moves: dict[str, Move]) -> None:
        self.statuses, self.moves = statuses, moves
        table: dict[str, set[str]] = {status: set() for status in statuses}
        pending: dict[str, Task] = {}
        for move in moves.values():
            targets = {move.target} if move.target else {kind.retry_to for kind in Failure}
            for source in move.sources:
                table[source] |= targets
            if move.follow_up:
                assert pending.setdefault(move.target, move.follow_up) is move.follow_up, move.name
        self.transitions = {status: frozenset(targets) for status, targets in table.items()}
        self.pending = pending
        # A claimed row returns to where it waited when its worker's lease runs out.
        self.leases = {
            S.PROCESSING: ("release_generation", Failure.LEASE_EXPIRED),
            S.UPLOADING: ("release_upload", Failure.UPLOAD_LEASE_EXPIRED),
        }

    def follow_up(self, move: Move, status: str) -> Task | None:
        """The task to queue after ``move`` landed the row in ``status``."""
        return move.follow_up or (self.pending.get(status) if move.target is None else None)


POST_LIFECYCLE = Lifecycle(Status, MOVES)
COMPILATION_LIFECYCLE = Lifecycle(CompilationStatus, COMPILATION_MOVES)
TRANSITIONS = POST_LIFECYCLE.transitions
# A status whose posts wait for a task (and which of them: ``Task.waiting``): the sweep's work.
PENDING: dict[str, Task] = POST_LIFECYCLE.pending
LEASES = POST_LIFECYCLE.leases
follow_up = POST_LIFECYCLE.follow_up
