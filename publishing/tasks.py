"""Publishing tasks (default cluster): load by id, call core code. Each is safe to run twice."""

from __future__ import annotations

from django.conf import settings

from posts.models import Post
from publishing.slots import slots_fill
from publishing.stats import stats_refresh
from publishing.takedown import post_take_down
from publishing.upload import post_upload


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
