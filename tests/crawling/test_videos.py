"""Crawlers record a post's clip URLs beside its images; the fixture server serves the clips."""

from __future__ import annotations

import pytest

from crawling import html
from crawling.base import ListItem
from crawling.registry import CRAWLERS
from crawling.saving import posts_save
from posts.models import Post
from tests.crawling.conftest import FIXTURES as FIXTURE_SITES
from tests.crawling.conftest import expected

PAGE = """<html><head>
<meta property="og:video" content="https://cdn.example.com/b.mp4">
<meta property="og:video:url" content="https://cdn.example.com/a.mp4">
</head><body><div id="body">
<video src="/clips/a.mp4"></video>
<video poster="p.jpg"><source src="https://cdn.example.com/c.webm" type="video/webm"><source src="blob:xyz"></video>
<video src="data:video/mp4;base64,AAAA"></video>
</div></body></html>"""


def test_videos_come_from_video_tags_then_og_video_without_duplicates_or_blob_urls():
    doc = html.document(PAGE)
    body = html.first(doc, "#body")

    found = html.videos(body, "https://cdn.example.com/post/1", doc)

    assert found == ["https://cdn.example.com/clips/a.mp4", "https://cdn.example.com/c.webm",
                     "https://cdn.example.com/a.mp4", "https://cdn.example.com/b.mp4"]


def test_a_page_without_clips_has_no_videos():
    doc = html.document("<html><body><p>글만 있어요</p><img src='https://x.example/a.jpg'></body></html>")

    assert html.videos(doc, "https://x.example/", doc) == []


@pytest.mark.parametrize("site", ["clien", "bobaedream"])
def test_a_crawled_video_post_is_saved_with_its_clip_url(site, fixture_server, db):
    want = next(post for post in expected(site)["posts"] if post.get("clips"))
    crawler = CRAWLERS[site](base_url=fixture_server.base_url(site), robots_policy="ignore")
    try:
        data = crawler.post_fetch(ListItem(origin_id=want["origin_id"], url=want["url"], title=""))
        posts_save(site, [data])
        clip = crawler.clip_fetch(want["clips"][0], referer=want["url"])
    finally:
        crawler.close()

    post = Post.objects.get(site_code=site, origin_id=want["origin_id"])
    assert post.videos == want["clips"]
    assert clip[4:8] == b"ftyp"  # the fixture's mp4, served as video/mp4


def test_the_clip_fetch_refuses_a_file_the_server_does_not_call_a_video(fixture_server):
    from wagglebot.lib.safehttp import FetchError

    crawler = CRAWLERS["clien"](base_url=fixture_server.base_url("clien"), robots_policy="ignore")
    try:
        with pytest.raises(FetchError):
            crawler.clip_fetch("https://edgio.clien.net/F01/15879876/missing.mp4")
    finally:
        crawler.close()


def fixture_clip_post(site_folder, server, name: str, body: bytes | None = None) -> tuple:
    """A saved clien post listing the clip ``name`` (written into the copied fixtures when given)."""
    from tests.factories import make_post

    if body is not None:
        (site_folder / "clien" / "videos" / name).write_bytes(body)
    post = make_post(site_code="clien", videos=[f"https://edgio.clien.net/F01/1/{name}"])
    return CRAWLERS["clien"](base_url=server.base_url("clien"), robots_policy="ignore"), post


@pytest.mark.parametrize("case", ["not a video", "too long", "too big", "missing"])
def test_a_bad_clip_is_skipped_and_no_file_is_kept(case, site_folder, settings, db):
    from crawling.clips import clips_cache_run, clips_dir
    from crawling.fixture_server import FixtureServer

    good = (site_folder / "clien" / "videos" / "cat_morning.mp4").read_bytes()
    body = {"not a video": b"<html>not found</html>" * 50, "missing": None}.get(case, good)
    settings.CLIP_MAX_SECONDS = 1.0 if case == "too long" else 180.0
    settings.CLIP_FETCH_MAX_BYTES = 1000 if case == "too big" else 50_000_000
    with FixtureServer(site_folder) as server:
        crawler, post = fixture_clip_post(site_folder, server, "bad.mp4", body)
        try:
            assert clips_cache_run(crawler, [post]) == 0
        finally:
            crawler.close()

    assert not any(clips_dir(post.pk).glob("*.mp4"))


def test_the_render_records_each_bad_clip_and_takes_the_next_one_already_on_disk(settings, db):
    from crawling.clips import clips_dir
    from generation.clips import post_clip_fetch
    from tests.factories import make_post

    post = make_post(site_code="clien", videos=["https://x.example/a.mp4", "https://x.example/b.mp4"])
    folder = clips_dir(post.pk)
    folder.mkdir(parents=True)
    (folder / "00.mp4").write_bytes(b"\x00" * 2000)  # cached by an earlier run, but no video
    good = next(p for p in (FIXTURE_SITES / "clien" / "videos").glob("*.mp4"))
    (folder / "01.mp4").write_bytes(good.read_bytes())

    clip, tried = post_clip_fetch(post)  # both on disk: nothing is fetched

    assert clip is not None and clip.path.name == "01.mp4" and clip.source == "https://x.example/b.mp4"
    assert 2.5 < clip.seconds <= 3.1 and clip.has_audio
    assert tried[0]["source"] == "https://x.example/a.mp4" and tried[0]["error"]
    assert tried[1]["path"] == f"posts/{post.pk}/clips/01.mp4"
    assert not (folder / "00.mp4").exists()
