"""Moderation actions for the inbox: each loops over the selection, calls a model move, and
ends with one summary message. An invalid move is counted as skipped, never a 500."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from posts import services
from posts.models import Post
from posts.notices import upload_blocked


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3, "cols": 60}), max_length=2000
    )

    def __init__(self, *args, required: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required


class ModerationActions:
    """Mixed into ``PostAdmin``; permission names map to ``has_<name>_permission``."""

    def has_approve_permission(self, request) -> bool:
        return request.user.has_perm("posts.approve_post")

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm("posts.publish_post")

    def _apply(self, request, queryset: QuerySet, service: Callable[..., None], summary: str, **kwargs) -> None:
        """Run ``service`` on each selected post; a post the move does not apply to is skipped.

        ``summary`` is the translated message, with ``%(done)d`` and ``%(skipped)d`` in it: a whole
        sentence per action, since languages do not order "1 approved" alike.

        Each post is its own transaction (the service's): changelist actions get none from
        Django, and one post that moved meanwhile must not undo the others.
        """
        done, skipped = 0, 0
        for post in queryset:
            try:
                service(post=post, by=request.user, **kwargs)
                done += 1
            except Post.InvalidTransition:
                skipped += 1
        level = messages.SUCCESS if done else messages.WARNING
        self.message_user(request, summary % {"done": done, "skipped": skipped}, level)

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

    @admin.action(description=gettext_lazy("Approve selected posts"), permissions=["approve"])
    def approve(self, request, queryset):
        self._apply(request, queryset, services.post_approve, _("%(done)d approved, %(skipped)d skipped"))

    @admin.action(description=gettext_lazy("Decline selected posts…"), permissions=["approve"])
    def decline(self, request, queryset):
        page = self._reason_page(request, queryset, action="decline", title=_("Decline posts"), required=False)
        if page is not None:
            return page
        self._apply(
            request, queryset, services.post_decline, _("%(done)d declined, %(skipped)d skipped"),
            reason=request.POST.get("reason", ""),
        )
        return None

    @admin.action(description=gettext_lazy("Reject rendered or failed shorts…"), permissions=["approve"])
    def reject_short(self, request, queryset):
        page = self._reason_page(request, queryset, action="reject_short", title=_("Reject shorts"), required=True)
        if page is not None:
            return page
        self._apply(
            request, queryset, services.post_reject_short, _("%(done)d rejected, %(skipped)d skipped"),
            reason=request.POST["reason"],
        )
        return None

    @admin.action(description=gettext_lazy("Undo decline"), permissions=["approve"])
    def undo_decline(self, request, queryset):
        self._apply(
            request, queryset, services.post_undo_decline, _("%(done)d returned to the inbox, %(skipped)d skipped")
        )

    @admin.action(description=gettext_lazy("Release held posts to the inbox"), permissions=["approve"])
    def unhold(self, request, queryset):
        self._apply(request, queryset, services.post_unhold, _("%(done)d returned to the inbox, %(skipped)d skipped"))

    @admin.action(description=gettext_lazy("Retry failed posts"), permissions=["approve"])
    def retry_failed(self, request, queryset):
        self._apply(request, queryset, services.post_retry, _("%(done)d retried, %(skipped)d skipped"))

    @admin.action(description=gettext_lazy("Regenerate rendered posts"), permissions=["approve"])
    def regenerate(self, request, queryset):
        self._apply(
            request, queryset, services.post_regenerate, _("%(done)d sent back to generation, %(skipped)d skipped")
        )

    @admin.action(description=gettext_lazy("Upload now"), permissions=["publish"])
    def upload_now(self, request, queryset):
        if upload_blocked():  # queued, it would only wait for the login: say so instead of "1 queued"
            self.message_user(request, _("Nothing queued: uploads cannot run now (see the warning above)."),
                              messages.ERROR)
            return
        self._apply(
            request, queryset, services.post_schedule_upload, _("%(done)d queued for upload, %(skipped)d skipped")
        )

    @admin.action(description=gettext_lazy("Take down uploaded videos…"), permissions=["publish"])
    def take_down(self, request, queryset):
        page = self._reason_page(request, queryset, action="take_down", title=_("Take down videos"), required=True)
        if page is not None:
            return page
        self._apply(
            request, queryset, services.post_request_take_down, _("%(done)d queued for take-down, %(skipped)d skipped"),
            reason=request.POST["reason"],
        )
        return None
