from __future__ import annotations

import itertools

import pytest
from django.contrib.auth import get_user_model

from posts.models import TRANSITIONS, Post, StatusChange
from posts.models import Status as S
from tests.factories import make_post

pytestmark = pytest.mark.django_db

ALLOWED = [(old, new) for old, targets in TRANSITIONS.items() for new in sorted(targets)]
FORBIDDEN = [(old, new) for old, new in itertools.product(S.values, S.values) if new not in TRANSITIONS[old]]


def test_table_covers_every_status_and_forbids_most_moves():
    assert set(TRANSITIONS) == set(S.values)
    assert len(ALLOWED) == 16
    assert len(ALLOWED) + len(FORBIDDEN) == len(S.values) ** 2


@pytest.mark.parametrize(("old", "new"), ALLOWED)
def test_allowed_move_changes_status_and_leaves_one_history_row(old, new):
    user = get_user_model().objects.create(username="mod")
    post = make_post(status=old)

    post.transition(new, by=user, reason="because")

    post.refresh_from_db()
    assert post.status == new
    change = post.history.get()
    assert (change.old, change.new, change.by, change.reason) == (old, new, user, "because")


@pytest.mark.parametrize(("old", "new"), FORBIDDEN)
def test_forbidden_move_raises_and_changes_nothing(old, new):
    post = make_post(status=old)

    with pytest.raises(Post.InvalidTransition, match=f"{old} → {new} is not allowed"):
        post.transition(new)

    post.refresh_from_db()
    assert post.status == old
    assert not StatusChange.objects.exists()


def test_a_move_from_a_stale_copy_is_lost_not_applied():
    post = make_post(status=S.APPROVED)
    stale = Post.objects.get(pk=post.pk)
    post.claim_generation()

    with pytest.raises(Post.InvalidTransition, match="no longer APPROVED"):
        stale.claim_generation()

    assert post.history.count() == 1


def test_claim_generation_counts_the_attempt_and_stamps_the_lease():
    post = make_post(status=S.APPROVED)

    post.claim_generation()

    assert post.status == S.PROCESSING
    assert post.attempts == 1
    assert post.claimed_at is not None


def test_fail_records_code_message_and_history():
    post = make_post(status=S.PROCESSING)

    post.fail("TTS_FAILED", "edge-tts answered 403", permanent=True)

    post.refresh_from_db()
    assert (post.status, post.error_code, post.error_message) == (S.FAILED, "TTS_FAILED", "edge-tts answered 403")
    assert post.error_permanent
    change = post.history.get()
    assert (change.error_code, change.reason) == ("TTS_FAILED", "edge-tts answered 403")


def test_retry_clears_the_error_and_a_person_grants_fresh_attempts():
    user = get_user_model().objects.create(username="mod")
    post = make_post(status=S.FAILED, error_code="RENDER_FAILED", error_message="boom", attempts=3)

    post.retry(by=user)

    post.refresh_from_db()
    assert (post.status, post.error_code, post.error_message, post.attempts) == (S.APPROVED, "", "", 0)


def test_automatic_retry_keeps_the_attempt_count():
    post = make_post(status=S.FAILED, error_code="RENDER_FAILED", attempts=2)

    post.retry()

    assert (post.status, post.attempts) == (S.APPROVED, 2)


def test_retry_after_an_upload_failure_goes_back_to_rendered_not_to_generation():
    post = make_post(status=S.FAILED, error_code="UPLOAD_FAILED")

    post.retry()

    assert post.status == S.RENDERED


def test_postpone_upload_returns_to_rendered_with_a_visible_reason_and_wait():
    post = make_post(status=S.UPLOADING)
    from django.utils import timezone

    until = timezone.now()
    post.postpone_upload("waiting for quota", code="QUOTA_WAIT", until=until)

    post.refresh_from_db()
    assert (post.status, post.error_code, post.error_message) == (S.RENDERED, "QUOTA_WAIT", "waiting for quota")
    assert post.not_before == until


def test_a_later_move_clears_the_previous_error():
    post = make_post(status=S.UPLOADING)
    post.postpone_upload("503 from YouTube")
    post.claim_upload()

    post.refresh_from_db()
    assert (post.error_code, post.error_message, post.not_before) == ("", "", None)


@pytest.mark.parametrize(
    ("method", "start", "end"),
    [
        ("approve", S.COLLECTED, S.APPROVED),
        ("decline", S.COLLECTED, S.DECLINED),
        ("undo_decline", S.DECLINED, S.COLLECTED),
        ("claim_generation", S.APPROVED, S.PROCESSING),
        ("mark_rendered", S.PROCESSING, S.RENDERED),
        ("regenerate", S.RENDERED, S.APPROVED),
        ("claim_upload", S.RENDERED, S.UPLOADING),
        ("mark_uploaded", S.UPLOADING, S.UPLOADED),
        ("release", S.PROCESSING, S.APPROVED),
        ("release", S.UPLOADING, S.RENDERED),
    ],
)
def test_named_moves_go_through_the_table(method, start, end):
    post = make_post(status=start)

    getattr(post, method)()

    assert Post.objects.get(pk=post.pk).status == end
    assert post.history.get().new == end


def test_take_down_needs_an_uploaded_post():
    post = make_post(status=S.RENDERED)

    with pytest.raises(Post.InvalidTransition):
        post.take_down(reason="author asked")


def test_claiming_an_upload_after_a_quota_wait_is_not_another_attempt():
    post = make_post(status=S.RENDERED, attempts=1, error_code="QUOTA_WAIT")

    post.claim_upload()

    assert post.attempts == 1


def test_claiming_an_upload_after_an_error_counts_an_attempt():
    post = make_post(status=S.RENDERED, attempts=1, error_code="UPLOAD_RETRY")

    post.claim_upload()

    assert post.attempts == 2


@pytest.mark.parametrize(
    ("method", "status"),
    [
        ("approve", S.RENDERED),
        ("approve", S.FAILED),
        ("retry", S.COLLECTED),
        ("regenerate", S.PROCESSING),
        ("decline", S.DECLINED),
        ("claim_generation", S.FAILED),
        ("mark_rendered", S.FAILED),
        ("release", S.RENDERED),
    ],
)
def test_a_named_move_refuses_a_start_it_was_not_made_for(method, status):
    """The target is reachable from these statuses, but not by this move."""
    post = make_post(status=status)

    with pytest.raises(Post.InvalidTransition, match="cannot move"):
        getattr(post, method)()

    assert Post.objects.get(pk=post.pk).status == status
    assert not post.history.exists()


def test_a_finished_render_starts_the_upload_with_fresh_attempts():
    post = make_post(status=S.PROCESSING, attempts=2)

    post.mark_rendered()
    post.claim_upload()

    assert post.attempts == 1
