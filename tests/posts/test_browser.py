"""A moderator's session in Debian's Chromium: keyboard triage, the video preview, the status page."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from generation.models import Short
from posts.models import Status
from tests.conftest import require_binary
from tests.posts.conftest import make_post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def make_video(folder: Path) -> None:
    ffmpeg = require_binary("ffmpeg")
    folder.mkdir(parents=True)
    subprocess.run(
        [ffmpeg, "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=1080x1920:rate=30",
         "-f", "lavfi", "-i", "sine", "-t", "2", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac",
         "-movflags", "+faststart", str(folder / "video.mp4")],
        check=True,
    )
    subprocess.run(
        [ffmpeg, "-loglevel", "error", "-y", "-i", str(folder / "video.mp4"), "-frames:v", "1",
         "-vf", "scale=270:-1", str(folder / "thumbnail.jpg")],
        check=True,
    )


@pytest.fixture
def browser_page(chromium):
    page = chromium.new_page()
    page.set_default_timeout(20_000)
    return page


def log_in(page, base: str) -> None:
    User.objects.create_superuser("boss", password="browser-test-password")
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", "browser-test-password")
    with page.expect_navigation():
        page.click("input[type=submit]")


def test_triage_with_the_keyboard_watch_the_render_and_see_the_status(browser_page, live_server, settings):
    page, base = browser_page, live_server.url
    best, second = make_post(title="가장 좋은 글", score=90), make_post(title="두번째 글", score=80)
    third = make_post(title="세번째 글", score=70)
    rendered = make_post(Status.RENDERED, title="렌더된 글", score=10)
    make_video(settings.MEDIA_ROOT / "posts" / str(rendered.pk))
    Short.objects.create(
        post=rendered, script="대본", video_path=f"posts/{rendered.pk}/video.mp4",
        thumbnail_path=f"posts/{rendered.pk}/thumbnail.jpg",
    )
    log_in(page, base)

    page.goto(f"{base}/admin/posts/post/")
    page.keyboard.press("j")
    assert page.locator("tr.triage-current th a").inner_text() == "가장 좋은 글"
    with page.expect_navigation():
        page.keyboard.press("a")
    assert page.locator("tr.triage-current th a").inner_text() == "두번째 글"
    with page.expect_navigation():
        page.keyboard.press("d")
    best.refresh_from_db()
    second.refresh_from_db()
    assert (best.status, second.status) == (Status.APPROVED, Status.DECLINED)
    assert page.locator("tr.triage-current th a").inner_text() == "세번째 글"
    with page.expect_navigation():
        page.keyboard.press("o")
    assert page.url.endswith(f"/admin/posts/post/{third.pk}/change/")

    ranges = []
    page.on("response", lambda r: ranges.append(r.status) if r.url.endswith("video.mp4") else None)
    page.goto(f"{base}/admin/posts/post/{rendered.pk}/change/")
    page.wait_for_function("document.getElementById('post-video').readyState >= 2")
    page.evaluate(
        "new Promise(done => { const v = document.getElementById('post-video');"
        " v.addEventListener('seeked', done, {once: true}); v.currentTime = 1.5; })"
    )
    assert page.evaluate("document.getElementById('post-video').error") is None
    assert 206 in ranges
    assert page.evaluate("document.getElementById('post-video').poster").endswith("thumbnail.jpg")

    page.goto(f"{base}/status/")
    assert page.locator("h1").inner_text() == "WaggleBot status"
    assert "Approved" in page.locator("#counts").inner_text()


def test_the_inbox_works_without_javascript(chromium, live_server):
    post = make_post(title="자바스크립트 없이")
    page = chromium.new_context(java_script_enabled=False).new_page()
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/admin/posts/post/")
    page.check(f"input.action-select[value='{post.pk}']")
    page.select_option("select[name=action]", "approve")
    with page.expect_navigation():
        page.click("button[name=index]")
    post.refresh_from_db()
    assert post.status == Status.APPROVED
