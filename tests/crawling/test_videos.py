"""Crawlers record a post's clip URLs beside its images; the fixture server serves the clips."""

from __future__ import annotations

import pytest

from crawling import html
from crawling.base import ListItem
from crawling.registry import CRAWLERS
from crawling.saving import posts_save
from posts.models import Post
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
