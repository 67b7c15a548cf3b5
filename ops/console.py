"""The console's Progress and Gallery pages: what the pipeline is doing, and what it made.

Admin pages (``admin.site.admin_view``) for anyone who may view posts; the buttons on them call
the same services as the inbox's actions, each checked against the user's role.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib import admin, messages
from django.db.models import Count
from django.http import HttpResponseForbidden, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from generation.models import Short
from generation.speech import short_voice_fell_back
from ops.health import cluster_health
from ops.models import ClusterHeartbeat
from ops.overview import CLUSTERS
from posts import services
from posts.lifecycle import Status
from posts.models import Post

S = Status
IN_FLIGHT = (S.APPROVED, S.PROCESSING, S.UPLOADING, S.TAKING_DOWN)
LIST_LIMIT = 50
GALLERY_STATUSES = (S.RENDERED, S.UPLOADING, S.UPLOADED)
STAGE_LABELS = {
    S.APPROVED: gettext_lazy("waiting for the GPU worker"),
    S.UPLOADING: gettext_lazy("uploading"),
    S.TAKING_DOWN: gettext_lazy("taking down"),
}
# The generation stages a worker reports (generation/pipeline.py), as the console names them.
GENERATION_STAGES = {
    "script": gettext_lazy("script"), "speech": gettext_lazy("speech"), "images": gettext_lazy("images"),
    "render": gettext_lazy("render"), "qc": gettext_lazy("qc"),
}


def elapsed(since: datetime | None, now: datetime) -> str:
    if since is None:
        return ""
    seconds = max(0, int((now - since).total_seconds()))
    if seconds < 3600:
        return f"{seconds // 60}:{seconds % 60:02d}"
    return _("%(hours)dh %(minutes)dm") % {"hours": seconds // 3600, "minutes": seconds // 60 % 60}


def post_stage(post: Post, now: datetime) -> dict:
    """What an in-flight post is doing and for how long (the generation stage from its short)."""
    if post.status == S.APPROVED and post.not_before and post.not_before > now:
        return {"stage": _("undo window"), "since": post.updated_at}
    if post.status == S.PROCESSING:
        short = getattr(post, "short", None)
        current = ((short.generation_meta or {}).get("current") or {}) if short else {}
        started = current.get("started_at")
        since = datetime.fromisoformat(started) if started else post.claimed_at
        stage = current.get("stage")
        return {"stage": GENERATION_STAGES.get(stage, stage) if stage else _("starting"), "since": since}
    label = STAGE_LABELS.get(post.status, "")
    return {"stage": str(label), "since": post.claimed_at or post.updated_at}


def _cluster_alarms(now: datetime) -> list[dict]:
    """Each cluster, its last heartbeat, and the alarm: down by the rule ``/healthz`` uses."""
    return [{"name": name, "last_seen": ClusterHeartbeat.objects.last_seen(name),
             "alarm": not cluster_health(name, now)["ok"]} for name in CLUSTERS]


def progress_snapshot(now: datetime) -> dict:
    found = dict(Post.objects.order_by().values_list("status").annotate(n=Count("id")))
    flying = (
        Post.objects.filter(status__in=IN_FLIGHT).select_related("short")
        .only("pk", "title", "status", "claimed_at", "updated_at", "not_before", "short__generation_meta")
        .order_by("status", "updated_at")[:LIST_LIMIT]
    )
    in_flight = []
    for post in flying:
        stage = post_stage(post, now)
        in_flight.append({"post": post, "stage": stage["stage"], "elapsed": elapsed(stage["since"], now)})
    failed = (
        Post.objects.filter(status=S.FAILED).only("pk", "title", "error_code", "error_message", "updated_at")
        .order_by("-updated_at")[:LIST_LIMIT]
    )
    return {
        "counts": [(value, label, found.get(value, 0)) for value, label in S.choices],
        "in_flight": in_flight, "failed": failed, "clusters": _cluster_alarms(now), "now": now,
    }


def _one_post(request, pk: int) -> JsonResponse:
    post = get_object_or_404(Post.objects.select_related("short"), pk=pk)
    now = timezone.now()
    stage = post_stage(post, now) if post.status in IN_FLIGHT else {"stage": "", "since": None}
    return JsonResponse({"post": {
        "status": post.status, "status_label": post.get_status_display(), "in_flight": post.status in IN_FLIGHT,
        "stage": str(stage["stage"]), "elapsed": elapsed(stage["since"], now),
    }})


def progress(request):
    if not request.user.has_perm("posts.view_post"):
        return HttpResponseForbidden()
    if request.method == "POST":
        return _retry(request)
    if request.GET.get("post", "").isdigit():
        return _one_post(request, int(request.GET["post"]))
    context = {
        **admin.site.each_context(request), "is_nav_sidebar_enabled": False, "title": _("Progress"),
        **progress_snapshot(timezone.now()),
        "can_retry": request.user.has_perm("posts.approve_post"),
    }
    template = "ops/console_progress_body.html" if request.GET.get("partial") else "ops/console_progress.html"
    return TemplateResponse(request, template, context)


def _retry(request):
    if not request.user.has_perm("posts.approve_post"):
        return HttpResponseForbidden()
    post = get_object_or_404(Post, pk=request.POST.get("post"))
    try:
        services.post_retry(post=post, by=request.user)
        messages.success(request, _("‘%(title)s’ retried") % {"title": post.title})
    except Post.InvalidTransition as exc:
        messages.warning(request, str(exc))
    return HttpResponseRedirect(request.path)


# Gallery ------------------------------------------------------------------------------------

GALLERY_ACTIONS = {
    # name: (permission, the move it needs, service call)
    "upload": ("posts.publish_post", "schedule_upload",
               lambda post, by, reason: services.post_schedule_upload(post=post, by=by)),
    "rerender": ("posts.approve_post", "regenerate",
                 lambda post, by, reason: services.post_regenerate(post=post, by=by)),
    "take_down": ("posts.publish_post", "request_take_down",
                  lambda post, by, reason: services.post_request_take_down(post=post, by=by, reason=reason)),
}


def gallery_items(user) -> list[dict]:
    shorts = (
        Short.objects.filter(post__status__in=GALLERY_STATUSES).exclude(video_path="")
        .select_related("post").defer("script", "script_data", "description", "timings", "post__content",
                                     "post__images", "post__stats")
        .order_by("-post__updated_at")[:LIST_LIMIT]
    )
    items = []
    for short in shorts:
        qc = short.qc or {}
        actions = [
            name for name, (permission, move, _call) in GALLERY_ACTIONS.items()
            if user.has_perm(permission) and short.post.can(move)
        ]
        measured = qc.get("measured") or qc  # QCReport.to_dict(); older rows kept the figures flat
        items.append({
            "short": short, "post": short.post, "qc_passed": bool(qc.get("passed", True)),
            "qc_checked": bool(qc), "qc_reasons": "; ".join(qc.get("reasons") or []),
            "duration": measured.get("duration_s"),
            "voice": "fallback" if short_voice_fell_back(short) else "neural", "actions": actions,
        })
    return items


def gallery(request):
    if not request.user.has_perm("posts.view_post"):
        return HttpResponseForbidden()
    if request.method == "POST":
        return _gallery_act(request)
    context = {
        **admin.site.each_context(request), "is_nav_sidebar_enabled": False, "title": _("Gallery"),
        "items": gallery_items(request.user),
    }
    return TemplateResponse(request, "ops/console_gallery.html", context)


def _gallery_act(request):
    spec = GALLERY_ACTIONS.get(request.POST.get("action", ""))
    if spec is None or not request.user.has_perm(spec[0]):
        return HttpResponseForbidden()
    post = get_object_or_404(Post, pk=request.POST.get("post"))
    reason = request.POST.get("reason", "").strip()
    try:
        spec[2](post, request.user, reason)
        messages.success(request, _("‘%(title)s’: done") % {"title": post.title})
    except (Post.InvalidTransition, ValueError) as exc:
        messages.warning(request, str(exc))
    return HttpResponseRedirect(request.path)


def console_urls() -> list:
    """Mounted under admin/ before the admin's own URLs (wagglebot/urls.py)."""
    return [
        path("progress/", admin.site.admin_view(progress), name="console-progress"),
        path("gallery/", admin.site.admin_view(gallery), name="console-gallery"),
    ]
