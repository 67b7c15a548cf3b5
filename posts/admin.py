"""The moderation console: the inbox (Post changelist) and the post page."""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Substr
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from posts import admin_users  # noqa: F401  (the user admin with roles, the login form)
from posts.admin_actions import ModerationActions
from posts.admin_comments import CommentInline
from posts.admin_filters import (
    ALL,
    BoundedCountPaginator,
    CollectedFilter,
    HasImagesFilter,
    IncompleteFilter,
    JSONFirst,
    JSONLength,
    ScoreTierFilter,
    StatusFilter,
)
from posts.admin_instant import DECLINE_PRESETS, UNDO_SECONDS, InstantMoves
from posts.lifecycle import MOVES, Failure, Phase, Status
from posts.media import inbox_thumbnail, media_url
from posts.models import Comment, Post, PostImage, StatusChange
from posts.notices import inbox_notices
from wagglebot.lib.ages import age_ko

EXCERPT_CHARS = 80
DELETED = gettext_lazy("deleted at the source")
BODY_CHARS = 300
# Django 6's empty choice in the action menu has no Korean in Django's own catalog; marking it here
# puts it in ours, which Django reads first.
gettext_noop("- Select an option -")
LIST_DEFERRED = ("content", "images", "stats", "error_message", "url")


def safe_link(url: str, text: str = "") -> str:
    """A link only for http(s) URLs; anything else (``javascript:``, ``data:``) stays plain text."""
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        return format_html("{}", text or url)
    return format_html('<a href="{}" rel="noreferrer noopener" target="_blank">{}</a>', url, text or url)


class InboxChangeList(ChangeList):
    """Only the changelist pays for annotations and defers the big text columns."""

    def get_queryset(self, request, exclude_parameters=None) -> QuerySet:
        # One row per story: cross-site copies are listed beside their canonical copy (issue 4).
        qs = super().get_queryset(request, exclude_parameters).filter(duplicate_of__isnull=True)
        best = Comment.objects.filter(post=OuterRef("pk")).order_by("-is_best", "-likes", "pk")
        first_cached = PostImage.objects.filter(post=OuterRef("pk")).exclude(thumbnail="").order_by("position")
        qs = qs.defer(*LIST_DEFERRED).annotate(
            image_count=JSONLength("images"), first_image=JSONFirst("images"),
            first_thumbnail=Subquery(first_cached.values("thumbnail")[:1]),
            excerpt=Substr("content", 1, BODY_CHARS),
            best_comment=Substr(Subquery(best.values("content")[:1]), 1, EXCERPT_CHARS),
            best_comment_likes=Subquery(best.values("likes")[:1]),
        )
        if self.params.get(StatusFilter.parameter_name) == Status.DECLINED:
            why = StatusChange.objects.filter(post=OuterRef("pk"), new=Status.DECLINED).order_by("-at", "-pk")
            qs = qs.annotate(decline_reason=Subquery(why.values("reason")[:1]))
        return qs

    def get_ordering(self, request, queryset) -> list:
        """The chosen column and the id in the same direction, so (status, column) serves the sort.

        Django would also append the default ordering (``-score``) and always ``-pk``; either
        turns an index scan into a filesort of every matching row.
        """
        if self.params.get(StatusFilter.parameter_name) == ALL and ORDER_VAR not in self.params:
            return ["-pk"]  # across every status no (status, score) index applies; the id index does
        ordering = super().get_ordering(request, queryset.order_by())
        first = ordering[0] if ordering else None
        if isinstance(first, str) and len(ordering) == 2 and ordering[-1] in ("pk", "-pk"):
            ordering[-1] = "-pk" if first.startswith("-") else "pk"
        return ordering

    def get_results(self, request) -> None:
        super().get_results(request)
        self.result_list = copies_attach(list(self.result_list))
        capped = getattr(self.paginator, "capped", False)
        self.count_label = f"{settings.ADMIN_COUNT_LIMIT}+" if capped else str(self.result_count)


