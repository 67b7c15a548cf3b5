from __future__ import annotations

from django.contrib import admin

from publishing.models import PublishSlot, QuotaUsage, VideoStats


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


@admin.register(VideoStats)
class VideoStatsAdmin(ReadOnlyAdmin):
    list_display = ["post", "platform_id", "views", "likes", "comments", "fetched_at"]
    list_select_related = ["post"]
    ordering = ["-views"]
