"""The compilation page: items inline in rank order, each with its spoken-length estimate, reordered
by dragging their handle, ▲/▼ or Alt+↑/↓ (a draft's new order is saved as it changes); a search of
the project's posts to add to a draft; approve, reject, re-render and upload with the posts' roles;
and "add to compilation" on the posts inbox."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.http import HttpResponseRedirect, JsonResponse, QueryDict
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from generation.compilation import (
    CompilationError,
    compilation_approve,
    compilation_create,
    compilation_extend,
    compilation_reject,
    compilation_reorder,
    compilation_rerender,
    compilation_schedule_upload,
    estimate_seconds,
)
from generation.compilation_candidates import CandidateSearch, compilation_candidates
from generation.models import Compilation, CompilationChange, CompilationItem
from generation.script import split_sentences
from posts.admin import PostAdmin
from posts.lifecycle import CompilationStatus, InvalidTransition, Status
from posts.media import media_url
from posts.models import Post
from posts.notices import upload_blocked


class ItemForm(forms.ModelForm):
    # The order the page shows, rewritten by the up/down buttons; the ranks follow it on save.
    order = forms.IntegerField(widget=forms.HiddenInput(attrs={"class": "compilation-order"}), required=False)

    class Meta:
        model = CompilationItem
        fields = ["post", "narration"]
        widgets = {"narration": forms.Textarea(attrs={"rows": 3, "cols": 60, "class": "compilation-narration"})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["order"].initial = self.instance.rank if self.instance.pk else None


class ItemInline(admin.TabularInline):
    model = CompilationItem
    form = ItemForm
    fields = ["rank", "move", "post", "narration", "spoken", "order"]
    readonly_fields = ["rank", "move", "spoken"]
    raw_id_fields = ["post"]
    ordering = ["rank"]
    extra = 0
    max_num = Compilation.MAX_ITEMS

    @admin.display(description=_("order"))
    def move(self, item: CompilationItem) -> str:
        return format_html('<button type="button" class="rank-handle" title="{}">⠿</button>'
                           '<button type="button" class="rank-up" title="{}">▲</button>'
                           '<button type="button" class="rank-down" title="{}">▼</button>',
                           gettext("Drag to reorder, or ↑/↓ while focused"),
                           gettext("Move up (Alt+↑)"), gettext("Move down (Alt+↓)"))

    @admin.display(description=_("spoken"))
    def spoken(self, item: CompilationItem) -> str:
        seconds = estimate_seconds(split_sentences(item.narration, min_syllables=1)) if item.narration else 0
        return format_html('<span class="spoken-length">{}</span>',
                           gettext("%(seconds)s s") % {"seconds": f"{seconds:.1f}"})


class ChangeInline(admin.TabularInline):
    model = CompilationChange
    fields = ["at", "old", "new", "by", "reason", "error_code"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Compilation)
class CompilationAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "item_count", "created_at"]
    list_filter = ["status"]
    fields = ["title", "intro", "outro", "description", "status", "error_code", "error_message", "video", "qc"]
    readonly_fields = ["status", "error_code", "error_message", "video", "qc"]
    inlines = [ItemInline, ChangeInline]
    actions = ["approve", "reject", "rerender", "upload_now"]

    class Media:
        js = ["admin/js/compilation_order.js"]
        css = {"all": ["admin/css/compilation.css"]}

    def has_approve_permission(self, request) -> bool:
        return request.user.has_perm("posts.approve_post")

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm("posts.publish_post")

    def may_edit(self, request, compilation: Compilation) -> bool:
        """Only a draft takes new posts and an order saved as it changes; the render reads both."""
        return compilation.status == CompilationStatus.DRAFT and self.has_change_permission(request, compilation)

    def get_urls(self):
        own = [
            path("<path:object_id>/add-post/", self.admin_site.admin_view(self.add_post_view),
                 name="generation_compilation_add_post"),
            path("<path:object_id>/reorder/", self.admin_site.admin_view(self.reorder_view),
                 name="generation_compilation_reorder"),
        ]
        return [*own, *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        compilation = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if compilation is not None and self.may_edit(request, compilation):
            search = CandidateSearch(request.GET)
            context.update(
                candidate_search=search, candidates=compilation_candidates(compilation, search),
                search_query=request.GET.urlencode(), room=Compilation.MAX_ITEMS - compilation.items.count(),
                add_post_url=reverse("admin:generation_compilation_add_post", args=[compilation.pk]),
                reorder_url=reverse("admin:generation_compilation_reorder", args=[compilation.pk]),
            )
        return super().change_view(request, object_id, form_url, context)

    def _changeable_or_deny(self, request, object_id) -> Compilation:
        compilation = self.get_object(request, object_id)
        if compilation is None or not self.has_change_permission(request, compilation):
            raise PermissionDenied
        return compilation

    @method_decorator(require_POST)
    def add_post_view(self, request, object_id):
        """The search's "Add" button: the post joins the draft after its last rank."""
        compilation = self._changeable_or_deny(request, object_id)
        number = request.POST.get("post", "")
        post = Post.objects.filter(pk=number).first() if number.isdigit() else None
        if post is None:
            self.message_user(request, gettext("No such post."), messages.ERROR)
        else:
            self._add_post(request, compilation, post)
        page = reverse("admin:generation_compilation_change", args=[compilation.pk])
        search = QueryDict(request.POST.get("search", "")).urlencode()  # re-encoded: only a query, never a URL
        return HttpResponseRedirect(f"{page}?{search}" if search else page)

    def _add_post(self, request, compilation: Compilation, post: Post) -> None:
        try:
            added = compilation_extend(compilation=compilation, posts=[post])
        except (InvalidTransition, CompilationError) as exc:
            self.message_user(request, gettext("Not added: %(reason)s") % {"reason": exc}, messages.WARNING)
            return
        if not added:
            self.message_user(request, gettext("‘%(title)s’ is already in this compilation") % {"title": post.title},
                              messages.WARNING)
            return
        self.message_user(request, gettext("‘%(title)s’ added") % {"title": post.title}, messages.SUCCESS)

    @method_decorator(require_POST)
    def reorder_view(self, request, object_id):
        """The page's JavaScript: ``post`` lists the draft's post ids, rank 1 first."""
        compilation = self._changeable_or_deny(request, object_id)
        if not self.may_edit(request, compilation):
            return JsonResponse({"ok": False, "message": gettext("Only a draft is reordered here; save the page.")},
                                status=409)
        try:
            post_ids = [int(value) for value in request.POST.getlist("post")]
            compilation_reorder(compilation=compilation, post_ids=post_ids)
        except ValueError:  # not a number, or a CompilationError: not this compilation's posts
            return JsonResponse({"ok": False, "message": gettext(
                "The order was not saved: the compilation changed meanwhile. Reload the page.")}, status=409)
        return JsonResponse({"ok": True, "message": gettext("Order saved.")})

    @admin.display(description=_("items"))
    def item_count(self, compilation: Compilation) -> int:
        return compilation.items.count()

    @admin.display(description=_("video"))
    def video(self, compilation: Compilation) -> str:
        if not compilation.video_path:
            return "—"
        return format_html('<video controls preload="none" width="270" poster="{}" src="{}"></video>',
                           media_url(compilation.tall_thumbnail_path), media_url(compilation.video_path))

    def save_formset(self, request, form, formset, change) -> None:
        if formset.model is not CompilationItem:
            return super().save_formset(request, form, formset, change)
        compilation = form.instance
        # The change message reads these, as formset.save() would have set them.
        formset.new_objects, formset.changed_objects = [], []
        formset.deleted_objects = [f.instance for f in formset.deleted_forms if f.instance.pk]
        with transaction.atomic():
            kept = [f for f in formset.forms if f.has_changed() or f.instance.pk]
            kept = [f for f in kept if not (formset.can_delete and formset._should_delete_form(f))]
            for gone in formset.deleted_forms:
                if gone.instance.pk:
                    gone.instance.delete()
            top = compilation.items.aggregate(top=Max("rank"))["top"] or 0
            for number, item_form in enumerate(kept, 1):
                item = item_form.save(commit=False)
                if not item.pk:
                    item.compilation, item.rank = compilation, top + number
                    formset.new_objects.append(item)
                elif item_form.has_changed():
                    formset.changed_objects.append((item, item_form.changed_data))
                item.save()
            order = sorted(kept, key=lambda f: (f.cleaned_data.get("order") or 99, f.instance.rank))
            compilation_reorder(compilation=compilation, post_ids=[f.instance.post_id for f in order])

    def _each(self, request, queryset, service, message: str, **kwargs) -> None:
        """Run ``service`` on each compilation; ``message`` reports %(done)d and %(skipped)d."""
        done, skipped = 0, 0
        for compilation in queryset:
            try:
                service(compilation=compilation, by=request.user, **kwargs)
                done += 1
            except (InvalidTransition, CompilationError):
                skipped += 1
        self.message_user(request, message % {"done": done, "skipped": skipped},
                          messages.SUCCESS if done else messages.WARNING)

    @admin.action(description=_("Approve selected compilations (render them)"), permissions=["approve"])
    def approve(self, request, queryset) -> None:
        self._each(request, queryset, compilation_approve, gettext("%(done)d approved, %(skipped)d skipped"))

    @admin.action(description=_("Reject selected compilations"), permissions=["approve"])
    def reject(self, request, queryset) -> None:
        self._each(request, queryset, compilation_reject, gettext("%(done)d rejected, %(skipped)d skipped"))

    @admin.action(description=_("Re-render selected compilations"), permissions=["approve"])
    def rerender(self, request, queryset) -> None:
        self._each(request, queryset, compilation_rerender, gettext("%(done)d re-rendering, %(skipped)d skipped"))

    @admin.action(description=_("Upload selected compilations now"), permissions=["publish"])
    def upload_now(self, request, queryset) -> None:
        if upload_blocked():  # queued, it would only wait for the login: say so, as the posts' action does
            self.message_user(
                request, gettext("Nothing queued: uploads cannot run now (see the warning on the inbox)."),
                messages.ERROR,
            )
            return
        self._each(request, queryset, compilation_schedule_upload,
                   gettext("%(done)d queued for upload, %(skipped)d skipped"))


@admin.action(description=_("Add selected posts to a compilation"), permissions=["approve"])
def add_to_compilation(model_admin, request, queryset) -> None:
    """Extend the person's newest draft, or start one: the selection ranked best score first."""
    posts = list(queryset.order_by("-score", "pk"))
    draft = Compilation.objects.filter(status=CompilationStatus.DRAFT, created_by=request.user).order_by("-pk").first()
    try:
        if draft is not None:
            added = compilation_extend(compilation=draft, posts=posts)
        else:
            draft, added = compilation_create(posts=posts, by=request.user), len(posts)
    except CompilationError as exc:
        model_admin.message_user(request, gettext("Not added: %(reason)s") % {"reason": exc}, messages.WARNING)
        return
    model_admin.message_user(request, gettext("%(count)d added to compilation %(pk)s (%(title)s)") % {
        "count": added, "pk": draft.pk, "title": draft.title,
    }, messages.SUCCESS)


add_to_compilation.statuses = {Status.APPROVED, Status.RENDERED, Status.UPLOADED}
PostAdmin.actions = [*PostAdmin.actions, add_to_compilation]
