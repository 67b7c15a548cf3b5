"""The console's Progress and Gallery pages: what they show, who may press what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from generation.models import Short
from ops.models import ClusterHeartbeat
from posts.models import Post, Status
from tests.posts.conftest import make_post

pytestmark = pytest.mark.django_db
PROGRESS, GALLERY = reverse("console-progress"), reverse("console-gallery")


def test_progress_shows_counts_each_in_flight_post_with_its_stage_and_failures(moderator_client):
    rendering = make_post(Status.PROCESSING, title="렌더 중")
    started = timezone.now() - timedelta(minutes=2, seconds=5)
    meta = {"current": {"stage": "speech", "started_at": started.isoformat()}}
    Short.objects.create(post=rendering, generation_meta=meta)
    make_post(Status.FAILED, title="실패한 글")
    make_post(Status.COLLECTED)
    page = moderator_client.get(PROGRESS).content.decode()
    flying = page[page.index('id="in-flight"') : page.index('id="failed"')]
    assert "렌더 중" in flying and "speech" in flying and "2:0" in flying
    failed = page[page.index('id="failed"') :]
    assert "실패한 글" in failed and "RENDER_FAILED" in failed and "ffmpeg exited 1" in failed
    assert '<li data-status="COLLECTED"><span>Collected</span> <strong>1</strong></li>' in page


def test_the_post_page_polls_one_post_as_json(moderator_client):
    post = make_post(Status.APPROVED)
    answer = moderator_client.get(f"{PROGRESS}?post={post.pk}").json()["post"]
    assert answer == {"status": "APPROVED", "status_label": "Approved", "in_flight": True,
                      "stage": "waiting for the GPU worker", "elapsed": answer["elapsed"]}


def test_the_alarm_rings_when_work_waits_and_the_cluster_sent_no_heartbeat(moderator_client):
    assert "progress-alarm" not in moderator_client.get(PROGRESS).content.decode()  # idle and silent is fine
    make_post(Status.APPROVED)
    page = moderator_client.get(f"{PROGRESS}?partial=1").content.decode()
    assert "progress-alarm" in page and "The gpu cluster shows no sign of life" in page
    assert "The default cluster" not in page  # nothing waits for it


def test_a_beating_cluster_silences_the_alarm_and_a_stale_beat_rings_it(moderator_client, settings):
    make_post(Status.APPROVED)
    beat = ClusterHeartbeat.objects.create(name="gpu", host="gpu-box", pid=1, seen_at=timezone.now())
    assert "progress-alarm" not in moderator_client.get(f"{PROGRESS}?partial=1").content.decode()

    beat.seen_at = timezone.now() - timedelta(seconds=settings.HEALTHZ_HEARTBEAT_SECONDS + 5)
    beat.save()
    page = moderator_client.get(f"{PROGRESS}?partial=1").content.decode()
    assert "progress-alarm" in page and f"last heartbeat {timezone.localtime(beat.seen_at):%Y-%m-%d %H:%M:%S}" in page


@pytest.mark.parametrize("status", [Status.APPROVED, Status.PROCESSING, Status.COLLECTED])
def test_the_progress_alarm_and_healthz_agree(moderator_client, client, status):
    make_post(status)
    page = moderator_client.get(f"{PROGRESS}?partial=1").content.decode()
    healthz = client.get("/healthz").json()
    assert ("The gpu cluster shows no sign of life" in page) is (not healthz["cluster_gpu"]["ok"])


def test_one_click_retry_of_a_failed_post(moderator_client, django_capture_on_commit_callbacks):
    post = make_post(Status.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        response = moderator_client.post(PROGRESS, {"post": post.pk})
    post.refresh_from_db()
    assert response.status_code == 302 and post.status == Status.APPROVED


def shorts_in_every_state() -> dict[str, Post]:
    posts = {status: make_post(status, title=f"쇼츠 {status}") for status in (Status.RENDERED, Status.UPLOADED)}
    for status, post in posts.items():
        meta = {"engines": {"speech": {"engine": "espeak", "fallback": status == Status.UPLOADED}}}
        Short.objects.create(post=post, video_path=f"posts/{post.pk}/video.mp4", generation_meta=meta,
                             qc={"passed": True, "reasons": [], "measured": {"duration_s": 31.46}})
    return posts


def test_the_gallery_shows_each_short_with_qc_length_voice_and_the_role_s_buttons(publisher, moderator):
    posts = shorts_in_every_state()
    as_publisher, as_moderator = Client(), Client()
    as_publisher.force_login(publisher)
    as_moderator.force_login(moderator)
    page = as_publisher.get(GALLERY).content.decode()
    assert page.count('class="gallery-video"') == 2 and "31.5 s" in page and "QC passed" in page
    rendered = page[page.index(f'data-post="{posts[Status.RENDERED].pk}"') :].split("</figure>")[0]
    uploaded = page[page.index(f'data-post="{posts[Status.UPLOADED].pk}"') :].split("</figure>")[0]
    assert "neural voice" in rendered and 'value="upload"' in rendered and 'value="rerender"' in rendered
    assert "fallback voice" in uploaded and 'value="take_down"' in uploaded and 'value="upload"' not in uploaded
    moderator_page = as_moderator.get(GALLERY).content.decode()
    assert 'value="rerender"' in moderator_page
    assert 'value="upload"' not in moderator_page and 'value="take_down"' not in moderator_page


def test_a_moderator_cannot_upload_from_the_gallery(moderator_client):
    post = shorts_in_every_state()[Status.RENDERED]
    assert moderator_client.post(GALLERY, {"post": post.pk, "action": "upload"}).status_code == 403
    post.refresh_from_db()
    assert post.not_before is None


def test_a_take_down_from_the_gallery_needs_a_reason(publisher_client):
    post = shorts_in_every_state()[Status.UPLOADED]
    publisher_client.post(GALLERY, {"post": post.pk, "action": "take_down", "reason": " "})
    post.refresh_from_db()
    assert post.status == Status.UPLOADED
    publisher_client.post(GALLERY, {"post": post.pk, "action": "take_down", "reason": "저작권 신고"})
    post.refresh_from_db()
    assert post.status == Status.TAKING_DOWN


def test_staff_without_a_role_sees_neither_page(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody", password="x", is_staff=True))
    assert client.get(PROGRESS).status_code == 403 and client.get(GALLERY).status_code == 403


def test_anonymous_users_are_sent_to_the_login(client):
    assert client.get(PROGRESS)["Location"].startswith(reverse("admin:login"))
