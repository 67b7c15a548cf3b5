from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.models import OrmQ

from posts.models import Status as S
from posts.tasks import sweep
from tests.factories import make_post

pytestmark = pytest.mark.django_db


def queued() -> list[tuple[str, tuple, str]]:
    """(function, args, cluster) of every task waiting in the ORM broker."""
    return sorted((task.func(), task.args(), task.key) for task in OrmQ.objects.all())


def long_ago(seconds: int) -> timezone.datetime:
    return timezone.now() - timedelta(seconds=seconds + 60)


def test_sweep_returns_a_post_whose_worker_died_and_queues_it_again(settings, django_capture_on_commit_callbacks):
    post = make_post(status=S.PROCESSING, generation_attempts=1, claimed_at=long_ago(settings.GENERATION_LEASE_SECONDS))

    with django_capture_on_commit_callbacks(execute=True):
        counts = sweep()

    post.refresh_from_db()
    assert (post.status, post.error_code, post.claimed_at) == (S.APPROVED, "LEASE_EXPIRED", None)
    assert counts["released"] == 1
    assert queued() == [("generation.tasks.generate", (post.pk,), "gpu")]


def test_sweep_leaves_a_live_lease_alone(settings):
    post = make_post(status=S.PROCESSING, generation_attempts=1, claimed_at=timezone.now())

    assert sweep()["released"] == 0
    post.refresh_from_db()
    assert post.status == S.PROCESSING


def test_sweep_fails_a_post_whose_attempts_are_used_up(settings, django_capture_on_commit_callbacks):
    settings.POST_MAX_ATTEMPTS = 2
    post = make_post(status=S.PROCESSING, generation_attempts=2, claimed_at=long_ago(settings.GENERATION_LEASE_SECONDS))

    with django_capture_on_commit_callbacks(execute=True):
        counts = sweep()

    post.refresh_from_db()
    assert (post.status, post.error_code) == (S.FAILED, "LEASE_EXPIRED")
    assert counts["failed"] == 1
    assert queued() == []


def test_sweep_returns_a_stuck_upload_to_rendered_and_queues_the_upload(settings, django_capture_on_commit_callbacks):
    post = make_post(status=S.UPLOADING, upload_attempts=1, claimed_at=long_ago(settings.UPLOAD_LEASE_SECONDS))

    with django_capture_on_commit_callbacks(execute=True):
        sweep()

    post.refresh_from_db()
    assert post.status == S.RENDERED
    assert queued() == [("publishing.tasks.upload", (post.pk,), "default")]


def test_sweep_retries_a_failure_with_tries_left_after_the_backoff(settings, django_capture_on_commit_callbacks):
    retryable = make_post(status=S.FAILED, error_code="RENDER_FAILED", generation_attempts=1)
    exhausted = make_post(status=S.FAILED, error_code="RENDER_FAILED", generation_attempts=settings.POST_MAX_ATTEMPTS)
    permanent = make_post(status=S.FAILED, error_code="UPLOAD_REJECTED", upload_attempts=1)
    settings.POST_RETRY_BACKOFF_SECONDS = 0

    with django_capture_on_commit_callbacks(execute=True):
        counts = sweep()

    for post in (retryable, exhausted, permanent):
        post.refresh_from_db()
    assert [retryable.status, exhausted.status, permanent.status] == [S.APPROVED, S.FAILED, S.FAILED]
    assert counts["retried"] == 1
    assert queued() == [("generation.tasks.generate", (retryable.pk,), "gpu")]


def test_sweep_waits_for_the_backoff_before_retrying(settings):
    settings.POST_RETRY_BACKOFF_SECONDS = 3600
    make_post(status=S.FAILED, error_code="RENDER_FAILED", generation_attempts=1)

    assert sweep()["retried"] == 0


def test_sweep_queues_an_upload_once_its_wait_is_over_and_only_once(django_capture_on_commit_callbacks):
    due = make_post(status=S.RENDERED, error_code="QUOTA_WAIT", not_before=timezone.now() - timedelta(minutes=1))
    later = make_post(status=S.RENDERED, error_code="QUOTA_WAIT", not_before=timezone.now() + timedelta(hours=1))
    undecided = make_post(status=S.RENDERED)  # waits for a person, not for a task

    with django_capture_on_commit_callbacks(execute=True):
        first = sweep()
        second = sweep()

    assert (first["requeued"], second["requeued"]) == (1, 0)
    assert queued() == [("publishing.tasks.upload", (due.pk,), "default")]
    later.refresh_from_db()
    undecided.refresh_from_db()
    assert (later.queued_at, undecided.queued_at) == (None, None)


@pytest.mark.parametrize(
    ("status", "task"),
    [(S.APPROVED, ("generation.tasks.generate", "gpu")), (S.TAKING_DOWN, ("publishing.tasks.take_down", "default"))],
)
def test_sweep_queues_again_work_nobody_took_within_the_requeue_time(
    settings, django_capture_on_commit_callbacks, status, task
):
    lost = make_post(status=status, queued_at=long_ago(settings.POST_REQUEUE_AFTER_SECONDS))
    never = make_post(status=status, queued_at=None)
    waiting_its_turn = make_post(status=status, queued_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        counts = sweep()

    func, cluster = task
    assert counts["requeued"] == 2
    assert queued() == sorted([(func, (lost.pk,), cluster), (func, (never.pk,), cluster)])
    waiting_its_turn.refresh_from_db()
    assert waiting_its_turn.history.count() == 0
