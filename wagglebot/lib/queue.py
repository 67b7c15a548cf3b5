"""Enqueue Django-Q2 tasks once the surrounding transaction commits.

A task enqueued inside a transaction that later rolls back would run against rows that never
existed; ``on_commit`` also keeps a worker from loading a post before its new status is visible.
"""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django_q.tasks import async_task


def enqueue(func: str, *args, cluster: str) -> None:
    transaction.on_commit(partial(async_task, func, *args, cluster=cluster))
