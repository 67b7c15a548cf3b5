"""The post change page, the re-render flow, and a smoke test over every admin page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib import admin as django_admin
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils import timezone
from django_q.models import OrmQ, Schedule

from generation.models import Short
from posts.lifecycle import Failure
from posts.models import Comment, PostImage, Status
from publishing.models import Upload
from tests.posts.conftest import make_post
from tests.posts.test_admin_roles import change_form

pytestmark = pytest.mark.django_db


def change_url(post) -> str:
    return reverse("admin:posts_post_change", args=[post.pk])


def test_the_post_page_shows_text_comments_best_first_and_history(admin_client, admin_user):
    post = make_post(content="첫 줄\n둘째 줄", images=["https://img.example/a.jpg", "https://img.example/b.jpg"])
    Comment.objects.create(post=post, content="그냥 댓글", content_hash="a", likes=90)
    Comment.objects.create(post=post, content="베플입니다", content_hash="b", likes=10, is_best=True)
    post.apply("decline", by=admin_user, reason="중복")
    PostImage.objects.create(post=post, position=0, source_url="https://img.example/a.jpg", width=640, height=480,
                             file=f"posts/{post.pk}/images/00.jpg", thumbnail=f"posts/{post.pk}/images/thumbs/00.jpg")
    PostImage.objects.create(post=post, position=1, source_url="https://img.example/b.jpg", error="HTTP 403 from x")
    page = admin_client.get(change_url(post)).content.decode()
    assert "첫 줄<br>둘째 줄" in page
    assert page.index("베플입니다") < page.index("그냥 댓글")
    assert "COLLECTED → DECLINED" in page and "중복" in page and admin_user.username in page
    assert f'<a href="/staff-media/posts/{post.pk}/images/00.jpg" target="_blank">' in page
    assert f'src="/staff-media/posts/{post.pk}/images/thumbs/00.jpg"' in page
    assert 'href="https://img.example/a.jpg"' in page
    assert "not used: HTTP 403 from x" in page


def test_the_post_page_shows_players_qc_upload_and_errors(admin_client):
    post = make_post(Status.UPLOADED)
    Short.objects.create(
        post=post, script="대본", audio_path=f"posts/{post.pk}/audio.wav", video_path=f"posts/{post.pk}/video.mp4",
        thumbnail_path=f"posts/{post.pk}/thumbnail.jpg", qc={"duration_s": 31.5, "loudness_lufs": -14.2},
    )
    Upload.objects.create(
        post=post, platform="youtube", url="https://youtube.com/shorts/abc123", video_id="abc123",
        uploaded_at=timezone.now(), views=1234, likes=56, comments=7, stats_fetched_at=timezone.now(),
    )
    page = admin_client.get(change_url(post)).content.decode()
    assert "1234 views, 56 likes, 7 comments" in page
    assert f'<audio controls preload="none" src="/staff-media/posts/{post.pk}/audio.wav">' in page
    assert f'poster="/staff-media/posts/{post.pk}/thumbnail.jpg" src="/staff-media/posts/{post.pk}/video.mp4"' in page
    assert "loudness_lufs" in page and "-14.2" in page
    assert 'href="https://youtube.com/shorts/abc123"' in page


def test_the_post_page_shows_the_error_and_the_quota_wait(admin_client):
    post = make_post(Status.UPLOADING)
    until = timezone.now() + timedelta(hours=3)
    post.apply("postpone_upload", failure=Failure.QUOTA_WAIT, reason="quota exhausted", not_before=until)
    page = admin_client.get(change_url(post)).content.decode()
    assert "QUOTA_WAIT" in page and "quota exhausted" in page
    assert f"waiting for the platform&#x27;s daily quota: upload at {timezone.localtime(until):%Y-%m-%d %H:%M}" in page


@pytest.mark.parametrize("status", [Status.PROCESSING, Status.UPLOADING])
def test_the_script_cannot_be_edited_while_a_worker_holds_the_post(admin_client, status):
    post = make_post(status)
    Short.objects.create(post=post, script="원래 대본", script_source="llm")

    admin_client.post(change_url(post), change_form(Short.objects.get(post=post), "끼어든 수정"))

    assert Short.objects.get(post=post).script == "원래 대본"


def test_saving_an_edited_script_on_a_rendered_post_suggests_a_re_render(admin_client):
    post = make_post(Status.RENDERED)
    content = Short.objects.create(post=post, script="원래 대본", script_source="llm")
    response = admin_client.post(change_url(post), change_form(content, "사람이 고친 대본"), follow=True)
    assert "Save and re-render" in " ".join(str(m) for m in response.context["messages"])
    post.refresh_from_db()
    assert post.status == Status.RENDERED


def test_re_render_with_the_edited_script_regenerates_a_rendered_post(admin_client, django_capture_on_commit_callbacks):
    post = make_post(Status.RENDERED)
    content = Short.objects.create(post=post, script="원래 대본", script_source="llm")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(change_url(post), change_form(content, "사람이 고친 대본", _rerender="1"))
    post.refresh_from_db()
    content.refresh_from_db()
    assert (post.status, content.script, content.script_source) == (Status.APPROVED, "사람이 고친 대본", "human")
    assert [(t.key, t.task["func"], t.task["args"]) for t in OrmQ.objects.all()] == [
        ("gpu", "generation.tasks.generate", (post.pk,))
    ]


def test_the_layout_is_switched_on_the_post_page_and_kept_for_the_re_render(admin_client,
                                                                            django_capture_on_commit_callbacks):
    post = make_post(Status.RENDERED)
    content = Short.objects.create(post=post, script="대본", script_source="llm")
    form = change_form(content, "대본") | {"short-0-layout": Short.Layout.POST_CARD}
    response = admin_client.post(change_url(post), form, follow=True)
    assert "Layout saved" in " ".join(str(m) for m in response.context["messages"])
    assert Short.objects.get(post=post).layout == "post_card"

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(change_url(post), form | {"_rerender": "1"})
    post.refresh_from_db()
    assert (post.status, Short.objects.get(post=post).layout) == (Status.APPROVED, "post_card")
    assert [t.task["func"] for t in OrmQ.objects.all()] == ["generation.tasks.generate"]


@pytest.mark.parametrize("code", ["TTS_FAILED", "UPLOAD_FAILED"])
def test_re_render_of_a_failed_post_goes_back_to_generation(admin_client, code, django_capture_on_commit_callbacks):
    post = make_post(Status.UPLOADING if code == "UPLOAD_FAILED" else Status.PROCESSING)
    post.apply("fail", failure=Failure.of(code), reason="broken")
    content = Short.objects.create(post=post, script="원래 대본", script_source="llm")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(change_url(post), change_form(content, "원래 대본", _rerender="1"))
    post.refresh_from_db()
    content.refresh_from_db()
    assert (post.status, content.script_source) == (Status.APPROVED, "human")


def test_re_render_is_refused_for_a_post_that_is_not_rendered_or_failed(admin_client):
    post = make_post(Status.UPLOADED)
    content = Short.objects.create(post=post, script="대본", script_source="llm")
    admin_client.post(change_url(post), change_form(content, "대본", _rerender="1"))
    post.refresh_from_db()
    assert post.status == Status.UPLOADED
    assert not OrmQ.objects.exists()


def _one_of_each(admin_user) -> None:
    """An object for every registered model, so each change page is opened too."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_q.models import Failure, Success

    make_post()
    Group.objects.get_or_create(name="Moderators")
    Schedule.objects.create(name="s", func="posts.tasks.sweep", cluster="default")
    for model, ok in ((Success, True), (Failure, False)):
        model.objects.create(
            id=f"task{int(ok)}", name=f"t{int(ok)}", func="posts.tasks.sweep", started=timezone.now(),
            stopped=timezone.now(), success=ok, cluster="default",
        )
    OrmQ.objects.create(key="default", payload="x", lock=timezone.now())
    AccessAttempt.objects.create(username="u", ip_address="127.0.0.1", user_agent="ua", failures_since_start=1)
    AccessLog.objects.create(username="u", ip_address="127.0.0.1", user_agent="ua")
    AccessFailureLog.objects.create(username="u", ip_address="127.0.0.1", user_agent="ua")


