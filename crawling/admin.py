from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crawling.models import CrawlFailure, CrawlRun, SourceEdit
from posts.admin import PostPagePart, ReadOnlyInline, post_page_extend


class CrawlFailureInline(admin.TabularInline):
    model = CrawlFailure
    fields = ("at", "url", "error")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CrawlRun)
class CrawlRunAdmin(admin.ModelAdmin):
    list_display = (
        "site_code", "started_at", "finished_at", "pages", "new", "updated", "skipped", "failed", "layout",
    )
    list_filter = ("site_code",)
    readonly_fields = (*list_display, "parsed", "field_shares")
    inlines = [CrawlFailureInline]

    @admin.display(description=_("layout"))
    def layout(self, run: CrawlRun) -> str:
        """Fields whose page sources fell sharply against recent runs (crawling.drift)."""
        if not run.degraded:
            return gettext("ok") if run.parsed else "—"
        degraded = gettext("degraded: %(fields)s") % {"fields": ", ".join(run.drift_fields)}
        return format_html('<strong class="errornote">{}</strong>', degraded)

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(CrawlFailure)
class CrawlFailureAdmin(admin.ModelAdmin):
    list_display = ("at", "run", "url", "error")
    list_select_related = ("run",)
    list_filter = ("run__site_code",)
    search_fields = ("url", "error")
    readonly_fields = ("run", "url", "error", "at")

    def has_add_permission(self, request) -> bool:
        return False


class SourceEditInline(ReadOnlyInline):
    model = SourceEdit
    verbose_name_plural = _("edits at the source (the text each replaced)")
    fields = readonly_fields = ["at", "old_title", "old_hash", "new_hash"]


class SourceEditPage(PostPagePart):
    inline = SourceEditInline


post_page_extend(SourceEditPage())
