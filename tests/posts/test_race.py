"""Eight workers with their own connections race for the same 200 posts on MariaDB."""

from __future__ import annotations

import contextlib
import random
import threading
from collections import Counter

import pytest
from django.db import connection

from posts.models import Post, StatusChange
from posts.models import Status as S
from tests.factories import make_post

WORKERS = 8
POSTS = 200


@pytest.mark.mariadb
@pytest.mark.django_db(transaction=True)
def test_every_post_is_claimed_exactly_once_by_racing_workers(mariadb_only):
    ids = [make_post(status=S.APPROVED).pk for _ in range(POSTS)]
    wins: Counter[int] = Counter()
    losses: Counter[int] = Counter()
    crashes: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(WORKERS)

    def worker(seed: int) -> None:
        order = ids[:]
        random.Random(seed).shuffle(order)
        start.wait()
        try:
            for pk in order:
                post = Post.objects.get(pk=pk)
                try:
                    post.apply("claim_generation")
                except Post.InvalidTransition:
                    with lock:
                        losses[pk] += 1
                else:
                    with lock:
                        wins[pk] += 1
        except BaseException as exc:
            crashes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert crashes == []
    assert set(wins) == set(ids)
    assert set(wins.values()) == {1}
    assert sum(losses.values()) == POSTS * (WORKERS - 1)
    assert Post.objects.filter(status=S.PROCESSING, generation_attempts=1).count() == POSTS
    assert StatusChange.objects.filter(new=S.PROCESSING).count() == POSTS


@pytest.mark.mariadb
@pytest.mark.django_db(transaction=True)
def test_a_deletion_hold_racing_the_generation_claim_leaves_each_post_held_or_claimed_never_both(mariadb_only):
    from posts.services import post_flag_deleted

    ids = [make_post(status=S.APPROVED).pk for _ in range(100)]
    crashes: list[BaseException] = []
    start = threading.Barrier(2)

    def claim() -> None:
        start.wait()
        try:
            for pk in ids:
                with contextlib.suppress(Post.InvalidTransition):
                    Post.objects.get(pk=pk).apply("claim_generation")
        except BaseException as exc:
            crashes.append(exc)
        finally:
            connection.close()

    def hold() -> None:
        start.wait()
        try:
            for pk in reversed(ids):
                post_flag_deleted(post=Post.objects.get(pk=pk), reason="deleted at the source")
        except BaseException as exc:
            crashes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim), threading.Thread(target=hold)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert crashes == []
    posts = Post.objects.filter(pk__in=ids)
    assert posts.filter(deleted_at_source__isnull=True).count() == 0
    assert posts.filter(status=S.HELD).count() + posts.filter(status=S.PROCESSING).count() == 100
    for post in posts:
        assert list(post.history.values_list("new", flat=True)) in ([S.HELD], [S.PROCESSING])
