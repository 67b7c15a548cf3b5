"""Moderation flows that span a post and its generated content."""

from __future__ import annotations

from django.db import transaction

from posts.models import Content, Post, Status
from posts.queue import generation_enqueue

RERENDER_FROM = (Status.RENDERED, Status.FAILED)


def post_rerender(post: Post, *, by) -> None:
    """Make the video again from the person's script instead of the writer's.

    ``script_source = "human"`` tells the pipeline to build the narration from ``Content.script``
    (``script_from_text``) rather than writing a new one.
    """
    with transaction.atomic():
        Content.objects.filter(post=post).update(script_source=Content.ScriptSource.HUMAN)
        if post.status == Status.FAILED:
            post.retry(by=by, reason="re-render with an edited script")
        if post.status == Status.RENDERED:  # also a FAILED upload, which retry returns here
            post.regenerate(by=by, reason="re-render with an edited script")
    generation_enqueue(post)
