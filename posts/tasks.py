"""Periodic work on posts (default cluster): the sweep that repairs what workers left behind."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import timezone

from posts.models import Post
from posts.services import post_fail, post_move, post_requeue

log = logging.getLogger(__name__)


def sweep() -> dict[str, int]:
    """Return posts whose worker died, retry failures with tries left, queue lost or due work.

    The database is the record of work, the queue only a hint: any post whose status implies a
    task nobody took (a broker that refused the enqueue, a quota wait that ended) is queued
    again. Safe to run twice at once: every move is guarded, and a requeue is a conditional
    update, so a post another sweep (or its worker) moved first is skipped.
    """
    now = timezone.now()
    counts = {"released": 0, "failed": 0, "retried": 0, "requeued": 0, "skipped": 0}
    for post in Post.objects.lease_expired(now):
        counts[_expire_lease(post)] += 1
    for post in Post.objects.auto_retryable(now):
        counts[_attempt(post, "retried", post_move, move="retry", reason="automatic retry")] += 1
    for post in Post.objects.unclaimed_work(now):
        counts["requeued" if post_requeue(post=post, now=now) else "skipped"] += 1
    log.info("sweep %s", counts)
    return counts


def queue_due(post_id: int) -> bool:
    """Queue the follow-up of a post whose wait just ended (an approval's undo window)."""
    now = timezone.now()
    post = Post.objects.unclaimed_work(now).filter(pk=post_id).first()
    return post is not None and post_requeue(post=post, now=now)


def _expire_lease(post: Post) -> str:
    move, failure = post.lease_return()
    tries = post.attempts(failure.phase)
    if tries >= settings.POST_MAX_ATTEMPTS:
        message = f"worker lease expired after {tries} attempts"
        return _attempt(post, "failed", post_fail, failure=failure, message=message)
    return _attempt(post, "released", post_move, move=move, failure=failure)


def _attempt(post: Post, outcome: str, service, **kwargs) -> str:
    try:
        service(post=post, **kwargs)
    except Post.InvalidTransition:
        log.info("sweep: post %s moved meanwhile, skipped", post.pk)
        return "skipped"
    return outcome
