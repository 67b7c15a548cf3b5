"""The post change page, the re-render flow, and a smoke test over every admin page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib import admin as django_admin
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from django_q.models import OrmQ, Schedule

from generation.models import Short
from posts.lifecycle import Failure
from posts.models import Comment, Status
from publishing.models import Upload
from tests.posts.conftest import make_post
from tests.posts.test_admin_roles import change_form

pytestmark = pytest.mark.django_db


def change_url(post) -> str:
    return reverse("admin:posts_post_change", args=[post.pk])


def test_the_post_page_shows_text_comments_best_first_and_history(admin_client, admin_user, settings):
    post = make_post(content="첫 줄\n둘째 줄", images=["https://img.example/a.jpg"])
    Comment.objects.create(post=post, content="그냥 댓글", content_hash="a", likes=90)
    Comment.objects.create(post=post, content="베플입니다", content_hash="b", likes=10, is_best=True)
    post.apply("decline", by=admin_user, reason="중복")
    image = settings.MEDIA_ROOT / "posts" / str(post.pk) / "images" / "01.jpg"
    image.parent.mkdir(parents=True)
    image.write_bytes(b"\xff\xd8\xff")
    page = admin_client.get(change_url(post)).content.decode()
    assert "첫 줄<br>둘째 줄" in page
    assert page.index("베플입니다") < page.index("그냥 댓글")
    assert "COLLECTED → DECLINED" in page and "중복" in page and admin_user.username in page
    assert f'src="/staff-media/posts/{post.pk}/images/01.jpg"' in page
    assert 'href="https://img.example/a.jpg"' in page


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
