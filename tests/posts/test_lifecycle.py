from __future__ import annotations

import itertools

import pytest
from django.contrib.auth import get_user_model

from posts.lifecycle import MOVES, PENDING, TRANSITIONS, Failure, Phase
from posts.lifecycle import Status as S
from posts.models import Post, StatusChange
from tests.factories import make_post

pytestmark = pytest.mark.django_db

ALLOWED = [(old, new) for old, targets in TRANSITIONS.items() for new in sorted(targets)]
FORBIDDEN = [(old, new) for old, new in itertools.product(S.values, S.values) if new not in TRANSITIONS[old]]
# Every (move, source) the table declares, with a failure kind for the moves that record one.
STARTS = [(name, source) for name, move in MOVES.items() for source in sorted(move.sources)]
REFUSED = [(name, status) for name, move in MOVES.items() for status in S.values if status not in move.sources]
FAILURE_FOR = {
    "fail": Failure.RENDER_FAILED, "postpone_upload": Failure.UPLOAD_RETRY,
    "release_generation": Failure.LEASE_EXPIRED, "release_upload": Failure.UPLOAD_LEASE_EXPIRED,
    "mark_rejected": Failure.UPLOAD_REJECTED,
}


def test_the_transition_table_is_derived_from_the_moves():
    derived = {status: set() for status in S.values}
    for move in MOVES.values():
        for source in move.sources:
            derived[source] |= {move.target} if move.target else {kind.retry_to for kind in Failure}
    assert {status: frozenset(targets) for status, targets in derived.items()} == TRANSITIONS
    assert len(FORBIDDEN) == len(S.values) ** 2 - len(ALLOWED)


def test_each_waiting_status_has_one_follow_up_task():
    assert {status: task.func for status, task in PENDING.items()} == {
        S.APPROVED: "generation.tasks.generate",
        S.RENDERED: "publishing.tasks.upload",
        S.TAKING_DOWN: "publishing.tasks.take_down",
    }


def test_failure_codes_are_unique_and_fit_the_column():
    codes = [kind.code for kind in Failure]
    assert len(codes) == len(set(codes))
    assert max(map(len, codes)) <= Post._meta.get_field("error_code").max_length
    assert Failure.of("QUOTA_WAIT") is Failure.QUOTA_WAIT and Failure.of("nonsense") is None


@pytest.mark.parametrize(("old", "new"), ALLOWED)
def test_allowed_transition_changes_status_and_leaves_one_history_row(old, new):
    user = get_user_model().objects.create(username="mod")
    post = make_post(status=old)

    post.transition(new, by=user, reason="because")

    post.refresh_from_db()
    assert post.status == new
    change = post.history.get()
    assert (change.old, change.new, change.by, change.reason) == (old, new, user, "because")


@pytest.mark.parametrize(("old", "new"), FORBIDDEN)
def test_forbidden_transition_raises_and_changes_nothing(old, new):
    post = make_post(status=old)

    with pytest.raises(Post.InvalidTransition, match=f"{old} → {new} is not allowed"):
        post.transition(new)

    post.refresh_from_db()
    assert post.status == old
    assert not StatusChange.objects.exists()


@pytest.mark.parametrize(("move", "source"), STARTS)
def test_every_declared_move_lands_on_its_target_with_a_history_row(move, source):
    post = make_post(status=source, error_code=Failure.UPLOAD_FAILED.code if source == S.FAILED else "")

    assert post.can(move)
    post.apply(move, failure=FAILURE_FOR.get(move))

    expected = MOVES[move].target or S.RENDERED  # retry after an upload failure
    assert Post.objects.get(pk=post.pk).status == expected
    assert post.history.get().new == expected


@pytest.mark.parametrize(("move", "status"), REFUSED)
def test_a_move_refuses_every_status_it_was_not_declared_for(move, status):
    post = make_post(status=status)

    assert not post.can(move)
    with pytest.raises(Post.InvalidTransition, match=f"cannot {move}"):
        post.apply(move, failure=FAILURE_FOR.get(move))

    assert Post.objects.get(pk=post.pk).status == status
    assert not post.history.exists()


def test_a_failure_move_needs_a_kind_and_other_moves_refuse_one():
    with pytest.raises(ValueError, match="needs failure kind"):
        make_post(status=S.PROCESSING).apply("fail")
    with pytest.raises(ValueError, match="takes no failure kind"):
        make_post(status=S.COLLECTED).apply("approve", failure=Failure.QC_FAILED)


