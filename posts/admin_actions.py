"""Moderation actions for the inbox: each loops over the selection, calls a model move, and
ends with one summary message. An invalid move is counted as skipped, never a 500."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.template.response import TemplateResponse

from posts.models import Post, Status
from posts.queue import generation_enqueue, post_resume, take_down_enqueue, upload_enqueue


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 60}), max_length=2000)

    def __init__(self, *args, required: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required

class ModerationActions:
    """Mixed into ``PostAdmin``; permission names map to ``has_<name>_permission``."""

    def has_approve_permission(self, request) -> bool:
        return request.user.has_perm("posts.approve_post")

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm("posts.publish_post")

    def _apply(self, request, queryset: QuerySet, move: Callable[[Post], None], verb: str, *, sources) -> None:
        """Run ``move`` on each post waiting in one of ``sources``; count the rest as skipped.

        The source check matters because the transition table is keyed by target: approving a
        RENDERED post would otherwise regenerate it, and retrying a COLLECTED one approve it.
        """
        done, skipped = 0, 0
        for post in queryset:
            try:
                if post.status not in sources:
                    raise Post.InvalidTransition(f"post {post.pk} is {post.status}")
                move(post)
                done += 1
            except Post.InvalidTransition:
                skipped += 1
        level = messages.SUCCESS if done else messages.WARNING
        self.message_user(request, f"{done} {verb}, {skipped} skipped", level)

    def _reason_page(self, request, queryset: QuerySet, *, action: str, title: str, required: bool):
        """The intermediate page asking for a reason; returns None once the form was applied."""
        form = ReasonForm(request.POST if "apply" in request.POST else None, required=required)
        if form.is_bound and form.is_valid():
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "form": form,
            "action": action,
            "posts": queryset,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/posts/post/reason_form.html", context)

    @admin.action(description="Approve selected posts", permissions=["approve"])
    def approve(self, request, queryset):
        def move(post: Post) -> None:
            post.approve(by=request.user)
            generation_enqueue(post)

        self._apply(request, queryset, move, "approved", sources={Status.COLLECTED})

    @admin.action(description="Decline selected posts…", permissions=["approve"])
    def decline(self, request, queryset):
        page = self._reason_page(request, queryset, action="decline", title="Decline posts", required=False)
        if page is not None:
            return page
        reason = request.POST.get("reason", "")
        self._apply(
            request, queryset, lambda post: post.decline(by=request.user, reason=reason), "declined",
            sources={Status.COLLECTED, Status.APPROVED},
        )
        return None

    @admin.action(description="Undo decline", permissions=["approve"])
    def undo_decline(self, request, queryset):
        self._apply(
            request, queryset, lambda post: post.undo_decline(by=request.user), "returned to the inbox",
            sources={Status.DECLINED},
        )

    @admin.action(description="Retry failed posts", permissions=["approve"])
    def retry_failed(self, request, queryset):
        def move(post: Post) -> None:
            post.retry(by=request.user)
            post_resume(post)

        self._apply(request, queryset, move, "retried", sources={Status.FAILED})

    @admin.action(description="Regenerate rendered posts", permissions=["approve"])
    def regenerate(self, request, queryset):
        def move(post: Post) -> None:
            post.regenerate(by=request.user)
            generation_enqueue(post)

        self._apply(request, queryset, move, "sent back to generation", sources={Status.RENDERED})

    @admin.action(description="Upload now", permissions=["publish"])
    def upload_now(self, request, queryset):
        # The upload task claims the post itself; only a RENDERED post can be claimed.
        self._apply(request, queryset, upload_enqueue, "queued for upload", sources={Status.RENDERED})

    @admin.action(description="Take down uploaded videos…", permissions=["publish"])
    def take_down(self, request, queryset):
        page = self._reason_page(request, queryset, action="take_down", title="Take down videos", required=True)
        if page is not None:
            return page
        reason = request.POST["reason"]
        queued = [post for post in queryset if post.status == Status.UPLOADED]
        for post in queued:
            take_down_enqueue(post, by=request.user, reason=reason)
        skipped = len(queryset) - len(queued)
        self.message_user(
            request, f"{len(queued)} queued for take-down, {skipped} skipped",
            messages.SUCCESS if queued else messages.WARNING,
        )
        return None
