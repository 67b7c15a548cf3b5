"""The weekly schedule drafts "이번 주 베스트 TOP 5" from the week's best posts; a person approves it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from django_q.models import OrmQ, Schedule

from generation.compilation import compilation_suggest_weekly
from generation.models import Compilation
from generation.tasks import suggest_weekly
from ops.schedules import schedules
from posts.lifecycle import CompilationStatus as C
from posts.models import Status as S
from tests.factories import make_post

pytestmark = pytest.mark.django_db

# A Wednesday: the ISO week runs Monday 30 November to Sunday 6 December 2026.
NOW = timezone.make_aware(datetime(2026, 12, 2, 10, 0))


def post(score: float, status: str = S.UPLOADED, *, age: timedelta = timedelta(days=1), **fields):
    return make_post(status=status, score=score, source_published_at=NOW - age, **fields)


def test_the_weeks_best_scored_ranked_posts_become_a_draft_ranked_best_first():
    best, second, approved, fourth, fifth = (post(0.9), post(0.8, S.RENDERED), post(0.7, S.APPROVED),
                                             post(0.6), post(0.5, S.PROCESSING))
    post(0.4)  # sixth: TOP 5 only
    post(0.99, S.COLLECTED)  # not approved by anyone
    post(0.98, S.FAILED)
    post(0.97, age=timedelta(days=8))  # last week's
    post(0.96, duplicate_of=best)  # a copy of the best one

    compilation = compilation_suggest_weekly(NOW)

    assert compilation.title == "이번 주 베스트 TOP 5"
    assert compilation.status == C.DRAFT and compilation.created_by is None
    assert [item.post_id for item in compilation.items.order_by("rank")] == [
        best.pk, second.pk, approved.pk, fourth.pk, fifth.pk]
    assert compilation.suggestion == "weekly-2026-W49"


def test_running_twice_in_one_week_drafts_once_and_next_week_drafts_again():
    post(0.9), post(0.8)

    first = compilation_suggest_weekly(NOW)
    again = compilation_suggest_weekly(NOW + timedelta(days=4))  # Sunday, the same ISO week
    next_week = compilation_suggest_weekly(NOW + timedelta(days=5))

    assert first is not None and again is None and next_week is not None
    assert Compilation.objects.count() == 2


def test_a_draft_the_person_retitled_still_counts_for_its_week():
    post(0.9), post(0.8)
    Compilation.objects.filter(pk=compilation_suggest_weekly(NOW).pk).update(title="내 제목")

    assert compilation_suggest_weekly(NOW + timedelta(hours=1)) is None


def test_fewer_than_two_candidates_draft_nothing():
    post(0.9)
    post(0.8, S.COLLECTED)

    assert compilation_suggest_weekly(NOW) is None
    assert not Compilation.objects.exists()


def test_the_task_never_approves_so_nothing_is_queued_for_render(django_capture_on_commit_callbacks):
    make_post(status=S.UPLOADED, score=0.9)  # crawled just now, no source date
    make_post(status=S.RENDERED, score=0.8)

    with django_capture_on_commit_callbacks(execute=True):
        pk = suggest_weekly()

    assert Compilation.objects.get(pk=pk).status == C.DRAFT
    assert not OrmQ.objects.exists()


def test_the_suggestion_runs_weekly_on_the_default_cluster():
    item = next(i for i in schedules() if i["func"] == "generation.tasks.suggest_weekly")
    assert (item["schedule_type"], item["cluster"]) == (Schedule.WEEKLY, "default")
