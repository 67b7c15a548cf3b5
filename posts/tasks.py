"""Periodic work on posts (default cluster): the sweep that repairs what workers left behind."""

from __future__ import annotations

import logging
from collections import Counter

from django.apps import apps
from django.conf import settings
from django.utils import timezone

from posts.lifecycle import InvalidTransition
from posts.models import LifecycleModel, Post
from posts.services import lifecycle_move, lifecycle_requeue

log = logging.getLogger(__name__)


def sweep() -> dict[str, int]:
    """Return rows whose worker died, retry failures with tries left, queue lost or due work.

    The database is the record of work, the queue only a hint: any post (or compilation: every
    model of a lifecycle table, found in the app registry since posts imports no later app)
    whose status implies a task nobody took (a broker that refused the enqueue, a quota wait that
    ended) is queued again. Safe to run twice at once: every move is guarded, and a requeue is a
    conditional update, so a row another sweep (or its worker) moved first is skipped.
    """
    now = timezone.now()
    counts = Counter({"released": 0, "failed": 0, "retried": 0, "requeued": 0, "skipped": 0})
    for model in apps.get_models():
        if issubclass(model, LifecycleModel):
            counts.update(_sweep_model(model, now))
    log.info("sweep %s", dict(counts))
    return dict(counts)


def _sweep_model(model: type[LifecycleModel], now) -> Counter:
    counts: Counter = Counter()
    rows = model._default_manager
    for row in rows.lease_expired(now):
        counts[_expire_lease(row)] += 1
    for row in rows.auto_retryable(now):
        counts[_attempt(row, "retried", move="retry", reason="automatic retry")] += 1
    for row in rows.unclaimed_work(now):
        counts["requeued" if lifecycle_requeue(row, now=now) else "skipped"] += 1
    return counts


def queue_due(post_id: int) -> bool:
    """Queue the follow-up of a post whose wait just ended (an approval's undo window)."""
    now = timezone.now()
    post = Post.objects.unclaimed_work(now).filter(pk=post_id).first()
    return post is not None and lifecycle_requeue(post, now=now)


def _expire_lease(row: LifecycleModel) -> str:
    move, failure = row.lease_return()
    tries = row.attempts(failure.phase)
    if tries >= settings.POST_MAX_ATTEMPTS:
        message = f"worker lease expired after {tries} attempts"
        return _attempt(row, "failed", move="fail", failure=failure, reason=message)
    return _attempt(row, "released", move=move, failure=failure)


def _attempt(row: LifecycleModel, outcome: str, **kwargs) -> str:
    try:
        lifecycle_move(row, **kwargs)
    except InvalidTransition:
        log.info("sweep: %s %s moved meanwhile, skipped", row._meta.model_name, row.pk)
        return "skipped"
    return outcome
