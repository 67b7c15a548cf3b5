"""The whole product with its real processes: web server, default cluster and gpu cluster.

A moderator approves a crawled post in Chromium, the gpu cluster renders it, the preview plays in
the admin, "Upload now" sends it to the fake YouTube server, and the status page lists it. Runs in
the MariaDB pass: the three processes share the test database through the ORM broker.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection

from generation.models import Short
from posts.models import Post, Status
from tests.conftest import require_binary
from tests.publishing.fake_youtube import FakeYouTube
from wagglebot.lib.procs import ServiceGroup

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SAMPLES = settings.BASE_DIR / "tests" / "fixtures" / "sites"
PASSWORD = "e2e-moderator-password"
RENDER_WAIT_SECONDS = 480
UPLOAD_WAIT_SECONDS = 120


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"mysql://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 3306}/{db['NAME']}"


def child_env(tmp_path: Path, youtube: FakeYouTube) -> dict[str, str]:
    return {
        "ENV_FILE": "/dev/null",
        "DEBUG": "false",
        "SECRET_KEY": "e2e-secret-key-not-for-production-0123456789",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "STATIC_ROOT": str(tmp_path / "static"),
        "METRICS_DIR": str(tmp_path / "metrics"),
        "Q_WORKERS": "1",
        "SCRIPT_WRITER": "extractive",
        "TTS_ENGINES": "espeak",
        "RENDER_X264_PRESET": "ultrafast",
        "UPLOADER": "youtube",
        "YOUTUBE_API_ROOT": youtube.url,
        "YOUTUBE_TOKEN_FILE": str(tmp_path / "no-token.json"),
        "YOUTUBE_BACKOFF_SECONDS": "0.1",
        "LOG_FORMAT": "json",
    }


@pytest.fixture
def browser(chromium):
    page = chromium.new_page()
    page.set_default_timeout(30_000)
    return page


def wait_for_status(post: Post, wanted: str, group: ServiceGroup, seconds: int) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        group.check_alive()
        post.refresh_from_db()
        if post.status == wanted:
            return
        if post.status == Status.FAILED:
            pytest.fail(f"post {post.pk} failed: {post.error_code} {post.error_message}")
        time.sleep(1)
    pytest.fail(f"post {post.pk} is {post.status}, not {wanted}, after {seconds} s; logs in {group.log_dir}")


def run_action(page, base: str, post: Post, action: str) -> None:
    page.goto(f"{base}/admin/posts/post/?status={post.status}")
    page.check(f"input[name=_selected_action][value='{post.pk}']")
    page.select_option("select[name=action]", action)
    with page.expect_navigation():
        page.click("button[name=index]")


def test_a_crawled_post_goes_from_approval_in_the_browser_to_youtube_and_the_status_page(
    mariadb_only, tmp_path, fake_youtube, browser
):
    require_binary("espeak-ng")
    youtube = fake_youtube
    env = child_env(tmp_path, youtube)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                   cwd=settings.BASE_DIR, env={**os.environ, **env}, check=True)
    call_command("crawl", fixtures=str(SAMPLES), robots="ignore", verbosity=0)
    post = Post.objects.filter(status=Status.COLLECTED, duplicate_of__isnull=True).order_by("-score").first()
    assert post is not None, "the sample crawl saved no post"
    User.objects.create_superuser("moderator", password=PASSWORD)
    port = free_port()
    base = f"http://127.0.0.1:{port}"

    with ServiceGroup(log_dir=tmp_path / "logs", env=env) as group:
        group.cluster("default")
        group.cluster("gpu")
        group.web(port)
        processes = [service.process for service in group.services]
        page = browser
        page.goto(f"{base}/admin/login/")
        page.fill("#id_username", "moderator")
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation():
            page.click("input[type=submit]")

        run_action(page, base, post, "approve")
        assert "1 approved" in page.locator(".messagelist").inner_text()
        wait_for_status(post, Status.RENDERED, group, RENDER_WAIT_SECONDS)

        page.goto(f"{base}/admin/posts/post/{post.pk}/change/")
        page.wait_for_function("document.getElementById('post-video').readyState >= 2")
        page.evaluate("document.getElementById('post-video').play()")
        page.wait_for_function("document.getElementById('post-video').currentTime > 0.5")
        assert Short.objects.get(post=post).qc["passed"] is True

        run_action(page, base, post, "upload_now")
        wait_for_status(post, Status.UPLOADED, group, UPLOAD_WAIT_SECONDS)
        short, upload = Short.objects.get(post=post), post.uploads.get()
        assert list(youtube.videos) == [upload.video_id]
        assert youtube.blobs[upload.video_id] == (settings.MEDIA_ROOT / short.video_path).read_bytes()

        time.sleep(settings.STATUS_CACHE_SECONDS + 0.5)
        page.goto(f"{base}/status/")
        assert page.locator("#uploads a", has_text=short.title).get_attribute("href") == upload.url
    assert all(process.poll() is not None for process in processes), "a process outlived the test"