def copies_attach(posts: list[Post]) -> list[Post]:
    """Give each row its other copies (``post.copies``), in one query for the whole page."""
    copies: dict[int, list[Post]] = defaultdict(list)
    if posts:
        rows = Post.objects.filter(duplicate_of__in=[p.pk for p in posts]).order_by("site_code", "pk")
        for copy in rows.only("pk", "site_code", "duplicate_of"):
            copies[copy.duplicate_of_id].append(copy)
    for post in posts:
        post.copies = copies[post.pk]
    return posts


class ReadOnlyInline(admin.TabularInline):
    """Rows the pipeline writes about a post; the post page shows them, nobody edits them."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class StatusChangeInline(ReadOnlyInline):
    model = StatusChange
    verbose_name_plural = gettext_lazy("status history")
    fields = readonly_fields = ["at", "move", "who", "reason", "error_code"]

    def get_queryset(self, request) -> QuerySet:
        return super().get_queryset(request).select_related("by")

    @admin.display(description=gettext_lazy("from → to"))
    def move(self, change: StatusChange) -> str:
        return f"{change.old} → {change.new}"

    @admin.display(description=gettext_lazy("who"))
    def who(self, change: StatusChange) -> str:
        return change.by.get_username() if change.by else _("system")


class PostPagePart:
    """Something another app shows and handles on the post page: an inline, the template context
    it needs, and what it does when the page is saved. Apps register one from their admin module
    with ``post_page_extend``: posts cannot import them, since dependencies point apps → posts."""

    inline: type[admin.options.InlineModelAdmin] | None = None

    def context(self, model_admin: PostAdmin, request, post: Post) -> dict:
        return {}

    def formset_saving(self, request, formset) -> None:
        """Called before an inline formset of the page is saved."""

    def respond(self, model_admin: PostAdmin, request, post: Post) -> bool:
        """Handle the saved page's button, if it is this part's; True when handled."""
        return False

    def views(self, model_admin: PostAdmin) -> dict:
        """Small endpoints the page's scripts call: {name: view}, served at ``page/<name>/``."""
        return {}


def post_page_extend(part: PostPagePart) -> None:
    PostAdmin.parts.append(part)


# The admin action of each move, so the inbox offers only the actions its status allows.
ACTION_MOVES = {
    "approve": "approve", "decline": "decline", "undo_decline": "undo_decline", "retry_failed": "retry",
    "regenerate": "regenerate", "upload_now": "schedule_upload", "take_down": "request_take_down",
    "reject_short": "reject_short", "unhold": "unhold",
}


def _action_statuses(name: str, func) -> set[str]:
    """The statuses an inbox action applies to: its move's sources, or what another app's action
    declares (``func.statuses``, e.g. "add to compilation"), else every status."""
    if name in ACTION_MOVES:
        return MOVES[ACTION_MOVES[name]].sources
    return getattr(func, "statuses", set(Status))


