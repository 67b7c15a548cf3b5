"""YouTube Data API quota, counted per Pacific-time day in the database.

Since 2026 ``videos.insert`` has its own bucket (YOUTUBE_DAILY_INSERTS calls a day); every other
call spends units from the shared YOUTUBE_DAILY_UNITS. Both reset at midnight America/Los_Angeles.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from publishing.models import QuotaUsage

PACIFIC = ZoneInfo("America/Los_Angeles")
INSERT = "videos.insert"
# Units per call (https://developers.google.com/youtube/v3/determine_quota_cost).
COSTS = {
    "videos.list": 1,
    "channels.list": 1,
    "playlistItems.list": 1,
    "thumbnails.set": 50,
    "videos.delete": 50,
}


class QuotaExhausted(Exception):
    """No quota left today; ``until`` is the next reset."""

    def __init__(self, call: str, until: datetime) -> None:
        super().__init__(f"YouTube quota for {call} is spent until {until.isoformat()}")
        self.call = call
        self.until = until


def pacific_day(now: datetime) -> date:
    return now.astimezone(PACIFIC).date()


def next_reset(now: datetime) -> datetime:
    """The next Pacific midnight, as an aware datetime (DST-correct through zoneinfo)."""
    tomorrow = pacific_day(now) + timedelta(days=1)
    return datetime.combine(tomorrow, time.min, tzinfo=PACIFIC)


def _bucket(call: str) -> tuple[str, int, int]:
    if call == INSERT:
        return QuotaUsage.Bucket.INSERTS, 1, settings.YOUTUBE_DAILY_INSERTS
    return QuotaUsage.Bucket.UNITS, COSTS[call], settings.YOUTUBE_DAILY_UNITS


def quota_spend(call: str, *, now: datetime | None = None) -> None:
    """Count one ``call`` against today's quota, or raise ``QuotaExhausted``."""
    now = now or timezone.now()
    bucket, cost, limit = _bucket(call)
    if not QuotaUsage.objects.spend(pacific_day(now), bucket, cost, limit):
        raise QuotaExhausted(call, next_reset(now))


def quota_refund(call: str, *, now: datetime | None = None) -> None:
    """Give back a ``call`` counted beforehand that never reached YouTube (nothing was charged)."""
    now = now or timezone.now()
    bucket, cost, _ = _bucket(call)
    QuotaUsage.objects.refund(pacific_day(now), bucket, cost)


def quota_exhaust(call: str, *, now: datetime | None = None) -> QuotaExhausted:
    """Record that the API refused ``call`` for quota; returns the error to raise."""
    now = now or timezone.now()
    bucket, _, limit = _bucket(call)
    QuotaUsage.objects.exhaust(pacific_day(now), bucket, limit)
    return QuotaExhausted(call, next_reset(now))


def quota_left(*, now: datetime | None = None) -> dict[str, int]:
    day = pacific_day(now or timezone.now())
    return {
        "units": settings.YOUTUBE_DAILY_UNITS - QuotaUsage.objects.used(day, QuotaUsage.Bucket.UNITS),
        "inserts": settings.YOUTUBE_DAILY_INSERTS - QuotaUsage.objects.used(day, QuotaUsage.Bucket.INSERTS),
    }
