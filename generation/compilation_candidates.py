"""The compilation page's search: the project's own posts a person may add to a draft, narrowed by
site, collected date, score, status and words in the title or body."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from generation.compilation import ELIGIBLE
from generation.models import Compilation
from posts.lifecycle import Status
from posts.models import Post

SHOWN = 50  # the best-scored matches; a person narrows the search rather than paging it


def _site_choices() -> list[tuple[str, str]]:
    return [("", _("All sites")), *Post._meta.get_field("site_code").choices]


class CandidateSearch(forms.Form):
    q = forms.CharField(label=_("Words"), required=False, max_length=100)
    site = forms.ChoiceField(label=_("Site"), required=False, choices=_site_choices)
    since = forms.DateField(label=_("Collected from"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    until = forms.DateField(label=_("Collected until"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    min_score = forms.FloatField(label=_("Score at least"), required=False,
                                 widget=forms.NumberInput(attrs={"step": "any"}))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[
        ("", _("Approved, rendered or uploaded")),
        *((status.value, status.label) for status in (Status.APPROVED, Status.RENDERED, Status.UPLOADED)),
    ])


def _day_start(day: date) -> datetime:
    # A bound on the indexed datetime, not created_at__date: the date cast would skip the index.
    return timezone.make_aware(datetime.combine(day, time.min))


def compilation_candidates(compilation: Compilation, search: CandidateSearch) -> list[Post]:
    """The eligible posts ``search`` matches that ``compilation`` does not rank yet, best score first.

    Copies are left out as the inbox leaves them out: ranking a copy beside its original would tell
    one story twice. A post may still be ranked in any number of other compilations.
    """
    if not search.is_valid():
        return []
    wanted = search.cleaned_data
    posts = Post.objects.filter(status__in=[wanted["status"]] if wanted["status"] else ELIGIBLE,
                                duplicate_of__isnull=True)
    posts = posts.exclude(pk__in=compilation.items.values("post_id"))
    if wanted["site"]:
        posts = posts.filter(site_code=wanted["site"])
    if wanted["since"]:
        posts = posts.filter(created_at__gte=_day_start(wanted["since"]))
    if wanted["until"]:
        posts = posts.filter(created_at__lt=_day_start(wanted["until"] + timedelta(days=1)))
    if wanted["min_score"] is not None:
        posts = posts.filter(score__gte=wanted["min_score"])
    if wanted["q"]:
        posts = posts.filter(Q(title__icontains=wanted["q"]) | Q(content__icontains=wanted["q"]))
    fields = ["pk", "site_code", "title", "score", "status", "created_at"]
    return list(posts.only(*fields).order_by("-score", "pk")[:SHOWN])
