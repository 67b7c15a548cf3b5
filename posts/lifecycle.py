"""The post lifecycle, declared once: statuses, failure kinds, moves and the work each implies.

Everything else is derived from the tables below: ``TRANSITIONS`` (what ``Post.transition``
allows), ``post.can(move)`` (what the admin offers), the services that enqueue each move's
follow-up task, and what the sweep repairs (``PENDING``: a status whose follow-up task nobody
claimed). To answer "what happens when a post is approved?" read the ``approve`` line.

    COLLECTED ──approve──▶ APPROVED ──claim_generation──▶ PROCESSING ──mark_rendered──▶ RENDERED
        ▲ │decline   undo_approve│decline                     │fail / release             │schedule_upload
     undo_decline            DECLINED                     FAILED ◀── fail ── UPLOADING ◀─claim_upload
                                                            │retry (to the failure's retry_to)
    UPLOADED ──request_take_down──▶ TAKING_DOWN ──mark_taken_down──▶ TAKEN_DOWN
        └──mark_rejected (the platform rejected or removed the video)──▶ FAILED

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


class Status(models.TextChoices):
    COLLECTED = "COLLECTED", "Collected"
    APPROVED = "APPROVED", "Approved"
    DECLINED = "DECLINED", "Declined"
    PROCESSING = "PROCESSING", "Processing"
    RENDERED = "RENDERED", "Rendered"
    UPLOADING = "UPLOADING", "Uploading"
    UPLOADED = "UPLOADED", "Uploaded"
    FAILED = "FAILED", "Failed"
    TAKING_DOWN = "TAKING_DOWN", "Taking down"
    TAKEN_DOWN = "TAKEN_DOWN", "Taken down"


S = Status


class Phase(models.TextChoices):
    GENERATION = "generation", "Generation"
    UPLOAD = "upload", "Upload"
    TAKE_DOWN = "take_down", "Take-down"

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
    label: str

    @property
    def retry_to(self) -> Status:
        return PHASE_START[self.phase]


class Failure(FailureKind, Enum):
    """Every reason a post can stop or wait. ``code`` is what ``Post.error_code`` stores."""

    SCRIPT_FAILED = "SCRIPT_FAILED", Phase.GENERATION, False, True, "the script writer failed"
    SCRIPT_INVALID = "SCRIPT_INVALID", Phase.GENERATION, True, True, "nothing usable to narrate"
    TTS_FAILED = "TTS_FAILED", Phase.GENERATION, False, True, "speech synthesis failed"
    TTS_INVALID = "TTS_INVALID", Phase.GENERATION, True, True, "nothing speakable"
    RENDER_FAILED = "RENDER_FAILED", Phase.GENERATION, False, True, "the render failed"
    RENDER_INVALID = "RENDER_INVALID", Phase.GENERATION, True, True, "the render cannot run as configured"
    MEDIA_PROBE_FAILED = "MEDIA_PROBE_FAILED", Phase.GENERATION, False, True, "ffprobe could not read the file"
    QC_FAILED = "QC_FAILED", Phase.GENERATION, False, True, "the video failed quality checks"
    GENERATION_CRASHED = "GENERATION_CRASHED", Phase.GENERATION, False, True, "unexpected error in generation"
    LEASE_EXPIRED = "LEASE_EXPIRED", Phase.GENERATION, False, True, "the generation worker's lease expired"
    UPLOAD_RETRY = "UPLOAD_RETRY", Phase.UPLOAD, False, True, "the upload hit a temporary error"
    UPLOAD_FAILED = "UPLOAD_FAILED", Phase.UPLOAD, False, True, "the upload failed"
    UPLOAD_REJECTED = "UPLOAD_REJECTED", Phase.UPLOAD, True, True, "the platform refused the upload"
    QUOTA_WAIT = "QUOTA_WAIT", Phase.UPLOAD, False, False, "waiting for the platform's daily quota"
    # YouTube's per-channel upload limit over a rolling window (uploadLimitExceeded), not the quota day.
    UPLOAD_LIMIT = "UPLOAD_LIMIT", Phase.UPLOAD, False, False, "waiting for the channel's upload limit"
    UPLOAD_AUTH = "UPLOAD_AUTH", Phase.UPLOAD, False, False, "the platform login is missing or revoked"
    UPLOAD_LEASE_EXPIRED = "UPLOAD_LEASE_EXPIRED", Phase.UPLOAD, False, True, "the upload worker's lease expired"
    VIDEO_REMOVED = "VIDEO_REMOVED", Phase.UPLOAD, True, True, "the platform no longer has the video"
    TAKE_DOWN_FAILED = "TAKE_DOWN_FAILED", Phase.TAKE_DOWN, False, True, "the platform delete failed"

    @classmethod
    def of(cls, code: str) -> Failure | None:
        return _BY_CODE.get(code)


_BY_CODE = {kind.code: kind for kind in Failure}


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
        _move("decline", {S.COLLECTED, S.APPROVED}, S.DECLINED),
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
    )
}


def _transitions() -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = {status: set() for status in Status}
    for move in MOVES.values():
        targets = {move.target} if move.target else {kind.retry_to for kind in Failure}
        for source in move.sources:
            table[source] |= targets
    return {status: frozenset(targets) for status, targets in table.items()}


def _pending() -> dict[str, Task]:
    pending: dict[str, Task] = {}
    for move in MOVES.values():
        if move.follow_up:
            assert pending.setdefault(move.target, move.follow_up) is move.follow_up, move.name
    return pending


TRANSITIONS = _transitions()
# A status whose posts wait for a task (and which of them: ``Task.waiting``): the sweep's work.
PENDING: dict[str, Task] = _pending()
# A claimed post returns to where it waited when its worker's lease runs out.
LEASES = {
    S.PROCESSING: ("release_generation", Failure.LEASE_EXPIRED),
    S.UPLOADING: ("release_upload", Failure.UPLOAD_LEASE_EXPIRED),
}


def follow_up(move: Move, status: str) -> Task | None:
    """The task to queue after ``move`` landed the post in ``status``."""
    return move.follow_up or (PENDING.get(status) if move.target is None else None)
