"""The public overview page (`/`, `/status/`) and /healthz."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django_q.models import OrmQ, Task

from generation.models import Short
from ops.models import ClusterHeartbeat
from posts.lifecycle import Failure
from posts.models import Status, StatusChange
from publishing.models import Upload
from tests.posts.conftest import make_post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def uploaded(title: str, url: str, when) -> None:
    post = make_post(Status.UPLOADED, title="원문 " + title)
    Short.objects.create(post=post, title=title)
    Upload.objects.create(post=post, platform="youtube", video_id="v", url=url, uploaded_at=when)


def table(page: str, table_id: str) -> str:
    start = page.index(f'id="{table_id}"')
    return page[start : page.index("</table>", start)]


def test_anyone_sees_counts_per_status(client):
    make_post()
    make_post()
    make_post(Status.DECLINED)
    response = client.get("/status/")
    assert response.status_code == 200
    counts = table(response.content.decode(), "counts")
    assert '<th>Collected</th><td class="n">2</td>' in counts
    assert '<th>Declined</th><td class="n">1</td>' in counts
    assert '<th>Failed</th><td class="n">0</td>' in counts


def test_the_root_url_is_the_overview_page(client):
    assert b"WaggleBot status" in client.get("/").content


def test_activity_counts_processed_and_uploaded_in_24_hours_and_7_days(client):
    make_post(Status.UPLOADED)
    old = make_post(Status.RENDERED)
    old.history.filter(new=Status.RENDERED).update(at=timezone.now() - timedelta(days=3))
    activity = table(client.get("/status/").content.decode(), "activity")
    assert '<th>Last 24 h</th><td class="n">1</td><td class="n">1</td>' in activity
    assert '<th>Last 7 days</th><td class="n">2</td><td class="n">1</td>' in activity


def test_the_last_ten_uploads_show_title_and_public_link_only(client):
    now = timezone.now()
    for n in range(12):
        uploaded(f"영상 {n:02d}", f"https://youtube.com/shorts/v{n}", now - timedelta(hours=n))
    page = client.get("/status/").content.decode()
    uploads = page[page.index('id="uploads"') : page.index("</ol>")]
    assert uploads.count("<li>") == 10
    assert uploads.index("영상 00") < uploads.index("영상 09")
    assert "영상 10" not in uploads
    assert '<a href="https://youtube.com/shorts/v0" rel="noopener noreferrer">영상 00</a>' in uploads


def test_taken_down_videos_leave_the_upload_list(client):
    uploaded("내려간 영상", "https://youtube.com/shorts/gone", timezone.now())
    post = Short.objects.get(title="내려간 영상").post
    post.apply("request_take_down", reason="author asked")
    post.apply("mark_taken_down")
    assert "내려간 영상" not in client.get("/status/").content.decode()


def test_nothing_private_is_shown(client, admin_user, settings):
    pending = make_post(title="아직 검토 전인 제목", content="비공개 본문")
    post = make_post(Status.RENDERED)
    post.apply("regenerate", by=admin_user, reason="moderator note")
    Short.objects.create(post=pending, video_path="posts/1/video.mp4", script="비공개 대본")
    page = client.get("/status/").content.decode()
    for private in ("아직 검토 전인 제목", "비공개 본문", "비공개 대본", admin_user.username, "moderator note",
                    "posts/1/video.mp4", str(settings.MEDIA_ROOT)):
        assert private not in page, private


def test_clusters_show_last_finished_task_and_queue_depth(client):
    stopped = timezone.now() - timedelta(minutes=3)
    Task.objects.create(id="t1", name="t1", func="f", started=stopped, stopped=stopped, success=True, cluster="gpu")
    for key in ("default", "default", "gpu"):
        OrmQ.objects.create(key=key, payload="x", lock=timezone.now() - timedelta(seconds=1))
    clusters = table(client.get("/status/").content.decode(), "clusters")
    default_row = clusters[clusters.index("<th>default</th>") :].split("</tr>")[0]
    gpu_row = clusters[clusters.index("<th>gpu</th>") :].split("</tr>")[0]
    assert "never" in default_row and '<td class="n">2</td>' in default_row
    assert f"{timezone.localtime(stopped):%Y-%m-%d %H:%M:%S}" in gpu_row and '<td class="n">1</td>' in gpu_row


def test_failures_by_error_code_in_the_last_week(client):
    for code in ("TTS_FAILED", "TTS_FAILED", "RENDER_FAILED"):
        post = make_post(Status.PROCESSING)
        post.apply("fail", failure=Failure.of(code), reason="broken")
    StatusChange.objects.filter(error_code="RENDER_FAILED").update(at=timezone.now() - timedelta(days=8))
    failures = table(client.get("/status/").content.decode(), "failures")
    assert '<th>TTS_FAILED</th><td class="n">2</td>' in failures
    assert "RENDER_FAILED" not in failures


def test_the_page_is_cached_for_a_few_seconds(client, settings, django_assert_num_queries):
    settings.STATUS_CACHE_SECONDS = 60
    client.get("/status/")
    make_post()
    with django_assert_num_queries(0):
        page = client.get("/status/").content.decode()
    assert '<th>Collected</th><td class="n">0</td>' in table(page, "counts")
    cache.clear()
    assert '<th>Collected</th><td class="n">1</td>' in table(client.get("/status/").content.decode(), "counts")


def test_healthz_reports_database_broker_and_disk(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["database"]["ok"] and body["broker"]["ok"] and body["disk"]["ok"]
    assert body["disk"]["free_mb"] > 0


def test_healthz_is_503_when_the_disk_is_nearly_full(client, settings):
    settings.HEALTHZ_MIN_FREE_MB = 10**12
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["disk"]["ok"] is False


def test_healthz_is_503_when_the_broker_is_down(client, settings):
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "redis": "redis://127.0.0.1:1/0"}
    settings.Q_CLUSTER.pop("orm", None)
    from django_q.conf import Conf

    old = (Conf.ORM, Conf.REDIS)
    Conf.ORM, Conf.REDIS = None, "redis://127.0.0.1:1/0"
    try:
        response = client.get("/healthz")
    finally:
        Conf.ORM, Conf.REDIS = old
    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False


def test_healthz_is_503_when_a_post_waits_and_the_gpu_cluster_sent_no_heartbeat(client):
    make_post(status=Status.APPROVED)
    body = client.get("/healthz").json()
    assert body["ok"] is False
    assert body["cluster_gpu"] == {"ok": False, "heartbeat": False, "work_waiting": True}
    assert body["cluster_default"]["ok"] is True  # nothing waits for it


def test_healthz_is_503_when_the_gpu_clusters_last_heartbeat_is_stale(client, settings):
    make_post(status=Status.APPROVED)
    ClusterHeartbeat.objects.create(name="gpu", host="gpu-box", pid=1,
                                    seen_at=timezone.now() - timedelta(seconds=settings.HEALTHZ_HEARTBEAT_SECONDS + 5))
    assert client.get("/healthz").status_code == 503


def test_healthz_is_ok_when_the_waiting_posts_cluster_beats(client):
    make_post(status=Status.APPROVED)
    ClusterHeartbeat.objects.beat("gpu")
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["cluster_gpu"] == {"ok": True, "heartbeat": True, "work_waiting": True}


def test_healthz_counts_an_approved_compilation_as_work_waiting_for_the_gpu(client):
    from tests.factories import make_compilation

    make_compilation(status="APPROVED")
    assert client.get("/healthz").json()["cluster_gpu"] == {"ok": False, "heartbeat": False, "work_waiting": True}


def test_healthz_counts_a_post_held_by_a_dead_gpu_worker_as_waiting_work(client):
    make_post(status=Status.PROCESSING)
    assert client.get("/healthz").json()["cluster_gpu"]["ok"] is False


def test_healthz_never_imports_the_ml_stack_in_the_web_process(tmp_path):
    env = {**os.environ, "ENV_FILE": "/dev/null", "DATABASE_URL": f"sqlite:///{tmp_path / 'web.sqlite3'}",
           "MEDIA_ROOT": str(tmp_path / "media"), "SECURE_SSL_REDIRECT": "false", "ALLOWED_HOSTS": "testserver"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=settings.BASE_DIR, env=env, check=True,
                   timeout=300)
    probe = (
        "import django, json, sys; django.setup()\n"
        "from django.test import Client\n"
        "status = Client().get('/healthz').status_code\n"
        "print(json.dumps([status, sorted(m for m in ('torch', 'transformers', 'optimum', 'auto_gptq')"
        " if m in sys.modules)]))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=settings.BASE_DIR, capture_output=True, text=True,
                          env={**env, "DJANGO_SETTINGS_MODULE": "wagglebot.settings"}, timeout=120, check=True)
    status, loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert status == 200 and loaded == []


def test_healthz_answers_plain_http_even_when_https_is_enforced(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/status/").status_code == 301


def test_the_overview_page_sums_the_audience_of_uploaded_videos(client):
    for views, likes in ((1000, 10), (500, 5)):
        post = make_post(Status.UPLOADED)
        Upload.objects.create(post=post, platform="youtube", views=views, likes=likes, comments=1,
                              stats_fetched_at=timezone.now())
    taken_down = make_post(Status.UPLOADED)
    taken_down.apply("request_take_down", reason="the author asked")
    taken_down.apply("mark_taken_down")
    Upload.objects.create(post=taken_down, platform="youtube", views=9999, stats_fetched_at=timezone.now())

    audience = table(client.get("/status/").content.decode(), "video-stats")

    assert ">2<" in audience and ">1500<" in audience and ">15<" in audience
    assert "9999" not in audience
