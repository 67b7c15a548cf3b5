"""Services make a move and queue its follow-up together; a lost enqueue heals itself."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone
from django_q.brokers.orm import ORM
from django_q.models import OrmQ

from posts import services
from posts.lifecycle import Status as S
from posts.models import Post
from posts.tasks import sweep
from tests.factories import make_post


def queued() -> list[tuple[str, tuple, str]]:
    return sorted((task.func(), task.args(), task.key) for task in OrmQ.objects.all())


@pytest.mark.django_db
def test_approve_queues_generation_only_after_the_move_commits(admin_user, django_capture_on_commit_callbacks):
    post = make_post(status=S.COLLECTED)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.post_approve(post=post, by=admin_user)
        assert queued() == []

    assert len(callbacks) == 2  # the change's announcement (posts.signals) and the enqueue
    for callback in callbacks:
        callback()
    assert queued() == [("generation.tasks.generate", (post.pk,), "gpu")]  # no endpoint wants the event
    post.refresh_from_db()
    assert (post.status, post.queued_at is not None) == (S.APPROVED, True)


@pytest.mark.django_db
def test_a_refused_move_queues_nothing(admin_user, django_capture_on_commit_callbacks):
    post = make_post(status=S.RENDERED)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Post.InvalidTransition):
        services.post_approve(post=post, by=admin_user)

    assert queued() == []


@pytest.mark.django_db
def test_take_down_needs_a_reason(admin_user):
    post = make_post(status=S.UPLOADED)

    with pytest.raises(ValueError, match="needs a reason"):
        services.post_request_take_down(post=post, by=admin_user, reason="  ")

    assert Post.objects.get(pk=post.pk).status == S.UPLOADED


@pytest.mark.django_db(transaction=True)
def test_an_approve_whose_enqueue_the_broker_refused_is_not_stranded(client, admin_user, monkeypatch, settings):
    """The broker raising used to answer 500 and leave the post APPROVED with no task, for ever."""
    post = make_post(status=S.COLLECTED)
    client.force_login(admin_user)

    def broker_down(self, *args, **kwargs):
        raise OperationalError("broker is down")

    with monkeypatch.context() as patch:
        patch.setattr(ORM, "enqueue", broker_down)
        response = client.post(
            reverse("admin:posts_post_changelist") + "?status=all",
            {"action": "approve", "_selected_action": [post.pk]},
        )

    assert response.status_code == 302
    post.refresh_from_db()
    assert post.status == S.APPROVED
    assert queued() == []

    assert sweep()["requeued"] == 0  # not yet: it may still be on its way
    Post.objects.filter(pk=post.pk).update(queued_at=timezone.now() - timedelta(
        seconds=settings.POST_REQUEUE_AFTER_SECONDS + 1))
    counts = sweep()

    assert counts["requeued"] == 1
    assert queued() == [("generation.tasks.generate", (post.pk,), "gpu")]
    assert sweep()["requeued"] == 0


@pytest.mark.django_db
@pytest.mark.parametrize(("status", "held"), [(S.COLLECTED, True), (S.APPROVED, True), (S.RENDERED, False),
                                              (S.UPLOADED, False)])
def test_a_post_deleted_at_the_source_is_flagged_and_held_only_before_generation(status, held):
    post = make_post(status=status)

    assert services.post_flag_deleted(post=post, reason="deleted at the source: HTTP 404") is held

    post.refresh_from_db()
    assert post.deleted_at_source is not None
    assert post.status == (S.HELD if held else status)
    assert post.history.filter(new=S.HELD).exists() is held


@pytest.mark.django_db
def test_flagging_a_deleted_post_twice_keeps_the_first_sighting_and_one_hold():
    post = make_post(status=S.COLLECTED)
    services.post_flag_deleted(post=post, reason="gone")
    first = Post.objects.get(pk=post.pk).deleted_at_source

    assert services.post_flag_deleted(post=post, reason="gone") is False

    post.refresh_from_db()
    assert post.deleted_at_source == first and post.history.count() == 1
