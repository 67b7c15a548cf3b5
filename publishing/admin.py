from __future__ import annotations

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from generation.compilation_admin import CompilationAdmin
from posts.admin import PostPagePart, ReadOnlyInline, post_page_extend, safe_link
from publishing.models import PublishSlot, QuotaUsage, Upload


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the publishing tasks; people look, they do not edit."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(QuotaUsage)
class QuotaUsageAdmin(ReadOnlyAdmin):
    list_display = ["day", "bucket", "used"]
    list_filter = ["bucket"]


@admin.register(PublishSlot)
class PublishSlotAdmin(ReadOnlyAdmin):
    list_display = ["at", "post", "created_at"]
    list_select_related = ["post"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return True  # freeing a slot lets the next fill book it for another post


@admin.register(Upload)
class UploadAdmin(ReadOnlyAdmin):
    list_display = ["post", "compilation", "platform", "state", "video_id", "uploaded_at", "processing_status",
                    "views", "likes", "comments", "stats_fetched_at"]
    list_filter = ["platform", "state"]
    list_select_related = ["post", "compilation"]
    ordering = ["-uploaded_at"]
    exclude = ["session"]


class UploadInline(ReadOnlyInline):
    """Where the post's (or compilation's) video is on each platform and how it does; written by the uploads."""

    model = Upload
    verbose_name_plural = _("uploads")
    fields = readonly_fields = ["platform", "state", "error", "result", "publish_at", "processing_status",
                                "processing_reason", "thumbnail_set_at", "taken_down_at"]

    @admin.display(description=_("video"))
    def result(self, upload: Upload) -> str:
        if not upload.url and not upload.video_id:
            return "—"
        when = " " + gettext("at %(when)s") % {
            "when": f"{timezone.localtime(upload.uploaded_at):%Y-%m-%d %H:%M}",
        } if upload.uploaded_at else ""
        numbers = " · " + gettext("%(views)d views, %(likes)d likes, %(comments)d comments") % {
            "views": upload.views, "likes": upload.likes, "comments": upload.comments,
        }
        return format_html("{} {}{}{}", safe_link(upload.url), upload.video_id, when,
                           numbers if upload.stats_fetched_at else "")


class UploadPage(PostPagePart):
    inline = UploadInline


post_page_extend(UploadPage())
# generation may not import publishing: the compilation page gets its uploads from here.
CompilationAdmin.inlines = [*CompilationAdmin.inlines, UploadInline]