def test_a_move_from_a_stale_copy_is_lost_not_applied():
    post = make_post(status=S.APPROVED)
    stale = Post.objects.get(pk=post.pk)
    post.apply("claim_generation")

    with pytest.raises(Post.InvalidTransition, match="no longer APPROVED"):
        stale.apply("claim_generation")

    assert post.history.count() == 1


def test_claim_generation_counts_the_attempt_and_stamps_the_lease():
    post = make_post(status=S.APPROVED, upload_attempts=2)

    post.apply("claim_generation")

    assert (post.status, post.generation_attempts, post.upload_attempts) == (S.PROCESSING, 1, 2)
    assert post.claimed_at is not None


def test_fail_records_the_kind_its_permanence_and_history():
    post = make_post(status=S.PROCESSING)

    post.apply("fail", failure=Failure.TTS_INVALID, reason="nothing speakable")

    post.refresh_from_db()
    assert (post.status, post.failure, post.error_message) == (S.FAILED, Failure.TTS_INVALID, "nothing speakable")
    assert post.error_permanent
    assert post.history.get().error_code == "TTS_INVALID"


@pytest.mark.parametrize(
    ("failure", "target"),
    [(Failure.QC_FAILED, S.APPROVED), (Failure.UPLOAD_FAILED, S.RENDERED), (Failure.TAKE_DOWN_FAILED, S.TAKING_DOWN)],
)
def test_retry_goes_back_to_where_the_failed_phase_starts(failure, target):
    post = make_post(status=S.FAILED, error_code=failure.code)

    post.apply("retry")

    assert (post.status, post.error_code) == (target, "")


def test_a_person_grants_the_failed_phase_fresh_attempts_and_the_sweep_does_not():
    by_person = make_post(status=S.FAILED, error_code="RENDER_FAILED", generation_attempts=3, upload_attempts=1)
    automatic = make_post(status=S.FAILED, error_code="RENDER_FAILED", generation_attempts=2)

    by_person.apply("retry", by=get_user_model().objects.create(username="mod"), fresh=True)
    automatic.apply("retry")

    assert (by_person.generation_attempts, by_person.upload_attempts) == (0, 1)
    assert automatic.generation_attempts == 2


def test_a_retried_upload_waits_for_its_upload_at_once():
    post = make_post(status=S.FAILED, error_code="UPLOAD_FAILED")

    assert post.apply("retry") == PENDING[S.RENDERED]
    assert post.not_before is not None and post.queued_at is not None


def test_postpone_upload_keeps_the_reason_and_the_wait_and_queues_nothing_yet():
    from django.utils import timezone

    post = make_post(status=S.UPLOADING)
    until = timezone.now() + timezone.timedelta(hours=3)

    task = post.apply("postpone_upload", failure=Failure.QUOTA_WAIT, reason="waiting for quota", not_before=until)

    post.refresh_from_db()
    assert (post.status, post.failure, post.error_message) == (S.RENDERED, Failure.QUOTA_WAIT, "waiting for quota")
    assert (post.not_before, post.queued_at, task) == (until, None, None)


def test_a_later_move_clears_the_previous_error():
    post = make_post(status=S.RENDERED, error_code="UPLOAD_RETRY", error_message="503")

    post.apply("claim_upload")

    post.refresh_from_db()
    assert (post.error_code, post.error_message, post.not_before) == ("", "", None)


@pytest.mark.parametrize(("previous", "attempts"), [(Failure.QUOTA_WAIT, 1), (Failure.UPLOAD_AUTH, 1),
                                                    (Failure.UPLOAD_RETRY, 2)])
def test_a_claim_after_a_wait_the_post_did_not_cause_is_not_another_attempt(previous, attempts):
    post = make_post(status=S.RENDERED, upload_attempts=1, error_code=previous.code)

    post.apply("claim_upload")

    assert post.attempts(Phase.UPLOAD) == attempts


def test_a_finished_render_starts_the_upload_with_fresh_attempts():
    post = make_post(status=S.PROCESSING, generation_attempts=2, upload_attempts=3)

    post.apply("mark_rendered")
    post.apply("schedule_upload")
    post.apply("claim_upload")

    assert (post.generation_attempts, post.upload_attempts) == (2, 1)
