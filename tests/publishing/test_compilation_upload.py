"""Compilations upload through the posts' upload path, against the fake YouTube server."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission, User
from django.contrib.messages import get_messages
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django_q.models import OrmQ

from generation.models import Compilation, CompilationItem
from posts.lifecycle import CompilationStatus as C
from posts.models import Post
from posts.models import Status as S
from posts.services import lifecycle_move
from posts.tasks import sweep
from publishing import tasks
from publishing.metadata import DESCRIPTION_MAX_BYTES, compilation_upload_key
from publishing.models import Upload
from tests.factories import make_post

INSERT = "/upload/youtube/v3/videos"
SITES = {"nate_pann": "네이트판", "dcinside": "디시인사이드", "theqoo": "더쿠"}


@pytest.fixture
def rendered_compilation(db, settings):
    def make(*, titles: list[str] | None = None) -> Compilation:
        titles = titles or ["시어머니의 새벽 문자", "회사 탕비실 빌런", "고양이가 키보드 위에서"]
        compilation = Compilation.objects.create(title="이번 주 베스트 TOP 3", status=C.RENDERED,
                                                 rendered_at=timezone.now())
        for rank, title in enumerate(titles, 1):
            site = list(SITES)[rank % len(SITES)]
            post = make_post(status=S.UPLOADED, site_code=site, title=title, url=f"https://example.kr/{site}/{rank}")
            CompilationItem.objects.create(compilation=compilation, post=post, rank=rank)
        folder = settings.MEDIA_ROOT / "compilations" / str(compilation.pk)
        folder.mkdir(parents=True)
        (folder / "video.mp4").write_bytes(bytes(range(256)) * 2000)
        (folder / "thumbnail_tall.jpg").write_bytes(b"\xff\xd8\xff\xe0fake-jpeg\xff\xd9")
        compilation.video_path = f"compilations/{compilation.pk}/video.mp4"
        compilation.tall_thumbnail_path = f"compilations/{compilation.pk}/thumbnail_tall.jpg"
        compilation.save()
        return compilation

    return make


def queued(func: str) -> list[tuple]:
    return [task.args() for task in OrmQ.objects.all() if task.func() == func]


def test_a_compilation_uploads_once_with_every_source_credited(youtube, rendered_compilation, settings):
    compilation = rendered_compilation()
    sha = hashlib.sha256((settings.MEDIA_ROOT / compilation.video_path).read_bytes()).hexdigest()

    assert tasks.upload_compilation(compilation.pk) is True
    assert tasks.upload_compilation(compilation.pk) is False  # a second delivery finds it UPLOADED

    compilation.refresh_from_db()
    assert compilation.status == C.UPLOADED
    [video] = youtube.videos.values()
    assert len(youtube.requests("POST", INSERT)) == 1
    assert hashlib.sha256(youtube.blobs[video["id"]]).hexdigest() == sha
    assert compilation.uploads.get().video_id == video["id"]
    assert compilation.uploads.get().post is None
    description = video["snippet"]["description"]
    for item in compilation.items.select_related("post"):
        assert f"{item.rank}위 {item.post.title} — {SITES[item.post.site_code]} {item.post.url}" in description
    assert video["snippet"]["title"] == "이번 주 베스트 TOP 3 #Shorts"
    assert compilation_upload_key(compilation) in video["snippet"]["tags"]


def test_credits_of_ten_long_korean_titles_keep_every_site_and_url_within_youtubes_bytes(
        youtube, rendered_compilation):
    longest = Post._meta.get_field("title").max_length  # the longest title a post can have
    compilation = rendered_compilation(titles=[("아주 긴 제목 " * 40)[:longest]] * 10)

    assert tasks.upload_compilation(compilation.pk) is True

    [video] = youtube.videos.values()
    description = video["snippet"]["description"]
    assert len(description.encode()) <= DESCRIPTION_MAX_BYTES
    for item in compilation.items.select_related("post"):
        assert f"{item.rank}위 {SITES[item.post.site_code]} {item.post.url}" in description


def test_a_failed_upload_leaves_the_compilation_failed_and_a_retry_uploads_it(
        youtube, rendered_compilation, admin_user, settings, django_capture_on_commit_callbacks):
    settings.POST_MAX_ATTEMPTS, settings.YOUTUBE_MAX_RETRIES = 1, 1
    compilation = rendered_compilation()
    youtube.fail_next("POST", INSERT, 503, times=100)

    assert tasks.upload_compilation(compilation.pk) is False

    compilation.refresh_from_db()
    assert (compilation.status, compilation.error_code, compilation.error_permanent) == (C.FAILED, "UPLOAD_FAILED",
                                                                                        False)
    assert compilation.uploads.get().state == Upload.State.FAILED
    assert youtube.videos == {}

    youtube.faults.clear()
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle_move(compilation, "retry", by=admin_user, fresh=True)
    assert compilation.status == C.RENDERED
    assert queued("publishing.tasks.upload_compilation") == [(compilation.pk,)]
    assert tasks.upload_compilation(compilation.pk) is True
    assert len(youtube.videos) == 1
    assert Compilation.objects.get(pk=compilation.pk).uploads.get().state == Upload.State.UPLOADED


def test_the_sweep_requeues_a_compilation_stuck_uploading_past_its_lease(
        youtube, rendered_compilation, settings, django_capture_on_commit_callbacks):
    compilation = rendered_compilation()
    lifecycle_move(compilation, "claim_upload")  # the worker died here
    Compilation.objects.filter(pk=compilation.pk).update(
        claimed_at=timezone.now() - timedelta(seconds=settings.UPLOAD_LEASE_SECONDS + 60))

    with django_capture_on_commit_callbacks(execute=True):
        counts = sweep()

    compilation.refresh_from_db()
    assert counts["released"] == 1
    assert (compilation.status, compilation.error_code) == (C.RENDERED, "UPLOAD_LEASE_EXPIRED")
    assert queued("publishing.tasks.upload_compilation") == [(compilation.pk,)]
    assert tasks.upload_compilation(compilation.pk) is True
    assert len(youtube.videos) == 1


def test_taking_a_compilation_down_deletes_its_video_and_media_but_not_the_posts(
        youtube, rendered_compilation, admin_user, settings, django_capture_on_commit_callbacks):
    compilation = rendered_compilation()
    tasks.upload_compilation(compilation.pk)
    compilation.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle_move(compilation, "request_take_down", by=admin_user, reason="작성자 요청")
    assert queued("publishing.tasks.take_down_compilation") == [(compilation.pk,)]

    assert tasks.take_down_compilation(compilation.pk) is True
    assert tasks.take_down_compilation(compilation.pk) is False

    compilation.refresh_from_db()
    assert compilation.status == C.TAKEN_DOWN and compilation.video_path == ""
    assert youtube.videos == {}
    assert compilation.uploads.get().taken_down_at is not None
    assert not (settings.MEDIA_ROOT / "compilations" / str(compilation.pk)).exists()
    assert set(Post.objects.values_list("status", flat=True)) == {S.UPLOADED}


def test_an_upload_record_belongs_to_exactly_one_post_or_compilation(rendered_compilation):
    compilation = rendered_compilation()
    post = compilation.items.first().post
    for owners in ({}, {"post": post, "compilation": compilation}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Upload.objects.create(platform="youtube", **owners)


def _upload_action(client, compilation):
    return client.post(reverse("admin:generation_compilation_changelist"),
                       {"action": "upload_now", ACTION_CHECKBOX_NAME: [compilation.pk], "index": 0}, follow=True)


@pytest.fixture
def compilation_viewer(db):
    user = User.objects.create_user("viewer", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_compilation", "change_compilation"]))
    return user


def test_upload_now_on_the_compilation_page_needs_the_publishers_permission(
        client, rendered_compilation, compilation_viewer, settings, django_capture_on_commit_callbacks):
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    settings.UPLOADER = "local"
    compilation = rendered_compilation()
    client.force_login(compilation_viewer)

    with django_capture_on_commit_callbacks(execute=True):
        _upload_action(client, compilation)
    assert queued("publishing.tasks.upload_compilation") == []

    compilation_viewer.user_permissions.add(Permission.objects.get(codename="publish_post"))
    client.force_login(User.objects.get(pk=compilation_viewer.pk))
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload_action(client, compilation)

    assert queued("publishing.tasks.upload_compilation") == [(compilation.pk,)]
    assert "1 queued for upload, 0 skipped" in [str(m) for m in get_messages(response.wsgi_request)]
