"""Periodic work on posts (default cluster)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import timezone

from posts.models import Post, Status
from posts.queue import post_resume

log = logging.getLogger(__name__)
LEASE_FAILURE_CODES = {Status.PROCESSING: "LEASE_EXPIRED", Status.UPLOADING: "UPLOAD_LEASE_EXPIRED"}


def sweep() -> dict[str, int]:
    """Return posts whose worker died, retry failures with tries left, release quota waits.

    Safe to run twice at once: every move is a guarded transition, and a post another sweep
    (or the worker itself) moved first is skipped.
    """
    now = timezone.now()
    counts = {"released": 0, "failed": 0, "skipped": 0, "retried": 0, "resumed": 0}
    for post in Post.objects.lease_expired(now):
        counts[_expire_lease(post)] += 1
    for post in Post.objects.auto_retryable(now):
        counts["retried"] += _move(post, post.retry, reason="automatic retry")
    for post in Post.objects.due_after_wait(now):
        counts["resumed"] += _end_wait(post)
    log.info("sweep %s", counts)
    return counts


def _expire_lease(post: Post) -> str:
    if post.attempts >= settings.POST_MAX_ATTEMPTS:
        code = LEASE_FAILURE_CODES[post.status]
        message = f"worker lease expired after {post.attempts} attempts"
        return "failed" if _move(post, post.fail, code, message, resume=False) else "skipped"
    return "released" if _move(post, post.release) else "skipped"


def _end_wait(post: Post) -> int:
    # Clearing not_before with a conditional update lets only one sweep enqueue the upload.
    cleared = Post.objects.filter(pk=post.pk, status=Status.RENDERED, not_before=post.not_before).update(
        not_before=None
    )
    if cleared:
        post_resume(post)
    return cleared


def _move(post: Post, method, *args, resume: bool = True, **kwargs) -> bool:
    try:
        method(*args, **kwargs)
    except Post.InvalidTransition:
        log.info("sweep: post %s moved meanwhile, skipped", post.pk)
        return False
    if resume:
        post_resume(post)
    return True
