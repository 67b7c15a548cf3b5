"""The inbox's instant moves: the JSON endpoint, the approval's undo window, what it queues."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_q.models import OrmQ, Schedule

from posts.models import Status
from posts.tasks import queue_due
from tests.posts.conftest import make_post

pytestmark = pytest.mark.django_db


def move(client, post, name: str, reason: str = ""):
    return client.post(reverse("admin:posts_post_move", args=[post.pk]), {"move": name, "reason": reason})


def generate_tasks() -> list[int]:
    return [t.task["args"][0] for t in OrmQ.objects.all() if t.task["func"] == "generation.tasks.generate"]


def test_an_instant_approval_queues_nothing_until_its_undo_window_has_passed(
    moderator_client, django_capture_on_commit_callbacks
):
    post = make_post(title="좋은 글")
    with django_capture_on_commit_callbacks(execute=True):
        answer = move(moderator_client, post, "approve").json()
    post.refresh_from_db()
    assert answer == {"ok": True, "message": "‘좋은 글’ approved", "status": "APPROVED", "undo": "undo_approve",
                      "undo_seconds": 10}
    assert post.status == Status.APPROVED and post.queued_at is None
    assert 9 <= (post.not_before - timezone.now()).total_seconds() <= 10
    assert generate_tasks() == []
    schedule = Schedule.objects.get(func="posts.tasks.queue_due")
    assert (schedule.args, schedule.next_run, schedule.cluster) == (repr(post.pk), post.not_before, "default")


def test_the_scheduled_queue_sends_generation_once_the_window_has_passed(
    moderator_client, django_capture_on_commit_callbacks
):
    post = make_post()
    with django_capture_on_commit_callbacks(execute=True):
        move(moderator_client, post, "approve")
        assert queue_due(post.pk) is False  # still inside the window
        post.refresh_from_db()
        post.__class__.objects.filter(pk=post.pk).update(not_before=timezone.now() - timedelta(seconds=1))
        assert queue_due(post.pk) is True
    assert generate_tasks() == [post.pk]


def test_undo_within_the_window_returns_the_post_and_the_schedule_then_queues_nothing(
    moderator_client, django_capture_on_commit_callbacks
):
    post = make_post(title="실수")
    with django_capture_on_commit_callbacks(execute=True):
        move(moderator_client, post, "approve")
        answer = move(moderator_client, post, "undo_approve").json()
        post.__class__.objects.filter(pk=post.pk).update(not_before=timezone.now() - timedelta(seconds=1))
        assert queue_due(post.pk) is False
    post.refresh_from_db()
    assert answer["ok"] and answer["status"] == "COLLECTED" and answer["undo"] == ""
    assert post.status == Status.COLLECTED and generate_tasks() == []


def test_undo_after_the_window_is_refused_because_work_may_be_queued(moderator_client):
    post = make_post()
    move(moderator_client, post, "approve")
    post.__class__.objects.filter(pk=post.pk).update(not_before=timezone.now() - timedelta(seconds=1))
    response = move(moderator_client, post, "undo_approve")
    post.refresh_from_db()
    assert response.status_code == 409 and "undo window has passed" in response.json()["message"]
    assert post.status == Status.APPROVED


def test_the_admin_action_still_approves_at_once(moderator_client, django_capture_on_commit_callbacks):
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

    post = make_post()
    with django_capture_on_commit_callbacks(execute=True):
        moderator_client.post(reverse("admin:posts_post_changelist"),
                              {"action": "approve", ACTION_CHECKBOX_NAME: [post.pk], "index": 0})
    assert generate_tasks() == [post.pk]


def test_an_instant_decline_records_the_preset_reason_and_can_be_undone(moderator_client):
    post = make_post()
    answer = move(moderator_client, post, "decline", "저작권").json()
    assert answer["ok"] and answer["undo"] == "undo_decline"
    assert post.history.first().reason == "저작권"
    assert move(moderator_client, post, "undo_decline").json()["status"] == "COLLECTED"


def test_a_move_the_post_cannot_make_answers_409_not_500(moderator_client):
    post = make_post(Status.RENDERED)
    response = move(moderator_client, post, "approve")
    assert response.status_code == 409 and response.json()["ok"] is False


def test_an_unknown_move_is_404(moderator_client):
    assert move(moderator_client, make_post(), "delete").status_code == 404


def test_staff_without_the_moderator_role_cannot_move(client, django_user_model):
    user = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    client.force_login(user)
    post = make_post()
    assert move(client, post, "approve").status_code in (403, 404)
    post.refresh_from_db()
    assert post.status == Status.COLLECTED


def test_the_endpoint_refuses_get(moderator_client):
    post = make_post()
    assert moderator_client.get(reverse("admin:posts_post_move", args=[post.pk])).status_code == 405
