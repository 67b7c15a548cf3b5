"""The public overview page and the health check for monitors."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from ops.models import ClusterHeartbeat
from ops.overview import CLUSTERS, overview_snapshot
from posts.lifecycle import LEASES, PENDING
from posts.models import Post

OVERVIEW_CACHE_KEY = "ops:overview"


@require_GET
@cache_control(public=True, max_age=5)
def overview(request):
    snapshot = cache.get_or_set(OVERVIEW_CACHE_KEY, overview_snapshot, settings.STATUS_CACHE_SECONDS)
    return render(request, "ops/overview.html", snapshot)


@require_GET
@cache_control(no_store=True)
def healthz(request):
    checks = {"database": _database_check(), "broker": _broker_check(), "disk": _disk_check()}
    checks.update({f"cluster_{name}": _cluster_check(name) for name in CLUSTERS})
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse({"ok": healthy, **checks}, status=200 if healthy else 503)


def _database_check() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "vendor": connection.vendor}


def _broker_check() -> dict:
    from django_q.brokers import get_broker

    try:
        broker = get_broker()
        return {"ok": bool(broker.ping()), "type": type(broker).__name__}
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}


def _disk_check() -> dict:
    root = Path(settings.MEDIA_ROOT)
    existing = next((p for p in (root, *root.parents) if p.exists()), Path("/"))
    free = shutil.disk_usage(existing).free
    return {"ok": free >= settings.HEALTHZ_MIN_FREE_MB * 1024 * 1024, "free_mb": free // (1024 * 1024)}


def _cluster_check(name: str) -> dict:
    """Down when the cluster sent no heartbeat lately while work waits for it; idle and silent is ok.

    Nothing here imports the workers' code: the ML stack would cost the web process seconds and
    hundreds of MB on the first call, and the web machine need not have a GPU at all.
    """
    within = timedelta(seconds=settings.HEALTHZ_HEARTBEAT_SECONDS)
    try:
        alive = ClusterHeartbeat.objects.alive(name, timezone.now(), within)
        waiting = _work_waiting(name)
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": alive or not waiting, "heartbeat": alive, "work_waiting": waiting}


def _work_waiting(name: str) -> bool:
    """Posts waiting for a task of cluster ``name``, or held by one of its workers, or queued tasks."""
    waiting = Q(pk__in=[])
    for status, task in PENDING.items():
        if task.cluster == name:
            waiting |= Q(status=status) & task.waiting
    # A claimed post is held by a worker of the cluster that serves the status its lease returns to.
    claimed = [status for status, (_, failure) in LEASES.items() if PENDING[failure.retry_to].cluster == name]
    if Post.objects.filter(waiting | Q(status__in=claimed)).exists():
        return True
    from django_q.brokers import get_broker

    return bool(get_broker(name).queue_size())
