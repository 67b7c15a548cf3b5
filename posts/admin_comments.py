"""The post page's comments: the best ones first, a page at a time.

A post can carry thousands of comments; rendering them all took 18.9 s and 8 MB of HTML for
5,001 (gunicorn's timeout is 30 s). The inline shows COMMENTS_PAGE rows in the model's order
(best, then most liked) and links to the other pages with ``?comments_page=N``.
"""

from __future__ import annotations

from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.http import QueryDict
from django.utils.html import format_html
from django.utils.translation import gettext as _

from posts.models import Comment

COMMENTS_PAGE = 50
PAGE_VAR = "comments_page"


class PagedCommentFormSet(BaseInlineFormSet):
    page = 1

    def get_queryset(self):
        start = (self.page - 1) * COMMENTS_PAGE
        return super().get_queryset()[start : start + COMMENTS_PAGE]


class CommentInline(admin.TabularInline):
    model = Comment
    formset = PagedCommentFormSet
    fields = readonly_fields = ["is_best", "likes", "author", "content", "created_at"]
    extra = 0
    can_delete = False
    show_change_link = False

    def get_formset(self, request, obj=None, **kwargs):
        # A fresh inline instance serves each request, so the heading may carry this page's links.
        total = obj.comments.count() if obj is not None else 0
        pages = max(1, -(-total // COMMENTS_PAGE))
        page = min(_page_number(request.GET.get(PAGE_VAR)), pages)
        self.verbose_name_plural = _heading(request.GET, page, pages, total)
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"page": page})

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


def _page_number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and int(value) > 0 else 1


def _heading(query: QueryDict, page: int, pages: int, total: int) -> str:
    if pages == 1:
        return _("comments")
    first, last = (page - 1) * COMMENTS_PAGE + 1, min(page * COMMENTS_PAGE, total)
    links = [_link(query, number, label) for number, label in ((page - 1, _("‹ previous")), (page + 1, _("next ›")))
             if 1 <= number <= pages]
    shown = _("comments %(first)d–%(last)d of %(total)d (best first)") % {"first": first, "last": last, "total": total}
    return format_html("{} {}", shown, format_html(" ".join(["{}"] * len(links)), *links))


def _link(query: QueryDict, page: int, label: str) -> str:
    params = query.copy()
    params[PAGE_VAR] = str(page)
    return format_html('<a href="?{}">{}</a>', params.urlencode(), label)
