"""Inbox actions, posted to the changelist as Django's own admin tests do."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import OrmQ

from generation.models import Short
from posts.lifecycle import Failure
from posts.models import Post, Status, StatusChange
from publishing.models import Upload
from tests.posts.conftest import make_post

pytestmark = pytest.mark.django_db(transaction=False)
CHANGELIST = reverse("admin:posts_post_changelist")


def post_action(client, action: str, posts: list[Post], *, status: str = "all", **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [p.pk for p in posts], "index": 0, **extra}
    return client.post(f"{CHANGELIST}?status={status}", data, follow=True)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def queued(func: str) -> list[int]:
    return [task.task["args"][0] for task in OrmQ.objects.all() if task.task["func"] == func]


@pytest.fixture
def admin(admin_client):
    return admin_client


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def test_approve_moves_collected_posts_and_queues_generation_on_the_gpu_cluster(admin, on_commit):
    first, second = make_post(), make_post()
    with on_commit(execute=True):
        response = post_action(admin, "approve", [first, second], status=Status.COLLECTED)
    assert response.status_code == 200
    assert messages_of(response) == ["2 approved, 0 skipped"]
    for post in (first, second):
        post.refresh_from_db()
        assert post.status == Status.APPROVED
    assert sorted(queued("generation.tasks.generate")) == sorted([first.pk, second.pk])
    assert {t.key for t in OrmQ.objects.all()} == {"gpu"}


def test_approve_skips_posts_the_table_does_not_allow(admin, on_commit):
    collected, rendered, declined = make_post(), make_post(Status.RENDERED), make_post(Status.DECLINED)
    with on_commit(execute=True):
        response = post_action(admin, "approve", [collected, rendered, declined])
    assert messages_of(response) == ["1 approved, 2 skipped"]
    rendered.refresh_from_db()
    declined.refresh_from_db()
    assert (rendered.status, declined.status) == (Status.RENDERED, Status.DECLINED)
    assert queued("generation.tasks.generate") == [collected.pk]


def test_decline_first_shows_a_reason_form_and_changes_nothing(admin):
    post = make_post()
    response = post_action(admin, "decline", [post])
    assert response.status_code == 200
    assert b'name="reason"' in response.content and b'name="apply"' in response.content
    post.refresh_from_db()
    assert post.status == Status.COLLECTED


def test_decline_with_a_reason_records_it_in_the_history(admin, admin_user):
    post = make_post()
    response = post_action(admin, "decline", [post], apply="1", reason="광고성 글")
    assert messages_of(response) == ["1 declined, 0 skipped"]
    change = StatusChange.objects.filter(post=post).first()
    assert (change.old, change.new, change.reason, change.by) == ("COLLECTED", "DECLINED", "광고성 글", admin_user)


def test_decline_without_a_reason_is_allowed(admin):
    post = make_post()
    post_action(admin, "decline", [post], apply="1", reason="")
    post.refresh_from_db()
    assert post.status == Status.DECLINED


def test_undo_decline_returns_only_declined_posts_to_the_inbox(admin):
    declined, approved = make_post(Status.DECLINED), make_post(Status.APPROVED)
    response = post_action(admin, "undo_decline", [declined, approved])
    assert messages_of(response) == ["1 returned to the inbox, 1 skipped"]
    declined.refresh_from_db()
    assert declined.status == Status.COLLECTED


def test_unhold_returns_held_posts_to_the_inbox_and_approving_them_again_is_a_choice(admin, on_commit):
    held, approved = make_post(Status.HELD, deleted_at_source=timezone.now()), make_post(Status.APPROVED)
    with on_commit(execute=True):
        response = post_action(admin, "unhold", [held, approved])
    assert messages_of(response) == ["1 returned to the inbox, 1 skipped"]
    held.refresh_from_db()
    assert held.status == Status.COLLECTED and held.history.first().by is not None
    assert queued("generation.tasks.generate") == []


def test_a_post_deleted_at_the_source_has_a_badge_in_the_inbox_and_on_its_page(admin):
    deleted = make_post(Status.HELD, title="지워진 글", deleted_at_source=timezone.now())
    make_post(title="멀쩡한 글")
    page = admin.get(f"{CHANGELIST}?status=all").content.decode()
    assert page.count('class="badge badge-deleted"') == 1
    row = page[page.index("지워진 글"):]
    assert 'class="badge badge-deleted"' in row[: row.index("</tr>")]
    detail = admin.get(reverse("admin:posts_post_change", args=[deleted.pk])).content.decode()
    assert "deleted at the source</span> (seen" in detail and "Held" in detail


def test_retry_failed_grants_fresh_attempts_and_queues_the_step_again(admin, on_commit):
    failed, collected = make_post(Status.FAILED), make_post()
    with on_commit(execute=True):
        response = post_action(admin, "retry_failed", [failed, collected])
    assert messages_of(response) == ["1 retried, 1 skipped"]
    failed.refresh_from_db()
    assert (failed.status, failed.generation_attempts, failed.error_code) == (Status.APPROVED, 0, "")
    assert queued("generation.tasks.generate") == [failed.pk]


def test_retry_of_a_failed_upload_queues_the_upload_not_a_new_render(admin, on_commit):
    post = make_post(Status.UPLOADING)
    post.apply("fail", failure=Failure.UPLOAD_FAILED, reason="HTTP 500 from the platform")
    with on_commit(execute=True):
        post_action(admin, "retry_failed", [post])
    post.refresh_from_db()
    assert post.status == Status.RENDERED
    assert queued("publishing.tasks.upload") == [post.pk]
    assert queued("generation.tasks.generate") == []


def test_regenerate_sends_rendered_posts_back_to_generation(admin, on_commit):
    rendered, uploaded = make_post(Status.RENDERED), make_post(Status.UPLOADED)
    with on_commit(execute=True):
        response = post_action(admin, "regenerate", [rendered, uploaded])
    assert messages_of(response) == ["1 sent back to generation, 1 skipped"]
    rendered.refresh_from_db()
    assert rendered.status == Status.APPROVED
    assert queued("generation.tasks.generate") == [rendered.pk]


def test_upload_now_queues_rendered_posts_on_the_default_cluster(admin, on_commit):
    rendered, approved = make_post(Status.RENDERED), make_post(Status.APPROVED)
    with on_commit(execute=True):
        response = post_action(admin, "upload_now", [rendered, approved])
    assert messages_of(response) == ["1 queued for upload, 1 skipped"]
    assert queued("publishing.tasks.upload") == [rendered.pk]
    assert {t.key for t in OrmQ.objects.all()} == {"default"}


def test_an_action_on_a_post_another_worker_moved_is_skipped_not_a_500(admin, monkeypatch):
    post = make_post()
    real_apply = Post.apply

    def racing_apply(self, move, **kwargs):
        Post.objects.get(pk=self.pk).transition(Status.DECLINED, reason="moved by someone else meanwhile")
        return real_apply(self, move, **kwargs)

    monkeypatch.setattr(Post, "apply", racing_apply)
    response = post_action(admin, "approve", [post])
    assert response.status_code == 200
    assert messages_of(response) == ["0 approved, 1 skipped"]


def test_take_down_requires_a_reason(admin):
    post = make_post(Status.UPLOADED)
    response = post_action(admin, "take_down", [post], apply="1", reason="")
    assert b"errorlist" in response.content
    post.refresh_from_db()
    assert post.status == Status.UPLOADED


def test_take_down_queues_the_uploaded_post_on_the_default_cluster(
    admin, admin_user, django_capture_on_commit_callbacks
):
    post, collected = make_post(Status.UPLOADED), make_post()

    with django_capture_on_commit_callbacks(execute=True):
        response = post_action(admin, "take_down", [post, collected], apply="1", reason="저작권 신고")

    assert messages_of(response) == ["1 queued for take-down, 1 skipped"]
    [task] = OrmQ.objects.all()
    assert (task.func(), task.args(), task.key) == ("publishing.tasks.take_down", (post.pk,), "default")
    post.refresh_from_db()
    assert post.status == Status.TAKING_DOWN


def test_take_down_moves_an_uploaded_post_with_the_reason(
    admin, admin_user, monkeypatch, settings, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(Conf, "SYNC", True)  # the queued task runs inline
    settings.UPLOADER = "local"
    post = make_post(Status.UPLOADED)
    Short.objects.create(post=post)
    Upload.objects.create(post=post, platform="local", video_id="gone-already", url="https://youtu.be/x")

    with django_capture_on_commit_callbacks(execute=True):
        post_action(admin, "take_down", [post], apply="1", reason="저작권 신고")

    post.refresh_from_db()
    assert post.status == Status.TAKEN_DOWN
    *_, asked, done = StatusChange.objects.filter(post=post).order_by("at", "pk")
    assert (asked.new, asked.by, asked.reason) == (Status.TAKING_DOWN, admin_user, "저작권 신고")
    assert (done.new, done.by) == (Status.TAKEN_DOWN, None)


def test_save_script_on_a_rendered_post_offers_a_re_render(admin):
    post = make_post(Status.RENDERED)
    Short.objects.create(post=post, script="원래 대본", script_source="llm")
    page = admin.get(reverse("admin:posts_post_change", args=[post.pk]))
    assert b'name="_rerender"' in page.content
    collected = make_post()
    page = admin.get(reverse("admin:posts_post_change", args=[collected.pk]))
    assert b'name="_rerender"' not in page.content


def test_a_persons_moves_show_in_the_admin_homes_recent_actions_and_the_posts_history(admin, admin_user):
    post = make_post(title="회식 노래방")
    post_action(admin, "decline", [post], status=Status.COLLECTED, apply="1", reason="재미없음")
    post_action(admin, "undo_decline", [post], status=Status.DECLINED)

    home = admin.get(reverse("admin:index")).content.decode()
    history = admin.get(reverse("admin:posts_post_history", args=[post.pk])).content.decode()

    assert "회식 노래방" in home
    assert "Collected → Declined: 재미없음" in history and "Declined → Collected" in history


def test_a_workers_moves_are_history_rows_but_no_admin_log_entries():
    from django.contrib.admin.models import LogEntry

    post = make_post(Status.PROCESSING)
    post.apply("fail", failure=Failure.RENDER_FAILED, reason="ffmpeg exited 1")
    assert post.history.count() == 3 and not LogEntry.objects.exists()
