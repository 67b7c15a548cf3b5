"""Clien, Bobaedream, Todayhumor and MLBPARK: their own notice and ad rows left out, fields that fall
back to their next candidate, and robots.txt obeyed. Their fixture parses are in test_site_parsers;
what every site shares (count parsing, primary sources, a renamed title block, the row filter) is in
test_field_fallbacks and test_list_filters."""

from __future__ import annotations

import pytest

from crawling.base import CrawlError, ListItem
from crawling.fixture_server import FixtureServer
from crawling.registry import CRAWLERS
from crawling.runs import site_crawl
from posts.models import Comment, Post
from tests.crawling.conftest import expected

NEW_SITES = ("clien", "bobaedream", "todayhumor", "mlbpark")


@pytest.mark.parametrize(("site", "notice"), [
    ("clien", "모두의공원 이용 규칙 (2026.09 개정)"),
    ("clien", "[운영알림] 서버 점검 안내"),
    ("bobaedream", "베스트글 선정 기준 안내"),
    ("bobaedream", "[광고] 중고차 시세 무료 조회"),
    ("todayhumor", "[공지] 베스트오브베스트 선정 방식 변경 안내"),
    ("mlbpark", "불펜 게시판 이용 수칙"),
    ("mlbpark", "가을야구 티켓 예매 오픈"),
])
def test_notice_and_ad_rows_are_left_out_of_the_list(site, notice, fixture_server):
    crawler = CRAWLERS[site](base_url=fixture_server.base_url(site), robots_policy="ignore")
    raw = (fixture_server.root / site / "list.html").read_text("utf-8")
    assert notice.replace("&", "&amp;") in raw  # the row is on the page …
    titles = [item.title for item in crawler.list_fetch(1)]
    assert notice not in titles  # … and not in the list
    assert len(titles) == len(expected(site)["list"]["items"])


def post_read(folder, site: str, change) -> object:
    """The site's first fixture post, with ``change(html) -> html`` applied, read through the crawler."""
    want = expected(site)["posts"][0]
    page = folder / site / want["file"]
    page.write_text(change(page.read_text("utf-8")), "utf-8")
    with FixtureServer(folder) as server:
        crawler = CRAWLERS[site](base_url=server.base_url(site), robots_policy="ignore")
        try:
            return crawler.post_fetch(ListItem(origin_id=want["origin_id"], url=want["url"], title=""))
        finally:
            crawler.close()


def test_clien_title_falls_back_to_og_title_and_comment_count_to_the_comments(site_folder):
    def change(page: str) -> str:
        page = page.replace('class="post_subject"', 'class="post_subject_v2"')
        page = page.replace('<span class="post_symph view_symph"><span>87</span></span>', "")
        return page.replace('<div class="comment_count">', '<div class="comment_total">')

    post = post_read(site_folder, "clien", change)
    assert post.title == "퇴근길 지하철에서 본 역대급 배려 장면"
    assert post.comment_count == len(post.comments) == 5
    assert post.likes == 87  # from the 공감 button when the title block's count is gone
    assert {field: post.parse["sources"][field] for field in ("title", "comment_count", "likes")} == {
        "title": "meta:og:title", "comment_count": "comments on page", "likes": "div.post_ccls strong.symph_count"}
    assert sorted(post.parse["fallback"]) == ["comment_count", "likes", "title"] and post.missing == []


def test_bobaedream_likes_fall_back_to_the_vote_button_when_the_count_line_changes(site_folder):
    post = post_read(site_folder, "bobaedream", lambda page: page.replace("추천 <em", "공감 <em"))
    assert post.likes == 145 and post.parse["sources"]["likes"] == "strong#recomm_cnt"
    assert post.views == 12480 and post.parse["fallback"] == ["likes"]


def test_mlbpark_likes_fall_back_to_the_count_line_and_the_date_to_the_meta_tag(site_folder):
    def change(page: str) -> str:
        page = page.replace('id="likeCnt"', "").replace("like_cnt", "x")
        return page.replace('<span class="val">2026-09-22 10:21</span>', "")

    post = post_read(site_folder, "mlbpark", change)
    assert post.likes == 45 and post.parse["sources"]["likes"] == "div.view_head div.text3"
    assert post.published_at.isoformat() == "2026-09-22T10:21:37+09:00"  # the meta tag has the seconds
    assert post.parse["sources"]["published_at"] == "meta:article:published_time"


def test_todayhumor_broken_comment_json_keeps_the_post_without_comments(site_folder):
    (site_folder / "todayhumor" / "comments_468123.json").write_text('{"memos": [', "utf-8")
    post = post_read(site_folder, "todayhumor", lambda page: page)
    assert post.title == "할머니가 손주 택배 받고 보내신 문자"
    assert post.comments == []
    assert post.comment_count == 8 and post.parse["sources"]["comment_count"] == "div.writerInfoContents"


@pytest.mark.django_db
@pytest.mark.parametrize("site", NEW_SITES)
def test_new_sites_are_crawled_end_to_end_with_robots_obeyed(site, fixture_server):
    run = site_crawl(site, base_url=fixture_server.base_url(site))  # the default policy: obey
    want = expected(site)["posts"][0]
    post = Post.objects.get(site_code=site, origin_id=want["origin_id"])
    assert run.pages == 1
    assert run.new == 1  # the one list item with a fixture page; the rest answer 404 and are recorded
    assert run.failed == len(expected(site)["list"]["items"]) - 1
    assert post.title == want["title"]
    comments = want.get("comments") or want.get("comments_in_html")
    assert Comment.objects.filter(post=post).count() == len(comments)


@pytest.mark.parametrize("site", NEW_SITES)
def test_new_sites_robots_rules_still_apply_to_their_other_paths(site, fixture_server):
    crawler = CRAWLERS[site](base_url=fixture_server.base_url(site))
    disallowed = {"clien": "/service/search?q=x", "bobaedream": "/member/login", "todayhumor": "/member/login.php",
                  "mlbpark": "/mp/member/login.php"}[site]
    with pytest.raises(CrawlError, match=r"robots\.txt disallows"):
        crawler.robots_check(fixture_server.base_url(site) + disallowed)
