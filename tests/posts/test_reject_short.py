"""A person rejects a rendered (or failed) short with a reason: it is declined and never uploaded."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from posts.lifecycle import MOVES, Failure
from posts.models import Post, Status, StatusChange
from posts.services import post_reject_short, post_schedule_upload
from tests.posts.conftest import make_post
from tests.posts.test_admin_actions import messages_of, post_action

pytestmark = pytest.mark.django_db


def failed_take_down() -> Post:
    post = make_post(Status.UPLOADED)
    post.apply("request_take_down", reason="저작권")
    post.apply("fail", failure=Failure.TAKE_DOWN_FAILED, reason="HTTP 500")
    return post


def test_reject_short_is_a_move_of_the_lifecycle_table_from_rendered_and_failed_to_declined():
    move = MOVES["reject_short"]
    assert move.sources == {Status.RENDERED, Status.FAILED} and move.target == Status.DECLINED
    assert move.follow_up is None


@pytest.mark.parametrize("status", [Status.RENDERED, Status.FAILED])
def test_a_rendered_or_failed_post_is_rejected_with_its_reason_in_the_history(admin_user, status):
    post = make_post(status)
    post_reject_short(post=post, by=admin_user, reason="자막이 틀림")
    post.refresh_from_db()
    change = post.history.first()
    assert post.status == Status.DECLINED and post.error_code == ""
    assert (change.old, change.new, change.by, change.reason) == (status, Status.DECLINED, admin_user, "자막이 틀림")


def test_a_rejected_post_whose_upload_was_queued_can_no_longer_be_claimed_for_upload(admin_user):
    post = make_post(Status.RENDERED)
    post_schedule_upload(post=post, by=admin_user)
    post_reject_short(post=post, by=admin_user, reason="부적절")
    post.refresh_from_db()
    assert post.status == Status.DECLINED and post.not_before is None
    assert not post.can("claim_upload")


def test_a_rejection_needs_a_reason(admin_user):
    post = make_post(Status.RENDERED)
    with pytest.raises(ValueError):
        post_reject_short(post=post, by=admin_user, reason="  ")
    assert Post.objects.get(pk=post.pk).status == Status.RENDERED


def test_a_failed_take_down_is_not_rejected_as_its_video_may_still_be_public(admin_user):
    post = failed_take_down()
    with pytest.raises(Post.InvalidTransition):
        post_reject_short(post=post, by=admin_user, reason="그만")
    assert Post.objects.get(pk=post.pk).status == Status.FAILED


def test_the_reject_action_asks_for_a_reason_then_rejects_and_skips_what_it_cannot(admin_client):
    rendered, collected = make_post(Status.RENDERED), make_post()
    page = post_action(admin_client, "reject_short", [rendered, collected])
    assert b'name="reason"' in page.content
    assert Post.objects.get(pk=rendered.pk).status == Status.RENDERED

    response = post_action(admin_client, "reject_short", [rendered, collected], apply="1", reason="음성이 깨짐")
    assert messages_of(response) == ["1 rejected, 1 skipped"]
    assert Post.objects.get(pk=rendered.pk).status == Status.DECLINED
    assert StatusChange.objects.get(post=rendered, new=Status.DECLINED).reason == "음성이 깨짐"


def test_the_reject_action_without_a_reason_changes_nothing(admin_client):
    rendered = make_post(Status.RENDERED)
    post_action(admin_client, "reject_short", [rendered], apply="1", reason="")
    assert Post.objects.get(pk=rendered.pk).status == Status.RENDERED


def test_a_moderator_may_reject_a_short(client, roles):
    from django.contrib.auth.models import Group

    moderator = User.objects.create_user("mod", password="pw", is_staff=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(moderator)
    rendered = make_post(Status.RENDERED)
    post_action(client, "reject_short", [rendered], apply="1", reason="별로")
    assert Post.objects.get(pk=rendered.pk).status == Status.DECLINED
