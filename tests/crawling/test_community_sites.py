"""Clien, Bobaedream, Todayhumor and MLBPARK: counts with labels, notices left out, fields that fall
back to their next candidate, and robots.txt obeyed. Their fixture parses are in test_site_parsers."""

from __future__ import annotations

import pytest

from crawling.base import CrawlError, ListItem
from crawling.fixture_server import FixtureServer
from crawling.registry import CRAWLERS
from crawling.runs import site_crawl
from crawling.sites.candidates import count, labelled
from posts.models import Comment, Post
from tests.crawling.conftest import expected

NEW_SITES = ("clien", "bobaedream", "todayhumor", "mlbpark")


@pytest.mark.parametrize(("text", "number"), [
    ("조회 1,366", 1366), ("1.2만", 12000), ("3.2 k", 3200), ("[23]", 23), ("댓글 : 8개", 8), ("98.1 k", 98100),
    ("", 0), ("-", 0),
])
def test_counts_are_read_through_labels_separators_and_units(text, number):
    assert count(text) == number


def test_a_labelled_count_is_found_by_its_label_and_is_none_without_it():
    line = "추천 : 312 조회수 : 15204 댓글 : 8개"
    assert (labelled(line, "조회수"), labelled(line, "추천"), labelled(line, "댓글")) == (15204, 312, 8)
    assert labelled(line, "반대") is None


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


def test_bobaedream_likes_fall_back_to_the_vote_button_when_the_count_line_changes(site_folder):
    post = post_read(site_folder, "bobaedream", lambda page: page.replace("추천 <em", "공감 <em"))
    assert post.likes == 145
    assert post.views == 12480


def test_mlbpark_likes_fall_back_to_the_count_line_when_the_like_counter_is_gone(site_folder):
    post = post_read(site_folder, "mlbpark", lambda page: page.replace('id="likeCnt"', "").replace("like_cnt", "x"))
    assert post.likes == 45


def test_todayhumor_broken_comment_json_keeps_the_post_without_comments(site_folder):
    (site_folder / "todayhumor" / "comments_468123.json").write_text('{"memos": [', "utf-8")
    post = post_read(site_folder, "todayhumor", lambda page: page)
    assert post.title == "할머니가 손주 택배 받고 보내신 문자"
    assert post.comments == []
    assert post.comment_count == 8


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
