"""Workers with their own connections race to claim the same compilations on MariaDB."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection

from generation.models import Compilation, CompilationChange
from posts.lifecycle import CompilationStatus as C
from posts.lifecycle import InvalidTransition
from tests.factories import make_compilation

WORKERS = 4
COMPILATIONS = 20


@pytest.mark.mariadb
@pytest.mark.django_db(transaction=True)
def test_every_compilation_is_claimed_exactly_once_by_racing_workers(mariadb_only):
    ids = [make_compilation(status=C.APPROVED, count=2).pk for _ in range(COMPILATIONS)]
    wins: Counter[int] = Counter()
    crashes: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(WORKERS)

    def worker() -> None:
        start.wait()
        try:
            for pk in ids:
                compilation = Compilation.objects.get(pk=pk)
                try:
                    compilation.apply("claim_generation")
                except InvalidTransition:
                    continue
                with lock:
                    wins[pk] += 1
        except BaseException as exc:
            crashes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert crashes == []
    assert dict(wins) == dict.fromkeys(ids, 1)
    assert Compilation.objects.filter(status=C.PROCESSING, generation_attempts=1).count() == COMPILATIONS
    assert CompilationChange.objects.filter(new=C.PROCESSING).count() == COMPILATIONS