def test_every_admin_page_opens(admin_client, admin_user):
    """Changelist and add page of every registered model; the change page of every model with a row.

    Models of other apps without a row here still get their changelist and add page opened.
    """
    _one_of_each(admin_user)
    assert admin_client.get(reverse("admin:index")).status_code == 200
    opened = set()
    for model, model_admin in django_admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        assert admin_client.get(reverse("admin:{}_{}_changelist".format(*info))).status_code == 200, info
        add = admin_client.get(reverse("admin:{}_{}_add".format(*info)))
        assert add.status_code == (200 if model_admin.has_add_permission(add.wsgi_request) else 403), info
        obj = model_admin.get_queryset(add.wsgi_request).first()
        if obj is not None:
            assert admin_client.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk])).status_code == 200
            opened.add("{}.{}".format(*info))
    assert opened >= {
        "posts.post", "auth.user", "auth.group", "django_q.schedule", "django_q.success", "django_q.failure",
        "django_q.ormq", "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog",
    }


def test_publishers_are_warned_on_the_inbox_when_uploads_cannot_run(admin_client, settings, tmp_path):
    settings.UPLOADER, settings.YOUTUBE_API_ROOT = "youtube", ""
    settings.YOUTUBE_TOKEN_FILE = tmp_path / "missing-token.json"

    response = admin_client.get(reverse("admin:posts_post_changelist"))

    warnings = [str(m) for m in response.context["messages"]]
    assert any("Uploads cannot run: no YouTube token" in w and "youtube_auth" in w for w in warnings)


