"""Tasks of the gpu cluster: load by id, hand the post to the pipeline."""

from __future__ import annotations

import logging

from generation.pipeline import post_generate
from posts.models import Post

log = logging.getLogger(__name__)


def generate(post_id: int) -> str | None:
    """Script, speech, render and QC one approved post; a repeated delivery is a no-op."""
    post = Post.objects.filter(pk=post_id).first()
    if post is None:
        log.warning("generate: post %s no longer exists", post_id)
        return None
    post_generate(post)
    return post.status
