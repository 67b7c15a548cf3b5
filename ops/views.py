"""The public overview page and the health check for monitors."""

from __future__ import annotations

import shutil
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from ops.health import cluster_health
from ops.overview import CLUSTERS, overview_snapshot

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
    try:
        return cluster_health(name, timezone.now())
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
