"""Public status page, health check for monitors, and the staff-only media view."""

from __future__ import annotations

import mimetypes
import shutil
from importlib.util import find_spec
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import FileResponse, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from posts.media import MediaPathError, media_resolve
from posts.status import status_snapshot
from wagglebot.lib.ranges import Unsatisfiable, file_slice, range_parse

STATUS_CACHE_KEY = "posts:status"


@require_GET
@cache_control(public=True, max_age=5)
def status_page(request):
    snapshot = cache.get_or_set(STATUS_CACHE_KEY, status_snapshot, settings.STATUS_CACHE_SECONDS)
    return render(request, "posts/status.html", snapshot)


@require_GET
@cache_control(no_store=True)
def healthz(request):
    checks = {"database": _database_check(), "broker": _broker_check(), "disk": _disk_check()}
    gpu = _gpu_check()
    if gpu is not None:
        checks["gpu"] = gpu
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


def _gpu_check() -> dict | None:
    """Reported only where torch is installed; a missing GPU is down only if one is required."""
    if find_spec("torch") is None:
        return {"ok": False, "error": "torch is not installed"} if settings.HEALTHZ_REQUIRE_GPU else None
    import torch

    # device_count/get_device_name do not create a CUDA context, which would take GPU memory
    # away from the renderer in the web process.
    count = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if count == 0:
        return {"ok": False, "devices": 0} if settings.HEALTHZ_REQUIRE_GPU else None
    return {"ok": True, "devices": count, "name": torch.cuda.get_device_name(0)}


@require_GET
def media_file(request, path: str):
    """Serve a file under MEDIA_ROOT to staff, with Range support so <video> can seek."""
    user = request.user
    if not (user.is_active and user.is_staff and user.has_perm("posts.view_post")):
        return HttpResponse("Staff only.", status=403, content_type="text/plain")
    try:
        file = media_resolve(path)
    except MediaPathError:
        return HttpResponse("Not found.", status=404, content_type="text/plain")
    size = file.stat().st_size
    try:
        byte_range = range_parse(request.headers.get("Range", ""), size)
    except Unsatisfiable:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return _private(response)
    if byte_range is None:
        response = FileResponse(file.open("rb"), content_type=_content_type(file))
    else:
        start, end = byte_range
        response = StreamingHttpResponse(file_slice(file, start, end), status=206, content_type=_content_type(file))
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    return _private(response)


def _content_type(file: Path) -> str:
    return mimetypes.guess_type(file.name)[0] or "application/octet-stream"


def _private(response: HttpResponse) -> HttpResponse:
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, max-age=300"
    return response
