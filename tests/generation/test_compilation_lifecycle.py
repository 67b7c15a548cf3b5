"""A compilation moves through its own table of posts.lifecycle with the post's guarantees."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.models import OrmQ

from generation.compilation import (
    CompilationError,
    compilation_approve,
    compilation_create,
    compilation_extend,
    compilation_reject,
    compilation_reopen,
    compilation_reorder,
    compilation_rerender,
)
from generation.models import Compilation, CompilationChange
from posts.lifecycle import COMPILATION_LIFECYCLE, COMPILATION_MOVES, Failure, InvalidTransition
from posts.lifecycle import CompilationStatus as C
from posts.models import Post
from posts.models import Status as S
from posts.services import lifecycle_move
from posts.tasks import sweep
from tests.factories import make_compilation, make_post

pytestmark = pytest.mark.django_db


def queued() -> list[tuple[str, tuple, str]]:
    return sorted((task.func(), task.args(), task.key) for task in OrmQ.objects.all())


def test_approving_a_draft_queues_its_render_on_the_gpu_cluster_and_records_who(
        admin_user, django_capture_on_commit_callbacks):
    compilation = make_compilation()

    with django_capture_on_commit_callbacks(execute=True):
        compilation_approve(compilation=compilation, by=admin_user)

    assert Compilation.objects.get(pk=compilation.pk).status == C.APPROVED
    change = CompilationChange.objects.get(compilation=compilation)
    assert (change.old, change.new, change.by) == (C.DRAFT, C.APPROVED, admin_user)
    assert queued() == [("generation.tasks.compile", (compilation.pk,), "gpu")]


def test_a_draft_with_one_post_cannot_be_approved(admin_user):
    compilation = make_compilation(count=1)

    with pytest.raises(CompilationError, match="2–10 are needed"):
        compilation_approve(compilation=compilation, by=admin_user)
    assert Compilation.objects.get(pk=compilation.pk).status == C.DRAFT


@pytest.mark.parametrize("move", sorted(COMPILATION_MOVES))
def test_every_move_is_refused_from_a_status_outside_its_sources(move):
    spec = COMPILATION_MOVES[move]
    outside = next(status for status in C if status not in spec.sources)
    compilation = make_compilation(status=outside)

    with pytest.raises(InvalidTransition, match=f"cannot {move}"):
        compilation.apply(move, failure=Failure.RENDER_FAILED if spec.failure else None)


def test_the_compilation_table_reaches_every_status_and_a_rejected_draft_can_reopen():
    reached = {target for targets in COMPILATION_LIFECYCLE.transitions.values() for target in targets}
    assert reached == set(C)
    assert C.DRAFT in COMPILATION_LIFECYCLE.transitions[C.REJECTED]
    assert C.REJECTED in COMPILATION_LIFECYCLE.transitions[C.APPROVED]


def test_reject_and_reopen_go_through_the_history(admin_user):
    compilation = make_compilation()

    compilation_reject(compilation=compilation, by=admin_user, reason="too similar")
    compilation_reopen(compilation=compilation, by=admin_user)

    moves = CompilationChange.objects.filter(compilation=compilation).order_by("at", "pk")
    assert [(c.old, c.new) for c in moves] == [(C.DRAFT, C.REJECTED), (C.REJECTED, C.DRAFT)]


def test_a_stale_copy_loses_to_the_move_made_first():
    compilation = make_compilation(status=C.APPROVED)
    stale = Compilation.objects.get(pk=compilation.pk)
    compilation.apply("claim_generation")

    with pytest.raises(InvalidTransition, match="no longer APPROVED"):
        stale.apply("claim_generation")
    assert CompilationChange.objects.filter(new=C.PROCESSING).count() == 1


def test_a_failed_render_retries_to_approved_and_a_rendered_one_rerenders(admin_user,
                                                                          django_capture_on_commit_callbacks):
    failed = make_compilation(status=C.PROCESSING, generation_attempts=1)
    lifecycle_move(failed, "fail", failure=Failure.QC_FAILED, reason="badge order")
    rendered = make_compilation(status=C.RENDERED)

    with django_capture_on_commit_callbacks(execute=True):
        compilation_rerender(compilation=failed, by=admin_user)
        compilation_rerender(compilation=rendered, by=admin_user)

    failed.refresh_from_db()
    assert (failed.status, failed.generation_attempts, failed.error_code) == (C.APPROVED, 0, "")
    assert Compilation.objects.get(pk=rendered.pk).status == C.APPROVED
    assert queued() == sorted([("generation.tasks.compile", (failed.pk,), "gpu"),
                               ("generation.tasks.compile", (rendered.pk,), "gpu")])


def test_the_sweep_releases_a_compilation_whose_worker_died_and_queues_lost_work(
        settings, django_capture_on_commit_callbacks):
    long_ago = timezone.now() - timedelta(seconds=settings.GENERATION_LEASE_SECONDS + 60)
    stuck = make_compilation(status=C.PROCESSING, generation_attempts=1, claimed_at=long_ago)
    lost = make_compilation(status=C.APPROVED)  # approved, but its enqueue never reached the broker

    with django_capture_on_commit_callbacks(execute=True):
        counts = sweep()

    stuck.refresh_from_db()
    assert (stuck.status, stuck.error_code) == (C.APPROVED, "LEASE_EXPIRED")
    assert (counts["released"], counts["requeued"]) == (1, 1)
    assert queued() == sorted([("generation.tasks.compile", (stuck.pk,), "gpu"),
                               ("generation.tasks.compile", (lost.pk,), "gpu")])


def test_a_post_can_be_ranked_in_several_compilations_and_the_order_is_given_by_the_person():
    posts = [make_post(status=S.UPLOADED) for _ in range(3)]

    first = compilation_create(posts=posts, title="A")
    second = compilation_create(posts=posts[::-1], title="B")
    compilation_reorder(compilation=first, post_ids=[posts[2].pk, posts[0].pk, posts[1].pk])

    assert [i.post_id for i in first.items.order_by("rank")] == [posts[2].pk, posts[0].pk, posts[1].pk]
    assert [i.post_id for i in second.items.order_by("rank")] == [p.pk for p in posts[::-1]]
    assert Post.objects.get(pk=posts[0].pk).compilations.count() == 2


def test_only_approved_rendered_or_uploaded_posts_can_be_ranked_and_at_most_ten():
    with pytest.raises(CompilationError, match="only approved, rendered or uploaded"):
        compilation_create(posts=[make_post(status=S.COLLECTED), make_post(status=S.RENDERED)])
    compilation = make_compilation(count=9)
    with pytest.raises(CompilationError, match="at most 10"):
        compilation_extend(compilation=compilation, posts=[make_post(status=S.RENDERED) for _ in range(2)])
    assert compilation_extend(compilation=compilation, posts=[make_post(status=S.RENDERED)]) == 1
