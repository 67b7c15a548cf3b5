"""Which task picks a post up from the status it waits in."""

from __future__ import annotations

from posts.models import Post, Status
from wagglebot.lib.queue import enqueue
from wagglebot.q import DEFAULT_CLUSTER, GPU_CLUSTER

GENERATE = "generation.tasks.generate"
UPLOAD = "publishing.tasks.upload"
TAKE_DOWN = "publishing.tasks.take_down"


def generation_enqueue(post: Post) -> None:
    enqueue(GENERATE, post.pk, cluster=GPU_CLUSTER)


def upload_enqueue(post: Post) -> None:
    enqueue(UPLOAD, post.pk, cluster=DEFAULT_CLUSTER)


def take_down_enqueue(post: Post, *, by, reason: str) -> None:
    # The platform call (retries, backoff) would outlive a web request: it runs on the cluster.
    enqueue(TAKE_DOWN, post.pk, by.pk if by else None, reason, cluster=DEFAULT_CLUSTER)


def post_resume(post: Post) -> None:
    """Queue the step a post waits for after a lease return, an automatic retry or a quota wait."""
    if post.status == Status.APPROVED:
        generation_enqueue(post)
    elif post.status == Status.RENDERED:
        upload_enqueue(post)
