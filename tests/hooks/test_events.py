"""Which lifecycle moves and crawls become events, for which endpoints, and each event only once."""

from __future__ import annotations

import pytest
from django.db import transaction

from crawling.fixture_server import FixtureServer
from crawling.runs import site_crawl
from hooks.events import on_status_changed
from hooks.models import Delivery, Event
from posts import services
from posts.lifecycle import Failure
from posts.lifecycle import Status as S
from posts.models import Post
from tests.crawling.conftest import FIXTURES
from tests.factories import make_endpoint, make_post
from tests.hooks.receiver import queued_deliveries

pytestmark = pytest.mark.django_db


def events_of(**filters) -> list[tuple[str, int | None]]:
    return sorted(Delivery.objects.filter(**filters).values_list("event", "post_id"))


def test_approval_failure_and_take_down_are_events_but_a_release_or_regeneration_is_not(
    admin_user, django_capture_on_commit_callbacks,
):
    make_endpoint(events=[value for value, _ in Event.choices])
    approved, processing, rendered, taking_down = (
        make_post(status=status) for status in (S.COLLECTED, S.PROCESSING, S.RENDERED, S.TAKING_DOWN)
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.post_approve(post=approved, by=admin_user)
        services.post_move(post=processing, move="release_generation", failure=Failure.LEASE_EXPIRED)
        services.post_regenerate(post=rendered, by=admin_user)
        services.post_schedule_upload(post=make_post(status=S.RENDERED))  # RENDERED → RENDERED
        services.post_fail(post=make_post(status=S.PROCESSING), failure=Failure.RENDER_FAILED, message="ffmpeg")
        services.post_move(post=taking_down, move="mark_taken_down")

    assert [event for event, _ in events_of()] == sorted(["post.approved", "post.failed", "post.taken_down"])
    failed = Delivery.objects.get(event=Event.FAILED)
    assert (failed.data["change"]["error_code"], failed.data["change"]["reason"]) == ("RENDER_FAILED", "ffmpeg")
    assert len(queued_deliveries()) == 3


def test_an_endpoint_gets_only_the_events_it_wants_and_an_inactive_one_none(
    admin_user, django_capture_on_commit_callbacks,
):
    wants_failures = make_endpoint(events=["post.failed"])
    wants_approvals = make_endpoint(events=["post.approved"])
    make_endpoint(events=["post.approved"], active=False)
    post = make_post(status=S.COLLECTED)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_approve(post=post, by=admin_user)

    assert events_of(endpoint=wants_approvals) == [("post.approved", post.pk)]
    assert events_of(endpoint=wants_failures) == []
    assert Delivery.objects.count() == 1


def test_a_move_that_is_rolled_back_is_no_event(admin_user, django_capture_on_commit_callbacks):
    make_endpoint()
    post = make_post(status=S.COLLECTED)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.post_approve(post=post, by=admin_user)
        raise RuntimeError("the admin view failed after the move")

    assert Post.objects.get(pk=post.pk).status == S.COLLECTED
    assert Delivery.objects.count() == 0


def test_the_same_event_emitted_twice_is_one_delivery_queued_once(admin_user, django_capture_on_commit_callbacks):
    first, second = make_endpoint(), make_endpoint()
    post = make_post(status=S.COLLECTED)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_approve(post=post, by=admin_user)
        change = post.history.get()
        on_status_changed(sender=Post, change=change)  # the signal again, as a duplicate on_commit would

    keys = sorted(Delivery.objects.values_list("key", flat=True))
    assert keys == [f"{first.pk}:post.approved:change{change.pk}", f"{second.pk}:post.approved:change{change.pk}"]
    assert len(queued_deliveries()) == 2


def test_a_crawl_announces_its_new_posts_that_score_above_the_threshold(settings, django_capture_on_commit_callbacks):
    settings.CRAWL_MIN_DELAY_SECONDS = 0
    settings.CRAWL_SCORE_WINDOW_DAYS = 100_000  # the fixture pages are old; score them anyway
    settings.HOOKS_HIGH_SCORE = 0.8
    endpoint = make_endpoint(events=["post.high_score"])
    with FixtureServer(FIXTURES) as server, django_capture_on_commit_callbacks(execute=True):
        site_crawl("nate_pann", base_url=server.base_url("nate_pann"), robots_policy="ignore")
        site_crawl("nate_pann", base_url=server.base_url("nate_pann"), robots_policy="ignore")  # nothing new

    scores = dict(Post.objects.values_list("origin_id", "score"))
    best = Post.objects.get(origin_id="375641207")
    assert sum(score >= 0.8 for score in scores.values()) == 1 < len(scores)
    assert events_of(endpoint=endpoint) == [("post.high_score", best.pk)]
    assert Delivery.objects.get().data["post"]["score"] == pytest.approx(best.score, abs=1e-4)
