"""Notices, ads and promotions dressed as posts never reach moderators; Nate Pann's channel
(talk) list is read as well as its ranking page."""

from __future__ import annotations

import pytest

from crawling import html
from crawling.base import BaseCrawler
from crawling.registry import CRAWLERS
from tests.crawling.conftest import FIXTURES, expected


def list_of(site: str, name: str, url: str):
    crawler = CRAWLERS[site](base_url=f"http://127.0.0.1:9/{site}")
    try:
        text = html.html_decode((FIXTURES / site / name).read_bytes(), forced=crawler.encoding)
        return crawler.parse_list(html.document(text), url)
    finally:
        crawler.close()


def test_theqoo_promotion_row_that_looks_like_a_post_is_left_out():
    raw = (FIXTURES / "theqoo" / "list.html").read_text("utf-8")
    assert 'href="/hot/4361040555">체험단 모집)' in raw  # the promo row is there, shaped like a post
    ids = [item.origin_id for item in list_of("theqoo", "list.html", "https://theqoo.net/hot")]
    assert "4361040555" not in ids and "4361040556" not in ids
    assert len(ids) == 20


def test_nate_pann_channel_list_is_read_without_its_notice_and_event_rows():
    items = list_of("nate_pann", "channel_list.html", "https://pann.nate.com/talk/c20001")
    assert [(i.origin_id, i.views, i.likes, i.comments) for i in items] == [
        ("375660101", 12000, 214, 87),
        ("375660088", 8305, 96, 41),
        ("375660072", 2117, 12, 9),  # starts with 이벤트 but is a question, not a promotion
        ("375660059", 3004, 27, 0),
    ]
    assert items[0].url == "https://pann.nate.com/talk/375660101"
    assert items[0].title == "회사 점심시간에 낮잠 자는 게 그렇게 이상한가요?"


@pytest.mark.parametrize(
    ("row", "title", "href", "skipped"),
    [('<tr class="notice">', "판 이용 규칙", "/talk/1", True),
     ('<tr class="ad">', "좋은 글", "/talk/1", True),
     ("<tr>", "[광고] 쿠폰", "/talk/1", True),
     ("<tr>", "홍보: 우리 가게", "/talk/1", True),
     ("<tr>", "체험단 모집) 립밤", "/talk/1", True),
     ("<tr>", "좋은 글", "https://shop.example.com/talk/1", True),
     ("<tr>", "좋은 글", "https://m.pann.nate.com/talk/1", False),
     ("<tr>", "체험해 보니 별로였던 것", "/talk/1", False),
     ("<tr>", "이벤트 당첨 연락이 왔는데", "/talk/1", False)],
)
def test_the_global_row_filter(row, title, href, skipped):
    crawler = CRAWLERS["nate_pann"](base_url="http://127.0.0.1:9/nate_pann")
    node = html.document(f"<table>{row}<td>x</td></tr></table>").find(".//tr")
    assert crawler.row_skipped(node, title, href) is skipped


def test_a_site_adds_its_own_marks_and_words():
    class Site(BaseCrawler):
        origin = "https://example.com"
        promo_marks = ("span.ad-icon",)
        promo_words = ("공지사항",)

    site = Site(base_url="http://127.0.0.1:9/x")
    plain = html.document("<table><tr><td>x</td></tr></table>").find(".//tr")
    marked = html.document('<table><tr><td><span class="ad-icon">AD</span></td></tr></table>').find(".//tr")
    assert site.row_skipped(marked, "좋은 글", "/1") and site.row_skipped(plain, "공지사항 안내", "/1")
    assert not site.row_skipped(plain, "좋은 글", "/1")


@pytest.mark.parametrize("site", list(CRAWLERS))
def test_every_site_sends_its_list_rows_through_the_shared_filter(site):
    """The first listed post, retitled as an ad, leaves the list; the rest stay."""
    first, *rest = expected(site)["list"]["items"]
    crawler = CRAWLERS[site](base_url=f"http://127.0.0.1:9/{site}")
    try:
        text = html.html_decode((FIXTURES / site / "list.html").read_bytes(), forced=crawler.encoding)
        assert first["title"] in text
        doc = html.document(text.replace(first["title"], "[광고] " + first["title"]))
        ids = [item.origin_id for item in crawler.parse_list(doc, crawler.list_url(1))]
    finally:
        crawler.close()
    assert first["origin_id"] not in ids
    assert ids == [item["origin_id"] for item in rest]