@admin.register(Post)
class PostAdmin(InstantMoves, ModerationActions, admin.ModelAdmin):
    # Column positions are the ?o= sort numbers: views 4, likes 5, score 7, age 8.
    list_display = [
        "title", "thumbnail", "summary", "views", "likes", "comments", "percentile", "collected_at", "also_on",
        "incomplete_badge",  # last: the sort links number the columns (o=-8 is newest)
    ]
    list_display_links = ["title"]
    sortable_by = ["views", "likes", "percentile", "collected_at"]
    list_filter = [StatusFilter, "site_code", HasImagesFilter, IncompleteFilter, ScoreTierFilter, CollectedFilter]
    list_select_related = ()  # no relation is shown per row; nothing to join
    search_fields = ["title", "content"]
    ordering = ["-score"]
    paginator = BoundedCountPaginator
    show_full_result_count = False
    list_per_page = settings.ADMIN_LIST_PER_PAGE
    actions = [
        "approve", "decline", "reject_short", "undo_decline", "unhold", "retry_failed", "regenerate", "upload_now",
        "take_down",
    ]
    inlines = [CommentInline, StatusChangeInline]
    parts: list[PostPagePart] = []  # filled by the apps' admin modules (post_page_extend)
    readonly_fields = [
        "title", "source_link", "site_code", "author", "source_published_at", "views", "likes", "comment_count",
        "score", "duplicate_of", "missing", "source_state", "content", "gallery", "status", "waiting", "error_code",
        "error_message", "attempts", "claimed_at", "created_at", "updated_at",
    ]
    fieldsets = [
        (None, {"fields": [
            "title", "source_link", "source_state", "site_code", "author", "source_published_at", "duplicate_of",
            "missing",
        ]}),
        (gettext_lazy("Engagement"), {"fields": ["views", "likes", "comment_count", "score"]}),
        (gettext_lazy("Text"), {"fields": ["content", "gallery"]}),
        (gettext_lazy("Pipeline"), {"fields": [
            "status", "waiting", "error_code", "error_message", "attempts", "claimed_at", "created_at", "updated_at",
        ]}),
    ]

    class Media:
        css = {"all": ["admin/css/triage.css"]}

    def changelist_view(self, request, extra_context=None):
        if self.has_publish_permission(request):
            for notice in inbox_notices(request.user):  # e.g. why uploads cannot run (publishing registers it)
                self.message_user(request, notice, messages.WARNING)
        # The rows need the width: no horizontal scrolling at 1366 px.
        context = {"is_nav_sidebar_enabled": False, **self._keys_context(request), **(extra_context or {})}
        return super().changelist_view(request, context)

    def _keys_context(self, request, **urls) -> dict:
        """What the keyboard script (static/admin/js/triage.js) needs, for ``json_script``."""
        config = {
            "changelist": reverse("admin:posts_post_changelist"), "presets": DECLINE_PRESETS,
            "undoSeconds": UNDO_SECONDS, "canModerate": self.has_approve_permission(request),
            "text": {
                "undo": _("Undo"), "failed": _("That did not work; reload the page."),
                "offline": _("The server did not answer."), "empty": _("Nothing left to triage here."),
                "reason": _("Why is this post declined?"),
            },
            # The post page's status badge follows each move: the label, not the stored value.
            "statuses": {value: str(label) for value, label in Status.choices},
            **urls,
        }
        return {"triage_config": config, "decline_presets": DECLINE_PRESETS}

    def get_list_display(self, request):
        status = request.GET.get(StatusFilter.parameter_name)
        extra = {ALL: ["status"], Status.DECLINED: ["decline_reason"]}.get(status, [])
        return [*self.list_display, *extra]

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        """The actions the user's role allows and, on a one-status view, that status allows.

        No bulk delete: a published post is removed by taking it down. A POST runs whatever
        action the role allows; each move checks the post's status itself.
        """
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)
        status = request.GET.get(StatusFilter.parameter_name) or Status.COLLECTED
        if request.method != "GET" or status == ALL:
            return actions
        return {name: action for name, action in actions.items() if status in _action_statuses(name, action.func)}

    def get_changelist(self, request, **kwargs):
        return InboxChangeList

    def has_add_permission(self, request) -> bool:
        return False  # posts come from the crawlers

    # Inbox columns ------------------------------------------------------------------------

    def action_checkbox(self, post: Post) -> str:
        # The same markup as Django's, without a form-widget template render per row, which
        # was a third of the inbox's server time at 50 rows.
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            ACTION_CHECKBOX_NAME, post.pk, _("Select %(post)s") % {"post": post},
        )

    @admin.display(description=gettext_lazy("images"))
    def thumbnail(self, post: Post) -> str:
        """The first image (the crawl's cached thumbnail, else the source's URL) with the image
        count, under a badge when the source deleted the post."""
        badge = ""
        if post.deleted_at_source is not None:
            badge = format_html('<span class="badge badge-deleted" title="{}">{}</span><br>', DELETED, _("deleted"))
        count = post.image_count or 0
        src = inbox_thumbnail(post.first_thumbnail, post.first_image)
        if not src:
            return format_html('{}<span class="inbox-noimage">{}</span>', badge, count or "")
        return format_html(
            '{}<span class="inbox-thumbbox"><img src="{}" alt="" class="inbox-thumb" loading="lazy" '
            'referrerpolicy="no-referrer"><span class="inbox-count">{}</span></span>', badge, src, count,
        )

    @admin.display(description=gettext_lazy("parsed"))
    def incomplete_badge(self, post: Post) -> str:
        if not post.incomplete:
            return ""
        missing = _("not found on the page: %(fields)s") % {"fields": ", ".join(post.missing_fields)}
        return format_html('<span class="badge-incomplete" title="{}">{}</span>', missing, _("incomplete"))

    @admin.display(description=gettext_lazy("post"))
    def summary(self, post: Post) -> str:
        excerpt = post.excerpt or ""
        more = "…" if len(excerpt) >= BODY_CHARS else ""
        best = ""
        if post.best_comment:
            best = format_html(
                '<div class="inbox-best"><span class="inbox-best-label">{}</span> {} <span class="inbox-best-likes">'
                "♥ {}</span></div>", _("best comment"), post.best_comment, post.best_comment_likes or 0,
            )
        return format_html('<div class="inbox-excerpt">{}{}</div>{}', excerpt, more, best)

    @admin.display(description=gettext_lazy("comments"))
    def comments(self, post: Post) -> int:
        return post.comment_count

    @admin.display(description=gettext_lazy("score"), ordering="score")
    def percentile(self, post: Post) -> str:
        # The score is the post's percentile within its site (crawling/scoring.py), in (0, 1).
        top = max(1, round((1 - min(max(post.score, 0.0), 1.0)) * 100))
        return format_html('<span title="{}">{}</span>', f"{post.score:.3f}", _("top %(percent)s%%") % {"percent": top})

    @admin.display(description=gettext_lazy("age"), ordering="created_at")
    def collected_at(self, post: Post) -> str:
        posted = post.source_published_at or post.created_at
        return format_html(
            '<span title="{}">{}</span>', f"{timezone.localtime(posted):%Y-%m-%d %H:%M}", age_ko(posted, timezone.now())
        )

    @admin.display(description=gettext_lazy("decline reason"))
    def decline_reason(self, post: Post) -> str:
        return getattr(post, "decline_reason", "") or ""

    @admin.display(description=gettext_lazy("site"))
    def also_on(self, post: Post) -> str:
        """The post's site, and the sites of its copies ("duplicates"), one column for the width."""
        links = format_html_join(", ", '<a href="{}">{}</a>', (
            (reverse("admin:posts_post_change", args=[copy.pk]), copy.get_site_code_display())
            for copy in getattr(post, "copies", ())
        ))
        if not links:
            return post.get_site_code_display()
        return format_html('{}<div class="inbox-copies">{} {}</div>', post.get_site_code_display(), _("also on"), links)

    # Post page ----------------------------------------------------------------------------

    @admin.display(description=gettext_lazy("source"))
    def source_link(self, post: Post) -> str:
        return safe_link(post.url)

    @admin.display(description=gettext_lazy("not found on the page"))
    def missing(self, post: Post) -> str:
        """Fields the parser could not read: check them against the source before approving."""
        return ", ".join(post.missing_fields) or "—"

    @admin.display(description=gettext_lazy("images"))
    def gallery(self, post: Post) -> str:
        """The thumbnails the crawl cached, each linking to its full image, and every source URL
        with why its image could not be used."""
        rows = list(post.image_files.all())
        cached = format_html_join(
            "", '<a href="{}" target="_blank"><img src="{}" alt="" class="gallery-image" width="{}"></a>',
            ((media_url(row.file), media_url(row.thumbnail), min(row.width, 320)) for row in rows if row.file),
        )
        failed = {row.source_url: _("not used: %(why)s") % {"why": row.error} for row in rows if row.error}
        urls = (item.get("url", "") if isinstance(item, dict) else str(item) for item in post.images or [])
        originals = format_html_join(
            "", "<li>{}{}</li>",
            ((safe_link(url), format_html(" — {}", failed[url]) if url in failed else "") for url in urls),
        )
        return format_html('<div class="gallery">{}</div><ul class="image-sources">{}</ul>', cached, originals)

    @admin.display(description=gettext_lazy("at the source"))
    def source_state(self, post: Post) -> str:
        if post.deleted_at_source is None:
            return "—"
        when = f"{timezone.localtime(post.deleted_at_source):%Y-%m-%d %H:%M}"
        seen = _("(seen %(when)s)") % {"when": when}
        return format_html('<span class="badge badge-deleted">{}</span> {}', DELETED, seen)

    @admin.display(description=gettext_lazy("waiting"))
    def waiting(self, post: Post) -> str:
        if post.not_before is None or post.status != Status.RENDERED:
            return "—"
        when = f"{timezone.localtime(post.not_before):%Y-%m-%d %H:%M %Z}"
        if post.failure is Failure.UPLOAD_AUTH:  # no wait ends this: a person must log in again
            return _("blocked: %(why)s; an administrator must log in again (next try %(when)s)") % {
                "why": _(post.failure.label), "when": when,
            }
        why = _(post.failure.label) if post.failure else _("upload requested")
        return _("%(why)s: upload at %(when)s") % {"why": why, "when": when}

    @admin.display(description=gettext_lazy("attempts"))
    def attempts(self, post: Post) -> str:
        return ", ".join(f"{phase.label.lower()} {post.attempts(phase)}" for phase in Phase)

    def get_urls(self):
        parts = [
            path(f"page/{name}/", self.admin_site.admin_view(view), name=f"posts_post_{name}")
            for part in self.parts for name, view in part.views(self).items()
        ]
        return [*parts, *super().get_urls()]

    def get_inlines(self, request, obj):
        return [*(part.inline for part in self.parts if part.inline), *self.inlines]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        post = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if post is not None:
            previous, following = self.post_neighbours(post)
            page = lambda pk: reverse("admin:posts_post_change", args=[pk]) if pk else ""  # noqa: E731
            urls = {"moveUrl": reverse("admin:posts_post_move", args=[post.pk]),
                    "previousUrl": page(previous), "nextUrl": page(following)}
            context.update(self._keys_context(request, **urls), can_approve=post.can("approve"),
                           can_decline=post.can("decline"))
        for part in self.parts if post is not None else ():
            context.update(part.context(self, request, post))
        return super().change_view(request, object_id, form_url, context)

    def save_formset(self, request, form, formset, change) -> None:
        for part in self.parts:
            part.formset_saving(request, formset)
        super().save_formset(request, form, formset, change)

    def response_change(self, request, post: Post):
        for part in self.parts:
            if part.respond(self, request, post):
                return HttpResponseRedirect(request.path)  # stay on the post and watch its stage
        return super().response_change(request, post)

    def post_neighbours(self, post: Post) -> tuple[int | None, int | None]:
        """The inbox rows above and below ``post`` (collected posts, best score first)."""
        inbox = Post.objects.filter(status=Status.COLLECTED, duplicate_of__isnull=True).exclude(pk=post.pk)
        after = Q(score__lt=post.score) | Q(score=post.score, pk__lt=post.pk)
        following = inbox.filter(after).order_by("-score", "-pk").values_list("pk", flat=True).first()
        previous = inbox.exclude(after).order_by("score", "pk").values_list("pk", flat=True).first()
        return previous, following


admin.site.site_header = gettext_lazy("WaggleBot moderation")
admin.site.site_title = "WaggleBot"
