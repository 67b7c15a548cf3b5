from django.contrib import admin

from posts.models import Post, StatusChange


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    fields = ["at", "old", "new", "by", "reason", "error_code"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["title", "site_code", "status", "score", "views", "likes", "created_at"]
    list_filter = ["status", "site_code"]
    search_fields = ["title"]
    readonly_fields = ["status", "error_code", "error_message", "attempts", "claimed_at", "created_at"]
    inlines = [StatusChangeInline]
