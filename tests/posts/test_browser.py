"""A moderator's session in Debian's Chromium: keyboard triage with instant moves and undo, the post
page, the progress and gallery pages, the status page."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from generation.models import Short
from posts.models import Post, Status
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


def current_title(page) -> str:
    return page.locator("tr.triage-current th a").inner_text()


def rows(page) -> list[str]:
    return page.locator("#result_list tbody tr th a").all_inner_texts()


def test_instant_approve_leaves_in_place_and_undo_brings_the_post_back(browser_page, live_server):
    page, base = browser_page, live_server.url
    best = make_post(title="가장 좋은 글", score=0.9)
    make_post(title="두번째 글", score=0.8)
    log_in(page, base)
    page.goto(f"{base}/admin/posts/post/")
    page.keyboard.press("j")
    assert current_title(page) == "가장 좋은 글"
    page.keyboard.press("a")
    page.wait_for_function("document.querySelectorAll('#result_list tbody tr').length === 1")
    assert current_title(page) == "두번째 글" and page.url == f"{base}/admin/posts/post/"  # no reload
    message = page.locator(".triage-message").first
    assert "‘가장 좋은 글’ approved" in message.inner_text() and "Undo" in message.inner_text()
    best.refresh_from_db()
    assert best.status == Status.APPROVED and best.queued_at is None and best.not_before is not None
    message.locator("button.triage-undo").click()
    page.wait_for_function("document.querySelectorAll('#result_list tbody tr').length === 2")
    assert rows(page) == ["가장 좋은 글", "두번째 글"] and current_title(page) == "가장 좋은 글"
    best.refresh_from_db()
    assert best.status == Status.COLLECTED


def test_a_number_key_declines_with_its_preset_and_the_declined_list_shows_it(browser_page, live_server):
    page, base = browser_page, live_server.url
    post = make_post(title="중복된 글")
    log_in(page, base)
    page.goto(f"{base}/admin/posts/post/")
    page.keyboard.press("j")
    page.keyboard.press("d")
    assert page.locator("#triage-reasons").is_visible() and "저작권" in page.locator("#triage-reasons").inner_text()
    page.keyboard.press("3")
    page.wait_for_function("document.querySelectorAll('#result_list tbody tr').length === 0")
    post.refresh_from_db()
    assert post.status == Status.DECLINED and post.history.first().reason == "중복"
    page.goto(f"{base}/admin/posts/post/?status=DECLINED")
    assert page.locator("td.field-decline_reason").inner_text() == "중복"


def test_keys_work_in_korean_input_mode_and_a_new_search_starts_unselected(browser_page, live_server):
    page, base = browser_page, live_server.url
    make_post(title="첫 글", score=0.9, content="강아지")
    make_post(title="둘째 글", score=0.8, content="강아지")
    log_in(page, base)
    page.goto(f"{base}/admin/posts/post/")
    korean_j = "document.dispatchEvent(new KeyboardEvent('keydown', {key: 'ㅓ', code: 'KeyJ', bubbles: true}))"
    page.evaluate(korean_j)
    page.evaluate(korean_j)
    assert current_title(page) == "둘째 글"
    page.goto(f"{base}/admin/posts/post/?q=강아지")
    assert page.locator("tr.triage-current").count() == 0
    page.keyboard.press("a")  # nothing selected: nothing approved
    page.wait_for_timeout(300)
    assert not Post.objects.exclude(status=Status.COLLECTED).exists()


def test_the_next_page_is_fetched_when_the_list_runs_out(browser_page, live_server, monkeypatch):
    from posts.admin import PostAdmin

    monkeypatch.setattr(PostAdmin, "list_per_page", 2)
    page, base = browser_page, live_server.url
    for n, score in enumerate((0.9, 0.8, 0.7)):
        make_post(title=f"글 {n}", score=score)
    log_in(page, base)
    page.goto(f"{base}/admin/posts/post/")
    listed = "[...document.querySelectorAll('#result_list tbody th a')].map(a => a.textContent).join('|')"
    page.keyboard.press("j")
    page.keyboard.press("4")
    # One decline at a time: the live server's threads share one SQLite connection, and two moves
    # in flight at once interleave their savepoints ("no such savepoint"), which no real database does.
    page.wait_for_function(f"{listed} === '글 1'")
    page.keyboard.press("4")
    page.wait_for_function(f"{listed} === '글 2'")  # the second decline answered, the next page fetched
    assert rows(page) == ["글 2"] and current_title(page) == "글 2"


def test_the_post_page_plays_the_video_and_takes_the_same_keys(browser_page, live_server, settings):
    page, base = browser_page, live_server.url
    rendered = make_post(Status.RENDERED, title="렌더된 글", score=0.1)
    make_video(settings.MEDIA_ROOT / "posts" / str(rendered.pk))
    Short.objects.create(
        post=rendered, script="대본", video_path=f"posts/{rendered.pk}/video.mp4",
        thumbnail_path=f"posts/{rendered.pk}/thumbnail.jpg",
    )
    first, second = make_post(title="첫 글", score=0.9), make_post(title="둘째 글", score=0.8)
    log_in(page, base)
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
    page.locator("textarea[data-spoken-url]").fill("짧은 대본입니다.")
    page.wait_for_function("document.querySelector('.spoken-counter').textContent === '9 / 200'")

    page.goto(f"{base}/admin/posts/post/{first.pk}/change/")
    page.keyboard.press("a")
    page.wait_for_function("document.getElementById('post-status').dataset.status === 'APPROVED'")
    first.refresh_from_db()
    assert first.status == Status.APPROVED
    with page.expect_navigation():
        page.keyboard.press("j")
    assert page.url.endswith(f"/admin/posts/post/{second.pk}/change/")


def test_a_stage_poll_answered_after_a_move_does_not_undo_the_badge(browser_page, live_server):
    page, base = browser_page, live_server.url
    post = make_post(title="느린 응답")
    log_in(page, base)
    held = []
    page.route("**/admin/progress/?post=*", lambda route: held.append(route))
    page.goto(f"{base}/admin/posts/post/{post.pk}/change/")
    for _ in range(100):  # the poll leaves at DOMContentLoaded and is held here
        if held:
            break
        page.wait_for_timeout(50)
    assert len(held) == 1
    stale = held[0].fetch()  # the server answers COLLECTED; the page gets it only after the move
    page.keyboard.press("a")
    page.wait_for_function("document.getElementById('post-status').dataset.status === 'APPROVED'")
    held[0].fulfill(response=stale)
    page.wait_for_timeout(500)
    assert page.evaluate("document.getElementById('post-status').dataset.status") == "APPROVED"


def test_the_progress_page_polls_and_the_gallery_shows_players(browser_page, live_server, settings):
    page, base = browser_page, live_server.url
    log_in(page, base)
    page.goto(f"{base}/admin/progress/")
    assert "Nothing in flight." in page.locator("#in-flight").inner_text()
    make_post(Status.PROCESSING, title="지금 렌더 중")
    page.wait_for_function("document.getElementById('in-flight').textContent.includes('지금 렌더 중')",
                           timeout=10_000)
    assert int(page.get_attribute("#progress", "data-polls")) >= 1

    rendered = make_post(Status.RENDERED, title="갤러리 글")
    make_video(settings.MEDIA_ROOT / "posts" / str(rendered.pk))
    Short.objects.create(post=rendered, video_path=f"posts/{rendered.pk}/video.mp4",
                         qc={"passed": True, "reasons": [], "measured": {"duration_s": 2.0}})
    page.goto(f"{base}/admin/gallery/")
    page.wait_for_function("document.querySelector('video.gallery-video').readyState >= 1")
    box = page.locator("video.gallery-video").bounding_box()
    assert abs(box["height"] / box["width"] - 16 / 9) < 0.02
    assert "QC passed" in page.locator(".gallery-card").inner_text()


def test_the_status_page_opens(browser_page, live_server):
    page = browser_page
    make_post(Status.APPROVED)
    page.goto(f"{live_server.url}/status/")
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
