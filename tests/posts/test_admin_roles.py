"""Moderators and Publishers: each is offered only the actions it may run."""

from __future__ import annotations

import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group, User
from django.urls import reverse

from generation.models import Compilation, Short
from posts.models import Status
from tests.posts.conftest import make_post

CHANGELIST = reverse("admin:posts_post_changelist")
MODERATION = {"approve", "decline", "undo_decline", "retry_failed", "regenerate"}
PUBLISHING = {"upload_now", "take_down"}


def offered_actions(client, query: str = "status=all") -> set[str]:
    page = client.get(f"{CHANGELIST}?{query}").content.decode()
    menu = re.search(r'<select name="action".*?</select>', page, re.S)  # not the language menu's options
    return set(re.findall(r'<option value="(\w+)"', menu.group(0) if menu else "")) - {""}


@pytest.mark.django_db
def test_the_migration_creates_both_groups_with_their_permissions():
    moderators = set(Group.objects.get(name="Moderators").permissions.values_list("codename", flat=True))
    publishers = set(Group.objects.get(name="Publishers").permissions.values_list("codename", flat=True))
    assert {"view_post", "approve_post", "change_short", "change_compilation", "add_compilationitem"} <= moderators
    assert "publish_post" not in moderators
    assert publishers == moderators | {"publish_post", "view_failure", "view_quotausage", "view_publishslot"}


def test_a_moderator_is_offered_moderation_but_not_publishing(moderator_client):
    offered = offered_actions(moderator_client)
    assert offered >= MODERATION
    assert not offered & PUBLISHING


def test_a_publisher_is_offered_every_action(publisher_client):
    assert offered_actions(publisher_client) >= MODERATION | PUBLISHING


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (Status.COLLECTED, {"approve", "decline"}),
        (Status.DECLINED, {"undo_decline"}),
        (Status.RENDERED, {"regenerate", "upload_now", "reject_short", "add_to_compilation"}),
        (Status.FAILED, {"retry_failed", "reject_short"}),
        (Status.UPLOADED, {"take_down", "add_to_compilation"}),
    ],
)
def test_a_one_status_view_offers_only_the_actions_that_status_allows(publisher_client, status, expected):
    assert offered_actions(publisher_client, f"status={status}") == expected


def test_the_inbox_offers_no_bulk_delete(admin_client):
    assert "delete_selected" not in offered_actions(admin_client)
    assert offered_actions(admin_client, "") == {"approve", "decline"}


def test_a_moderator_cannot_take_down_by_posting_the_action(moderator_client):
    post = make_post(Status.UPLOADED)
    data = {"action": "take_down", ACTION_CHECKBOX_NAME: [post.pk], "index": 0, "apply": "1", "reason": "x"}
    moderator_client.post(f"{CHANGELIST}?status=all", data)
    post.refresh_from_db()
    assert post.status == Status.UPLOADED


def test_a_moderator_cannot_upload_by_posting_the_action(moderator_client, django_capture_on_commit_callbacks):
    from django_q.models import OrmQ

    post = make_post(Status.RENDERED)
    with django_capture_on_commit_callbacks(execute=True):
        moderator_client.post(
            f"{CHANGELIST}?status=all", {"action": "upload_now", ACTION_CHECKBOX_NAME: [post.pk], "index": 0}
        )
    assert not OrmQ.objects.exists()


def test_a_moderator_can_approve(moderator_client, moderator):
    post = make_post()
    moderator_client.post(CHANGELIST, {"action": "approve", ACTION_CHECKBOX_NAME: [post.pk], "index": 0})
    post.refresh_from_db()
    assert post.status == Status.APPROVED
    assert post.history.first().by == moderator


def test_a_moderator_can_edit_the_script_and_it_becomes_human(moderator_client):
    post = make_post(Status.RENDERED)
    content = Short.objects.create(post=post, script="원래 대본", script_source="llm")
    url = reverse("admin:posts_post_change", args=[post.pk])
    response = moderator_client.post(url, change_form(content, "고친 대본"))
    assert response.status_code == 302
    content.refresh_from_db()
    assert (content.script, content.script_source) == ("고친 대본", "human")


def test_staff_without_a_role_sees_no_posts(client, db):
    user = User.objects.create_user("nobody", password="pw", is_staff=True)
    client.force_login(user)
    assert client.get(CHANGELIST).status_code == 403


def change_form(short: Short, script: str, **extra) -> dict:
    """The post change form as the browser submits it: only the short's inline is editable."""
    prefixes = {
        "short": 1, "transcripts": 0, "uploads": 0, "source_edits": 0, "comments": 0, "history": 0,
    }
    data = {}
    for prefix, total in prefixes.items():
        data |= {f"{prefix}-TOTAL_FORMS": total, f"{prefix}-INITIAL_FORMS": total,
                 f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000}
    data |= {
        "short-0-id": short.pk, "short-0-post": short.post_id, "short-0-script": script,
        "short-0-title": short.title, "short-0-description": short.description, "short-0-layout": short.layout,
        **extra,
    }
    return data


@pytest.mark.parametrize("page", ["admin:django_q_failure_changelist", "admin:publishing_quotausage_changelist",
                                  "admin:publishing_publishslot_changelist"])
def test_a_publisher_can_open_failed_tasks_quota_and_slots(publisher_client, page):
    assert publisher_client.get(reverse(page)).status_code == 200


def test_a_moderator_makes_a_compilation_from_the_inbox_and_reorders_it(moderator_client):
    first, second = make_post(Status.APPROVED, title="첫째"), make_post(Status.APPROVED, title="둘째")

    added = moderator_client.post(f"{CHANGELIST}?status=all", {
        "action": "add_to_compilation", ACTION_CHECKBOX_NAME: [first.pk, second.pk]})
    compilation = Compilation.objects.get()
    page = moderator_client.get(reverse("admin:generation_compilation_change", args=[compilation.pk]))
    ranked = [item.post_id for item in compilation.items.order_by("rank")]
    reordered = moderator_client.post(reverse("admin:generation_compilation_reorder", args=[compilation.pk]),
                                      {"post": ranked[::-1]})

    assert added.status_code == 302 and page.status_code == 200
    assert 'id="compilation-candidates"' in page.content.decode()
    assert reordered.status_code == 200
    assert [item.post_id for item in compilation.items.order_by("rank")] == ranked[::-1]
