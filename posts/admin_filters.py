"""Inbox filters and the paginator that keeps a 100k-row changelist cheap."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import admin
from django.core.paginator import Paginator
from django.db.models import CharField, Func, IntegerField, QuerySet
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from posts.models import Status

ALL = "all"


class JSONLength(Func):
    """Length of a JSON array column, so the image count is part of the list query."""

    function = "JSON_LENGTH"
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="JSON_ARRAY_LENGTH", **extra)


class JSONFirst(Func):
    """The first item of a JSON array column as text (a JSON object stays JSON text)."""

    template = "JSON_UNQUOTE(JSON_EXTRACT(%(expressions)s, '$[0]'))"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="JSON_EXTRACT(%(expressions)s, '$[0]')", **extra)


class BoundedCountPaginator(Paginator):
    """Counts at most ``ADMIN_COUNT_LIMIT`` rows.

    ``COUNT(*)`` over a filtered 100k-row table on every page view is what makes large admin
    changelists slow; past the limit the moderator narrows the view with a filter instead.
    """

    @cached_property
    def count(self) -> int:
        limit = settings.ADMIN_COUNT_LIMIT
        rows = self.object_list.order_by().values("pk")  # no annotations: the count needs none
        return rows[: limit + 1].count() if limit else rows.count()

    def page(self, number):
        """Pick the page's ids first, then load those rows with their annotations.

        The id query is answered from the (status, column) index alone. Asking for whole rows
        in one go lets MariaDB fetch every skipped row while it walks the index, and for a
        range filter on the sort column (a score tier) it walks from the top of the index.
        """
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        ids = list(self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        rows = self.object_list.in_bulk(ids)
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)

    @property
    def capped(self) -> bool:
        return bool(settings.ADMIN_COUNT_LIMIT) and self.count > settings.ADMIN_COUNT_LIMIT


class StatusFilter(admin.SimpleListFilter):
    """Status, defaulting to the inbox (COLLECTED) instead of everything."""

    title = gettext_lazy("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [(ALL, _("All")), *Status.choices]

    def value(self):
        return super().value() or Status.COLLECTED

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        return queryset if self.value() == ALL else queryset.filter(status=self.value())

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class HasImagesFilter(admin.SimpleListFilter):
    title = gettext_lazy("images")
    parameter_name = "has_images"

    def lookups(self, request, model_admin):
        return [("yes", _("With images")), ("no", _("Without images"))]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.exclude(images=[])
        if self.value() == "no":
            return queryset.filter(images=[])
        return queryset


class IncompleteFilter(admin.SimpleListFilter):
    """Posts the crawler saved although some fields (a title block, a date) could not be read."""

    title = gettext_lazy("parsed")
    parameter_name = "parsed"

    def lookups(self, request, model_admin):
        return [("incomplete", _("Incomplete")), ("complete", _("Complete"))]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        if self.value() == "incomplete":
            return queryset.exclude(missing_fields=[])
        if self.value() == "complete":
            return queryset.filter(missing_fields=[])
        return queryset


class ScoreTierFilter(admin.SimpleListFilter):
    """High / mid / low by ``ADMIN_SCORE_HIGH`` and ``ADMIN_SCORE_MID``: a range on the score index."""

    title = gettext_lazy("score tier")
    parameter_name = "tier"

    def lookups(self, request, model_admin):
        high, mid = settings.ADMIN_SCORE_HIGH, settings.ADMIN_SCORE_MID
        high, mid = f"{high:g}", f"{mid:g}"
        return [
            ("high", _("High (≥ %(high)s)") % {"high": high}),
            ("mid", _("Mid (%(mid)s–%(high)s)") % {"mid": mid, "high": high}),
            ("low", _("Low (< %(mid)s)") % {"mid": mid}),
        ]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        high, mid = settings.ADMIN_SCORE_HIGH, settings.ADMIN_SCORE_MID
        ranges = {
            "high": {"score__gte": high},
            "mid": {"score__gte": mid, "score__lt": high},
            "low": {"score__lt": mid},
        }
        return queryset.filter(**ranges[self.value()]) if self.value() in ranges else queryset


class CollectedFilter(admin.SimpleListFilter):
    title = gettext_lazy("collected")
    parameter_name = "collected"

    def lookups(self, request, model_admin):
        return [("today", _("Today")), ("week", _("This week"))]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        starts = {"today": today, "week": today - timedelta(days=today.weekday())}
        return queryset.filter(created_at__gte=starts[self.value()]) if self.value() in starts else queryset
