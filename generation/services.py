"""Flows on a post's short that a person starts from the moderation console."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext

from generation.models import Short, Transcript
from posts.lifecycle import Failure
from posts.models import Post
from posts.services import post_regenerate, post_retry


def short_rerender_offered(post: Post) -> bool:
    return post.can("regenerate") or post.can("retry")


def short_rerender(*, post: Post, by) -> None:
    """Make the video again from the person's script instead of the writer's.

    ``script_source = "human"`` tells the pipeline to build the narration from ``Short.script``
    (``script_from_text``) rather than writing a new one.
    """
    if not short_rerender_offered(post):
        raise Post.InvalidTransition(
            gettext("post %(pk)s is %(status)s: nothing to re-render") % {"pk": post.pk, "status": post.status},
        )
    with transaction.atomic():
        Short.objects.filter(post=post).update(script_source=Short.ScriptSource.HUMAN)
        if post.can("retry"):
            post_retry(post=post, by=by, reason="re-render with an edited script")
        if post.can("regenerate"):  # also a FAILED upload, which retry returns here
            post_regenerate(post=post, by=by, reason="re-render with an edited script")


def transcripts_to_confirm(post: Post) -> list[Transcript]:
    return [transcript for transcript in post.transcripts.all() if transcript.confirmed_at is None]


def transcripts_confirm(*, post: Post, by) -> int:
    """A person vouches for every unconfirmed transcript of ``post`` as it now reads; a generation
    that waited for this (TRANSCRIPT_UNCONFIRMED) is queued again, in the same transaction."""
    pending = transcripts_to_confirm(post)
    with transaction.atomic():
        for transcript in pending:
            transcript.confirm(by=by)
        post.refresh_from_db(fields=["status", "error_code"])
        if post.failure is Failure.TRANSCRIPT_UNCONFIRMED and post.can("retry"):
            post_retry(post=post, by=by, reason="transcript confirmed")
    return len(pending)
