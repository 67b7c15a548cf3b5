"""Two workers at once (MariaDB pass): the guarded transition and conditional updates decide."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from django.db import connection

from posts.models import Post
from publishing import tasks
from publishing.models import PublishSlot
from publishing.quota import QuotaExhausted, quota_left, quota_spend
from publishing.slots import slots_fill


def _together(target, n: int = 2) -> list:
    results, barrier = [], threading.Barrier(n)

    def run():
        barrier.wait()
        try:
            results.append(target())
        except Exception as exc:
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


@pytest.mark.mariadb
def test_two_deliveries_of_one_upload_make_one_video(mariadb_only, transactional_db, youtube, make_rendered):
    post = make_rendered()

    results = _together(lambda: tasks.upload(post.pk))

    assert sorted(results) == [False, True]
    assert len(youtube.videos) == 1
    assert Post.objects.get(pk=post.pk).history.filter(new="UPLOADED").count() == 1


@pytest.mark.mariadb
def test_two_workers_cannot_both_take_the_last_insert(mariadb_only, transactional_db, settings):
    settings.YOUTUBE_DAILY_INSERTS = 1
    now = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)

    results = _together(lambda: quota_spend("videos.insert", now=now))

    assert sorted(type(r).__name__ for r in results) == ["NoneType", "QuotaExhausted"]
    assert all(r is None or isinstance(r, QuotaExhausted) for r in results)
    assert quota_left(now=now)["inserts"] == 0


@pytest.mark.mariadb
def test_two_slot_fillers_book_each_slot_once(mariadb_only, transactional_db, make_rendered, frozen_now):
    frozen_now.moment = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
    for score in range(6):
        make_rendered(score=score)

    results = _together(slots_fill)

    assert sum(len(r) for r in results) == 3
    assert PublishSlot.objects.count() == 3
    assert PublishSlot.objects.values("post").distinct().count() == 3
