"""The compilation admin: add posts from the inbox, reorder items, approve with the posts' roles."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission, User
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from generation.models import Compilation
from posts.lifecycle import CompilationStatus as C
from posts.models import Status as S
from tests.factories import make_compilation, make_post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest storage of DEBUG=false needs collectstatic; tests render admin pages without it.
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_add_to_compilation_starts_a_draft_ranked_by_score_then_extends_it(admin_client, admin_user):
    low, high = make_post(status=S.RENDERED, score=0.2), make_post(status=S.UPLOADED, score=0.9)
    third = make_post(status=S.APPROVED, score=0.5)
    changelist = reverse("admin:posts_post_changelist") + "?status=all"

    admin_client.post(changelist, {"action": "add_to_compilation", ACTION_CHECKBOX_NAME: [low.pk, high.pk],
                                   "index": 0}, follow=True)
    response = admin_client.post(changelist, {"action": "add_to_compilation", ACTION_CHECKBOX_NAME: [third.pk],
                                              "index": 0}, follow=True)

    compilation = Compilation.objects.get()
    assert (compilation.status, compilation.created_by) == (C.DRAFT, admin_user)
    assert [i.post_id for i in compilation.items.order_by("rank")] == [high.pk, low.pk, third.pk]
    assert f"1 added to compilation {compilation.pk}" in messages_of(response)[-1]


def test_saving_the_page_with_a_new_order_reranks_the_items(admin_client):
    compilation = make_compilation(count=3)
    items = list(compilation.items.order_by("rank"))
    order = {items[0].pk: 3, items[1].pk: 1, items[2].pk: 2}  # what the ▲/▼ buttons leave in the form
    data = {"title": compilation.title, "intro": "", "outro": "", "description": "",
            "items-TOTAL_FORMS": 3, "items-INITIAL_FORMS": 3, "items-MIN_NUM_FORMS": 0, "items-MAX_NUM_FORMS": 10,
            "history-TOTAL_FORMS": 0, "history-INITIAL_FORMS": 0, "history-MIN_NUM_FORMS": 0,
            "history-MAX_NUM_FORMS": 0, "uploads-TOTAL_FORMS": 0, "uploads-INITIAL_FORMS": 0,
            "uploads-MIN_NUM_FORMS": 0, "uploads-MAX_NUM_FORMS": 0}
    for n, item in enumerate(items):
        data.update({f"items-{n}-id": item.pk, f"items-{n}-compilation": compilation.pk,
                     f"items-{n}-post": item.post_id, f"items-{n}-narration": "", f"items-{n}-order": order[item.pk]})

    response = admin_client.post(reverse("admin:generation_compilation_change", args=[compilation.pk]), data)

    assert response.status_code == 302, response.content.decode()[:2000]
    ranked = [i.post_id for i in compilation.items.order_by("rank")]
    assert ranked == [items[1].post_id, items[2].post_id, items[0].post_id]


def test_approve_needs_the_moderators_permission(client, admin_client):
    compilation = make_compilation(count=2)
    viewer = User.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(*Permission.objects.filter(codename__in=["view_compilation", "change_compilation"]))
    client.force_login(viewer)
    changelist = reverse("admin:generation_compilation_changelist")
    data = {"action": "approve", ACTION_CHECKBOX_NAME: [compilation.pk], "index": 0}

    client.post(changelist, data, follow=True)
    assert Compilation.objects.get(pk=compilation.pk).status == C.DRAFT

    response = admin_client.post(changelist, data, follow=True)
    assert Compilation.objects.get(pk=compilation.pk).status == C.APPROVED
    assert "1 approved, 0 skipped" in messages_of(response)


def change_url(compilation) -> str:
    return reverse("admin:generation_compilation_change", args=[compilation.pk])


def listed(response) -> list[int]:
    panel = response.content.decode().split('id="compilation-candidates"')[1]
    return [int(pk) for pk in re.findall(r'<tr data-post="(\d+)"', panel)]


def on(day: int) -> datetime:
    return timezone.make_aware(datetime(2026, 3, day, 12))


def test_the_search_lists_the_eligible_posts_it_matches_best_score_first(admin_client):
    compilation = make_compilation(count=2)
    ranked = compilation.items.first().post
    ranked.score = 0.99
    ranked.save()
    rendered = make_post(status=S.RENDERED, score=0.7, title="고양이 이야기", created_at=on(10))
    uploaded = make_post(status=S.UPLOADED, score=0.9, site_code="dcinside", created_at=on(12), content="고양이")
    approved = make_post(status=S.APPROVED, score=0.2, created_at=on(14))
    make_post(status=S.COLLECTED, score=0.95)
    make_post(status=S.DECLINED, score=0.95)
    make_post(status=S.RENDERED, score=0.95, duplicate_of=rendered)

    assert listed(admin_client.get(change_url(compilation))) == [uploaded.pk, rendered.pk, approved.pk]
    searches = {
        "site=dcinside": [uploaded.pk],
        "since=2026-03-11&until=2026-03-12": [uploaded.pk],
        "until=2026-03-10": [rendered.pk],
        "min_score=0.5": [uploaded.pk, rendered.pk],
        "status=APPROVED": [approved.pk],
        "q=고양이": [uploaded.pk, rendered.pk],
        "q=고양이&site=nate_pann&min_score=0.1": [rendered.pk],
    }
    for query, expected in searches.items():
        assert listed(admin_client.get(f"{change_url(compilation)}?{query}")) == expected, query


def test_adding_a_found_post_ranks_it_last_and_returns_to_the_search(admin_client):
    compilation, other = make_compilation(count=2), make_compilation(count=2)
    found = other.items.first().post  # a post may be ranked in several compilations

    response = admin_client.post(reverse("admin:generation_compilation_add_post", args=[compilation.pk]),
                                 {"post": found.pk, "search": "q=글&min_score=0.5"})

    assert response["Location"] == f"{change_url(compilation)}?q=%EA%B8%80&min_score=0.5"
    assert compilation.items.get(post=found).rank == 3 and other.items.filter(post=found).exists()
    assert messages_of(response) == [f"‘{found.title}’ added"]


def test_adding_refuses_an_ineligible_post_a_full_compilation_and_a_rendered_one(admin_client):
    compilation = make_compilation(count=Compilation.MAX_ITEMS)
    add = reverse("admin:generation_compilation_add_post", args=[compilation.pk])
    response = admin_client.post(add, {"post": make_post(status=S.RENDERED).pk})
    assert "Not added: a compilation ranks at most 10 posts" in messages_of(response)
    compilation.items.last().delete()
    response = admin_client.post(add, {"post": make_post(status=S.COLLECTED).pk})
    assert "Not added: only approved, rendered or uploaded posts" in messages_of(response)[-1]

    rendered = make_compilation(C.RENDERED, count=2)
    response = admin_client.post(reverse("admin:generation_compilation_add_post", args=[rendered.pk]),
                                 {"post": make_post(status=S.RENDERED).pk})
    assert "only a draft is edited" in messages_of(response)[-1]
    assert rendered.items.count() == 2 and compilation.items.count() == Compilation.MAX_ITEMS - 1
    assert 'id="compilation-candidates"' not in admin_client.get(change_url(rendered)).content.decode()


def test_the_reorder_endpoint_reranks_a_draft_and_refuses_a_stale_order_or_a_rendered_one(admin_client):
    compilation = make_compilation(count=3)
    first, second, third = [i.post_id for i in compilation.items.order_by("rank")]
    reorder = reverse("admin:generation_compilation_reorder", args=[compilation.pk])

    response = admin_client.post(reorder, {"post": [third, first, second]})

    assert response.status_code == 200 and response.json()["message"] == "Order saved."
    assert [i.post_id for i in compilation.items.order_by("rank")] == [third, first, second]
    assert admin_client.post(reorder, {"post": [first, second]}).status_code == 409
    assert admin_client.post(reorder, {"post": ["x", first, second]}).status_code == 409
    rendered = make_compilation(C.RENDERED, count=2)
    ids = [i.post_id for i in rendered.items.order_by("-rank")]
    response = admin_client.post(reverse("admin:generation_compilation_reorder", args=[rendered.pk]), {"post": ids})
    assert response.status_code == 409
    assert [i.post_id for i in rendered.items.order_by("rank")] == ids[::-1]
    assert admin_client.get(reorder).status_code == 405


def test_only_a_user_who_may_change_compilations_adds_or_reorders(client):
    compilation = make_compilation(count=2)
    viewer = User.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(*Permission.objects.filter(codename__in=["view_compilation", "approve_post"]))
    client.force_login(viewer)
    ids = [i.post_id for i in compilation.items.order_by("-rank")]

    page = client.get(change_url(compilation)).content.decode()
    added = client.post(reverse("admin:generation_compilation_add_post", args=[compilation.pk]),
                        {"post": make_post(status=S.RENDERED).pk})
    reordered = client.post(reverse("admin:generation_compilation_reorder", args=[compilation.pk]), {"post": ids})

    assert 'id="compilation-candidates"' not in page and "compilation-order-status" not in page
    assert (added.status_code, reordered.status_code) == (403, 403)
    assert [i.post_id for i in compilation.items.order_by("-rank")] == ids and compilation.items.count() == 2
