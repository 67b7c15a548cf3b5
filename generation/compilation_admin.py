"""The compilation page: items inline in rank order (up/down buttons and Alt+↑/↓ reorder them),
each with its spoken-length estimate; approve, reject, re-render and upload with the posts' roles;
and "add to compilation" on the posts inbox."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Max
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

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
from generation.models import Compilation, CompilationChange, CompilationItem
from generation.script import split_sentences
from posts.admin import PostAdmin
from posts.lifecycle import CompilationStatus, InvalidTransition, Status
from posts.media import media_url
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
        return format_html('<button type="button" class="rank-up" title="{}">▲</button>'
                           '<button type="button" class="rank-down" title="{}">▼</button>',
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

    def has_approve_permission(self, request) -> bool:
        return request.user.has_perm("posts.approve_post")

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm("posts.publish_post")

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