def test_the_post_page_says_when_the_voice_fell_back_to_espeak(admin_client):
    post = make_post(Status.RENDERED)
    speech = {"engine": "espeak", "voice": "ko", "rate": "235", "wanted": "edge", "fallback": True,
              "fallback_reason": "edge: edge-tts refused the request (HTTP 403: Forbidden)"}
    Short.objects.create(post=post, script="대본", generation_meta={"engines": {"speech": speech}})
    page = admin_client.get(change_url(post)).content.decode()
    assert "espeak instead of edge: held for a person, never published by the slots." in page
    assert "HTTP 403: Forbidden" in page


def test_an_edited_script_longer_than_the_spoken_limit_is_refused_with_a_form_error(admin_client):
    post = make_post(Status.RENDERED)
    content = Short.objects.create(post=post, script="원래 대본", script_source="llm")
    too_long = "회식 자리에서 부장님이 노래를 멈추지 않았다. " * 14  # 364 characters

    response = admin_client.post(change_url(post), change_form(content, too_long, _rerender="1"))

    assert response.status_code == 200
    assert re.search(r"The narration is \d{3} spoken characters; the limit is 200", response.content.decode())
    post.refresh_from_db()
    content.refresh_from_db()
    assert (post.status, content.script, content.script_source) == (Status.RENDERED, "원래 대본", "llm")


def test_a_publisher_sees_no_server_path_or_command_in_the_upload_warning(client, roles, settings, tmp_path):
    settings.UPLOADER, settings.YOUTUBE_API_ROOT = "youtube", ""
    settings.YOUTUBE_TOKEN_FILE = tmp_path / "missing-token.json"
    publisher = User.objects.create_user("pub", password="pw", is_staff=True)
    publisher.groups.add(Group.objects.get(name="Publishers"))
    client.force_login(publisher)

    warnings = [str(m) for m in client.get(reverse("admin:posts_post_changelist")).context["messages"]]

    assert any("Uploads cannot run" in w and "administrator" in w for w in warnings)
    assert not any(str(tmp_path) in w or "manage.py" in w for w in warnings)


