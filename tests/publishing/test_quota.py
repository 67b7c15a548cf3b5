from __future__ import annotations

from datetime import UTC, datetime

import pytest

from publishing.quota import QuotaExhausted, next_reset, quota_left, quota_spend


def test_reset_is_pacific_midnight_in_winter_and_summer():
    assert next_reset(datetime(2026, 1, 10, 7, 59, tzinfo=UTC)) == datetime(2026, 1, 10, 8, 0, tzinfo=UTC)
    assert next_reset(datetime(2026, 1, 10, 8, 0, tzinfo=UTC)) == datetime(2026, 1, 11, 8, 0, tzinfo=UTC)
    assert next_reset(datetime(2026, 7, 10, 12, 0, tzinfo=UTC)) == datetime(2026, 7, 11, 7, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_units_are_spent_until_the_budget_is_gone(settings):
    settings.YOUTUBE_DAILY_UNITS = 120
    now = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
    quota_spend("videos.delete", now=now)
    quota_spend("videos.delete", now=now)
    with pytest.raises(QuotaExhausted) as caught:
        quota_spend("videos.delete", now=now)
    assert caught.value.until == datetime(2026, 1, 11, 8, 0, tzinfo=UTC)
    quota_spend("videos.list", now=now)
    assert quota_left(now=now)["units"] == 19
    assert quota_left(now=datetime(2026, 1, 11, 8, 0, tzinfo=UTC))["units"] == 120


@pytest.mark.django_db
def test_inserts_have_their_own_bucket(settings):
    settings.YOUTUBE_DAILY_INSERTS = 1
    now = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
    quota_spend("videos.insert", now=now)
    with pytest.raises(QuotaExhausted):
        quota_spend("videos.insert", now=now)
    assert quota_left(now=now) == {"units": settings.YOUTUBE_DAILY_UNITS, "inserts": 0}
