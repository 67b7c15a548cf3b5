"""Publishing slots: fill the next free times of the day with the best-scored rendered posts.

Each booked slot is a ``PublishSlot`` row (unique time); the upload then carries ``publishAt``
so the video goes public at the slot while the file is already on YouTube.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from generation.models import Short
from generation.speech import voice_fell_back
from posts.models import Post, Status
from posts.services import post_schedule_upload
from publishing.models import PublishSlot


def slot_times(now: datetime) -> list[datetime]:
    """Slot times between ``now`` + lead and ``now`` + horizon, earliest first."""
    zone = ZoneInfo(settings.PUBLISH_TIMEZONE)
    start = now + timedelta(minutes=settings.PUBLISH_LEAD_MINUTES)
    end = now + timedelta(hours=settings.PUBLISH_HORIZON_HOURS)
    first_day = now.astimezone(zone).date()
    days = (end.astimezone(zone).date() - first_day).days + 1
    times = [
        datetime.combine(first_day + timedelta(days=offset), _clock(text), tzinfo=zone)
        for offset in range(days)
        for text in settings.PUBLISH_SLOTS
    ]
    return sorted(t for t in times if start <= t <= end)


def _clock(text: str) -> time:
    hour, minute = text.strip().split(":")
    return time(int(hour), int(minute))


def free_slots(now: datetime) -> list[datetime]:
    times = slot_times(now)
    taken = set(PublishSlot.objects.filter(at__in=times).values_list("at", flat=True))
    return [t for t in times if t not in taken]


def slot_candidates(now: datetime, limit: int) -> list[Post]:
    """RENDERED posts not booked and not already waiting for an upload, best score first.

    A short whose voice fell back to espeak-ng waits for a person: a robotic voice is not
    published unseen.
    """
    posts = Post.objects.filter(status=Status.RENDERED, not_before__isnull=True, publish_slot__isnull=True)
    posts = posts.exclude(pk__in=Short.objects.filter(voice_fell_back()).values("post_id"))
    return list(posts.order_by("-score", "created_at")[:limit])


def slots_fill(*, now: datetime | None = None) -> list[PublishSlot]:
    """Book each free slot for one post and queue its upload; safe to run twice at once."""
    now = now or timezone.now()
    free = free_slots(now)
    booked = []
    for at, post in zip(free, slot_candidates(now, len(free)), strict=False):
        try:
            with transaction.atomic():
                slot = PublishSlot.objects.create(at=at, post=post)
                post_schedule_upload(post=post, reason=f"slot {timezone.localtime(at):%Y-%m-%d %H:%M}")
        except (IntegrityError, Post.InvalidTransition):  # another filler booked it, or it moved on
            continue
        booked.append(slot)
    return booked
