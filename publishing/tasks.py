"""Publishing tasks (default cluster): load by id, call core code. Each is safe to run twice."""

from __future__ import annotations

from django.conf import settings

from generation.models import Compilation
from posts.models import Post
from publishing.slots import slots_fill
from publishing.stats import stats_refresh
from publishing.takedown import compilation_take_down, post_take_down
from publishing.upload import compilation_upload, post_upload


def upload(post_id: int) -> bool:
    """Upload a RENDERED post; a second delivery finds it claimed or uploaded and does nothing."""
    post = Post.objects.filter(pk=post_id).first()
    return post_upload(post) if post else False


def fill_slots() -> int:
    """Book the next free publishing slots when AUTO_PUBLISH is on."""
    if not settings.AUTO_PUBLISH:
        return 0
    return len(slots_fill())


def refresh_stats() -> int:
    return stats_refresh()


def take_down(post_id: int) -> bool:
    """Take a TAKING_DOWN post down; a repeated delivery finds it TAKEN_DOWN and does nothing."""
    post = Post.objects.filter(pk=post_id).first()
    return post_take_down(post) if post else False


def upload_compilation(compilation_id: int) -> bool:
    """Upload a RENDERED compilation through the posts' upload path; safe to deliver twice."""
    compilation = Compilation.objects.filter(pk=compilation_id).first()
    return compilation_upload(compilation) if compilation else False


def take_down_compilation(compilation_id: int) -> bool:
    """Take a TAKING_DOWN compilation down; a repeated delivery finds it TAKEN_DOWN and does nothing."""
    compilation = Compilation.objects.filter(pk=compilation_id).first()
    return compilation_take_down(compilation) if compilation else False
