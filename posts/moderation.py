"""Moderation flows that span a post and its generated content."""

from __future__ import annotations

from django.db import transaction

from posts.models import Content, Post
from posts.services import post_regenerate, post_retry


def post_rerender(*, post: Post, by) -> None:
    """Make the video again from the person's script instead of the writer's.

    ``script_source = "human"`` tells the pipeline to build the narration from ``Content.script``
    (``script_from_text``) rather than writing a new one.
    """
    if not (post.can("regenerate") or post.can("retry")):
        raise Post.InvalidTransition(f"post {post.pk} is {post.status}: nothing to re-render")
    with transaction.atomic():
        Content.objects.filter(post=post).update(script_source=Content.ScriptSource.HUMAN)
        if post.can("retry"):
            post_retry(post=post, by=by, reason="re-render with an edited script")
        if post.can("regenerate"):  # also a FAILED upload, which retry returns here
            post_regenerate(post=post, by=by, reason="re-render with an edited script")


def post_rerender_offered(post: Post) -> bool:
    return post.can("regenerate") or post.can("retry")
