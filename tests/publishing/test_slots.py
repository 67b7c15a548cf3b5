from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django_q.conf import Conf

from generation.models import Short
from generation.speech import short_voice_fell_back
from posts.models import Post
from publishing import tasks
from publishing.models import PublishSlot
from publishing.slots import slot_times, slots_fill

NOON_KST = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)


@pytest.fixture
def sync_q(monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", True)


def test_slot_times_are_the_configured_clock_times_in_seoul_within_the_horizon(settings):
    now = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)  # 11:00 in Seoul
    assert slot_times(now) == [
        NOON_KST,
        datetime(2026, 11, 22, 9, 0, tzinfo=UTC),
        datetime(2026, 11, 22, 12, 0, tzinfo=UTC),
    ]
    # 12:15 in Seoul: noon has passed, tomorrow noon is inside the 24 hour horizon.
    assert slot_times(datetime(2026, 11, 22, 3, 15, tzinfo=UTC))[0] == datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
    assert slot_times(datetime(2026, 11, 22, 3, 15, tzinfo=UTC))[-1] == datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def test_fill_books_free_slots_with_the_best_scored_posts_and_uploads_them_scheduled(
    youtube, make_rendered, frozen_now, sync_q, settings, django_capture_on_commit_callbacks
):
    settings.AUTO_PUBLISH = True
    frozen_now.moment = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
    posts = {score: make_rendered(score=score) for score in (1, 5, 3, 2)}

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.fill_slots() == 3

    booked = {slot.post.score: slot.at for slot in PublishSlot.objects.select_related("post")}
    assert booked == {5: NOON_KST, 3: datetime(2026, 11, 22, 9, 0, tzinfo=UTC),
                      2: datetime(2026, 11, 22, 12, 0, tzinfo=UTC)}
    publish_at = [v["status"].get("publishAt") for v in youtube.videos.values()]
    assert sorted(publish_at) == ["2026-11-22T03:00:00Z", "2026-11-22T09:00:00Z", "2026-11-22T12:00:00Z"]
    assert Post.objects.get(pk=posts[1].pk).status == "RENDERED"
    assert Post.objects.get(pk=posts[5].pk).uploads.get().publish_at == NOON_KST


def test_fill_twice_does_not_double_book(make_rendered, frozen_now):
    frozen_now.moment = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
    for score in range(5):
        make_rendered(score=score)

    first = slots_fill()
    second = slots_fill()

    assert len(first) == 3 and second == []
    assert PublishSlot.objects.count() == 3


def test_posts_waiting_for_quota_are_not_booked(make_rendered, frozen_now):
    frozen_now.moment = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
    waiting = make_rendered(score=10)
    Post.objects.filter(pk=waiting.pk).update(not_before=datetime(2026, 11, 22, 8, 0, tzinfo=UTC))
    ready = make_rendered(score=1)

    [slot] = slots_fill()

    assert slot.post_id == ready.pk


def test_nothing_is_booked_while_auto_publish_is_off(make_rendered, settings):
    settings.AUTO_PUBLISH = False
    make_rendered()
    assert tasks.fill_slots() == 0
    assert PublishSlot.objects.count() == 0


def test_upload_now_of_an_unbooked_post_is_not_scheduled(youtube, make_rendered):
    post = make_rendered()
    tasks.upload(post.pk)
    [video] = youtube.videos.values()
    assert "publishAt" not in video["status"]


def test_a_short_whose_voice_fell_back_to_espeak_is_never_booked(make_rendered, frozen_now):
    frozen_now.moment = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
    robotic, neural, plain = make_rendered(score=10), make_rendered(score=5), make_rendered(score=1)
    speech = {"engine": "espeak", "wanted": "edge", "fallback": True, "fallback_reason": "edge: HTTP 403"}
    Short.objects.filter(post=robotic).update(generation_meta={"engines": {"speech": speech}})
    speech = {"engine": "edge", "wanted": "edge", "fallback": False, "fallback_reason": ""}
    Short.objects.filter(post=neural).update(generation_meta={"engines": {"speech": speech}})

    booked = {slot.post_id for slot in slots_fill()}

    assert booked == {neural.pk, plain.pk}, "a short without speech meta is not held either"
    assert short_voice_fell_back(Short.objects.get(post=robotic))
    assert not short_voice_fell_back(Short.objects.get(post=neural))
