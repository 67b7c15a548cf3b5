"""The one entry point for moving a post: make the move and queue its follow-up, together.

Each service applies a move of the lifecycle table inside one transaction and queues the task
the move implies with a robust ``on_commit``: the task is sent only once the move is visible,
and a broker that refuses it breaks nothing — the post is where it should be, and the sweep
queues its task again (``LifecycleQuerySet.unclaimed_work``). The admin, commands, demo, sweep,
slots and tasks call these; nothing else pairs a move with an enqueue. ``lifecycle_move`` and
``lifecycle_requeue`` do the same for any model of a lifecycle table (compilations too).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from posts.lifecycle import Failure, Phase, Task
from posts.models import LifecycleModel, Post
from wagglebot.q import DEFAULT_CLUSTER

log = logging.getLogger(__name__)


def task_enqueue(task: Task, post: LifecycleModel) -> None:
    """Queue ``task`` for ``post`` after the surrounding transaction commits; never raise."""
    from django_q.tasks import async_task

    def send() -> None:
        async_task(task.func, post.pk, cluster=task.cluster)

    transaction.on_commit(send, robust=True)


def lifecycle_move(
    row: LifecycleModel, move: str, *, by=None, reason: str = "", failure: Failure | None = None,
    not_before: datetime | None = None, fresh: bool = False,
) -> None:
    """Apply ``move`` to a post or compilation and queue the task it implies when due now."""
    with transaction.atomic():
        task = row.apply(move, by=by, reason=reason, failure=failure, not_before=not_before, fresh=fresh)
        if task:
            task_enqueue(task, row)


def lifecycle_requeue(row: LifecycleModel, *, now: datetime) -> bool:
    """Queue the task a waiting row implies again (the sweep); False if another sweep did."""
    with transaction.atomic():
        marked = type(row)._default_manager.filter(
            pk=row.pk, status=row.status, queued_at=row.queued_at).update(queued_at=now)
        if marked:
            task_enqueue(row.lifecycle.pending[row.status], row)
    return bool(marked)


def post_move(
    *, post: Post, move: str, by=None, reason: str = "", failure: Failure | None = None,
    not_before: datetime | None = None, fresh: bool = False,
) -> None:
    """Apply ``move`` and queue the task it implies when that task is due now."""
    lifecycle_move(post, move, by=by, reason=reason, failure=failure, not_before=not_before, fresh=fresh)


def post_approve(*, post: Post, by, reason: str = "", undo_seconds: int = 0) -> None:
    """Approve; with ``undo_seconds`` generation is queued only once that undo window passed.

    The window's end is the approval's ``not_before``: the move queues nothing now, a one-off
    schedule queues the post when the window ends (``posts.tasks.queue_due``), and the sweep
    does if that schedule is lost.
    """
    if not undo_seconds:
        post_move(post=post, move="approve", by=by, reason=reason)
        return
    due = timezone.now() + timedelta(seconds=undo_seconds)
    with transaction.atomic():
        post_move(post=post, move="approve", by=by, reason=reason, not_before=due)
        transaction.on_commit(lambda: _queue_at(post.pk, due), robust=True)


def _queue_at(post_id: int, when: datetime) -> None:
    from django_q.models import Schedule

    # A ONCE schedule runs when the cluster's scheduler next looks (every 30 s) after ``when``
    # and is then deleted.
    Schedule.objects.create(
        name=f"posts.queue_due.{post_id}.{when.timestamp():.0f}", func="posts.tasks.queue_due", args=repr(post_id),
        schedule_type=Schedule.ONCE, next_run=when, cluster=DEFAULT_CLUSTER,
    )


def post_undo_approve(*, post: Post, by) -> None:
    """Take an approval back while its undo window lasts: nothing was queued or claimed yet."""
    if post.not_before is None or post.not_before <= timezone.now():
        raise Post.InvalidTransition(f"post {post.pk}: the undo window has passed")
    post_move(post=post, move="undo_approve", by=by, reason="undo")


def post_decline(*, post: Post, by, reason: str = "") -> None:
    post_move(post=post, move="decline", by=by, reason=reason)


def post_reject_short(*, post: Post, by, reason: str) -> None:
    """A person rejects a RENDERED or FAILED post's short: DECLINED, never uploaded.

    A failed take-down is refused: its video may still be public, and only a take-down ends that.
    """
    if not reason.strip():
        raise ValueError("a rejection needs a reason")
    if post.failure and post.failure.phase == Phase.TAKE_DOWN:
        raise Post.InvalidTransition(f"post {post.pk}: a failed take-down is retried, not rejected")
    post_move(post=post, move="reject_short", by=by, reason=reason)


def post_undo_decline(*, post: Post, by) -> None:
    post_move(post=post, move="undo_decline", by=by)


def post_flag_deleted(*, post: Post, reason: str) -> bool:
    """Flag a post its source deleted, and hold it from rendering while it is still COLLECTED or
    APPROVED; True when it was held. A post already in generation or later is only flagged."""
    with transaction.atomic():
        Post.objects.filter(pk=post.pk, deleted_at_source__isnull=True).update(deleted_at_source=timezone.now())
        post.refresh_from_db(fields=["deleted_at_source", "status"])
        if not post.can("hold"):
            return False
        try:
            post_move(post=post, move="hold", reason=reason)
        except Post.InvalidTransition:  # claimed by generation meanwhile: flagged, not held
            return False
    return True


def post_unhold(*, post: Post, by) -> None:
    post_move(post=post, move="unhold", by=by)


def post_retry(*, post: Post, by, reason: str = "") -> None:
    """A person's retry: the failed phase starts again with fresh attempts."""
    post_move(post=post, move="retry", by=by, reason=reason or "retry", fresh=by is not None)


def post_regenerate(*, post: Post, by, reason: str = "") -> None:
    post_move(post=post, move="regenerate", by=by, reason=reason or "regenerate")


def post_schedule_upload(*, post: Post, by=None, reason: str = "") -> None:
    """Ask for the upload of a RENDERED post now (a person, a booked slot, the demo)."""
    post_move(post=post, move="schedule_upload", by=by, reason=reason or "upload requested")


def post_request_take_down(*, post: Post, by, reason: str) -> None:
    if not reason.strip():
        raise ValueError("a take-down needs a reason")
    post_move(post=post, move="request_take_down", by=by, reason=reason)


def post_fail(*, post: Post, failure: Failure, message: str, by=None) -> None:
    post_move(post=post, move="fail", failure=failure, reason=message[:2000], by=by)


def post_reject(*, post: Post, failure: Failure, message: str) -> None:
    """UPLOADED → FAILED: the platform rejected the video in processing or no longer has it."""
    post_move(post=post, move="mark_rejected", failure=failure, reason=message[:2000])


def post_postpone_upload(*, post: Post, failure: Failure, message: str, until: datetime) -> None:
    """UPLOADING → RENDERED until ``until``; the sweep queues the upload once it has passed."""
    post_move(post=post, move="postpone_upload", failure=failure, reason=message, not_before=until)
