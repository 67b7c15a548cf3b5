"""Instant moves for the inbox and the post page: a small JSON endpoint the keyboard calls.

Each request makes one move through the same services the admin actions use. An approval
queues its generation only after ``UNDO_SECONDS``, so the undo the page offers never races a
worker; a decline queues nothing and can be undone any time (``undo_decline``).
"""

from __future__ import annotations

from django.http import JsonResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from posts import services
from posts.models import Post

UNDO_SECONDS = 10
# Number keys 1–5 decline with these; 6 asks for the moderator's own words.
DECLINE_PRESETS = {"1": "개인정보", "2": "저작권", "3": "중복", "4": "재미없음", "5": "선정성"}
MAX_REASON_CHARS = 2000


def _approve(post: Post, by, reason: str) -> None:
    services.post_approve(post=post, by=by, undo_seconds=UNDO_SECONDS)


def _decline(post: Post, by, reason: str) -> None:
    services.post_decline(post=post, by=by, reason=reason)


def _undo_approve(post: Post, by, reason: str) -> None:
    services.post_undo_approve(post=post, by=by)


def _undo_decline(post: Post, by, reason: str) -> None:
    services.post_undo_decline(post=post, by=by)


# move → (service, the move that undoes it, message)
INSTANT_MOVES = {
    "approve": (_approve, "undo_approve", gettext_noop("‘%(title)s’ approved")),
    "decline": (_decline, "undo_decline", gettext_noop("‘%(title)s’ declined")),
    "undo_approve": (_undo_approve, "", gettext_noop("‘%(title)s’ is back in the inbox")),
    "undo_decline": (_undo_decline, "", gettext_noop("‘%(title)s’ is back in the inbox")),
}


class InstantMoves:
    """Mixed into ``PostAdmin``: ``<id>/move/`` answers JSON for the console's JavaScript."""

    def get_urls(self):
        view = self.admin_site.admin_view(self.move_view)
        return [path("<path:object_id>/move/", view, name="posts_post_move"), *super().get_urls()]

    def move_view(self, request, object_id):
        return _move(request, self, object_id)


@require_POST
def _move(request, model_admin, object_id):
    if not model_admin.has_approve_permission(request):
        return JsonResponse({"ok": False, "message": _("You may not moderate posts.")}, status=403)
    post = model_admin.get_object(request, object_id)
    spec = INSTANT_MOVES.get(request.POST.get("move", ""))
    if post is None or spec is None:
        return JsonResponse({"ok": False, "message": _("No such post or move.")}, status=404)
    service, undo, message = spec
    reason = request.POST.get("reason", "").strip()[:MAX_REASON_CHARS]
    try:
        service(post, request.user, reason)
    except Post.InvalidTransition as exc:
        return JsonResponse({"ok": False, "message": str(exc), "status": post.status}, status=409)
    return JsonResponse({
        "ok": True, "message": _(message) % {"title": post.title}, "status": post.status,
        "undo": undo, "undo_seconds": UNDO_SECONDS if undo else 0,
    })
