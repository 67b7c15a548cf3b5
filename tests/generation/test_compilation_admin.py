"""The compilation admin: add posts from the inbox, reorder items, approve with the posts' roles."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission, User
from django.contrib.messages import get_messages
from django.urls import reverse

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
