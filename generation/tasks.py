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


def compile(compilation_id: int) -> str | None:
    """Narrate, speak, render and QC one approved compilation; a repeated delivery is a no-op."""
    from generation.compilation import compilation_generate
    from generation.models import Compilation

    compilation = Compilation.objects.filter(pk=compilation_id).first()
    if compilation is None:
        log.warning("compile: compilation %s no longer exists", compilation_id)
        return None
    compilation_generate(compilation)
    return compilation.status


def suggest_weekly() -> int | None:
    """The weekly schedule: draft this week's best TOP 5 for a person to approve (once a week)."""
    from generation.compilation import compilation_suggest_weekly

    compilation = compilation_suggest_weekly()
    return compilation.pk if compilation else None