def test_upload_now_queues_nothing_while_uploads_cannot_run(admin_client, settings, tmp_path):
    settings.UPLOADER, settings.YOUTUBE_API_ROOT = "youtube", ""
    settings.YOUTUBE_TOKEN_FILE = tmp_path / "missing-token.json"
    post = make_post(Status.RENDERED)

    response = admin_client.post(
        f"{reverse('admin:posts_post_changelist')}?status=all",
        {"action": "upload_now", "_selected_action": [post.pk], "index": 0}, follow=True,
    )

    messages = [str(m) for m in response.context["messages"]]
    assert "Nothing queued: uploads cannot run now (see the warning above)." in messages
    assert not any("queued for upload" in m for m in messages)
    post.refresh_from_db()
    assert post.not_before is None and not OrmQ.objects.exists()


def test_a_missing_login_is_shown_as_blocked_not_as_a_quota_wait(admin_client):
    post = make_post(Status.UPLOADING)
    post.apply("postpone_upload", failure=Failure.UPLOAD_AUTH, reason="no YouTube token",
               not_before=timezone.now() + timedelta(hours=1))
    page = admin_client.get(change_url(post)).content.decode()
    assert "blocked: the platform login is missing or revoked; an administrator must log in again" in page
    assert "daily quota" not in page and "waiting for" not in page


def test_the_spoken_length_counter_counts_as_the_re_render_will(admin_client):
    from generation.script import ScriptError, script_from_text

    url = reverse("admin:posts_post_spoken_length")
    text = "오늘 3만원을 잃어버렸어요. 김민수씨 연락 주세요. " * 8
    answer = admin_client.post(url, {"text": text}).json()
    with pytest.raises(ScriptError, match=f"is {answer['chars']} spoken characters"):
        script_from_text(text, make_post())
    assert answer["limit"] == 200 and answer["fits"] is False
    assert admin_client.post(url, {"text": "짧은 대본입니다."}).json() == {
        "ok": True, "chars": 9, "limit": 200, "fits": True,  # the full stop counts too
    }


def test_the_post_page_offers_approve_decline_and_its_inbox_neighbours(admin_client):
    higher, post, lower = make_post(score=0.9), make_post(score=0.5), make_post(score=0.2)
    make_post(Status.DECLINED, score=0.4)
    page = admin_client.get(change_url(post)).content.decode()
    assert 'data-triage-move="approve"' in page and 'data-triage-move="decline"' in page
    assert f'"previousUrl": "{change_url(higher)}"' in page and f'"nextUrl": "{change_url(lower)}"' in page
    assert 'data-spoken-url' not in page  # no short yet: no script editor
    rendered = make_post(Status.RENDERED)
    Short.objects.create(post=rendered, script="대본")
    page = admin_client.get(change_url(rendered)).content.decode()
    assert 'data-triage-move="approve"' not in page
    assert 'data-spoken-url="/admin/posts/post/page/spoken_length/"' in page


def test_save_and_re_render_stays_on_the_post(admin_client):
    post = make_post(Status.RENDERED)
    content = Short.objects.create(post=post, script="원래 대본", script_source="llm")
    response = admin_client.post(change_url(post), change_form(content, "고친 대본", _rerender="1"))
    assert response.status_code == 302 and response["Location"] == change_url(post)


def test_a_taken_down_post_shows_no_file_paths_and_no_editable_short(admin_client):
    from tests.factories import make_post as make_post_at  # sets the status as it is, no moves

    post = make_post_at(Status.TAKEN_DOWN)
    Short.objects.create(post=post, script="내려진 대본", title="내려진 제목")  # paths cleared by the take-down
    page = admin_client.get(change_url(post)).content.decode()
    assert 'name="short-0-script"' not in page and 'name="short-0-title"' not in page
    assert "내려진 대본" in page  # still shown, read-only
    assert "video.mp4" not in page and "/staff-media/" not in page
