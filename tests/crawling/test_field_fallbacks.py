"""Each post field falls back to other sources on the page when its selector finds nothing, and
records which source answered; a page that lost its title block is still a post, marked incomplete."""

from __future__ import annotations

import re

import pytest

from crawling import html
from crawling.fields import Fields
from crawling.registry import CRAWLERS, static_sites
from tests.crawling.conftest import FIXTURES, expected


def page(site: str, name: str) -> str:
    raw = (FIXTURES / site / name).read_bytes()
    return html.html_decode(raw, forced=CRAWLERS[site].encoding)


def parse(site: str, text: str, url: str):
    crawler = CRAWLERS[site](base_url="http://127.0.0.1:9/" + site)
    try:
        return crawler.parse_post(html.document(text), url)
    finally:
        crawler.close()


DC_URL = "https://gall.dcinside.com/board/view/?id=dcbest&no=455901"
RULIWEB_URL = "https://bbs.ruliweb.com/best/board/300143/read/76801234"
THEQOO_URL = "https://theqoo.net/hot/4361027745"


@pytest.mark.parametrize(
    ("text", "label", "expected"),
    [("조회 1,366", "", 1366), ("1.2만", "", 12000), ("추천 12", "", 12), ("3.4천", "", 3400), ("[7]", "", 7),
     ("추천 12 | 조회 20,118 | 비추력 14", "조회", 20118), ("조회수 1.5만", "조회수", 15000), ("no number", "", None),
     ("추천 12", "조회", None), ("3.2 k", "", 3200), ("댓글 : 8개", "댓글", 8), ("조회수 : 15204", "조회수", 15204),
     ("-", "", None)],
)
def test_counts_are_read_with_labels_and_separators_anywhere(text, label, expected):
    assert html.count(text, label) == expected


def test_a_count_with_a_label_never_takes_another_labelled_number():
    doc = html.document("<div><p class=a>추천 12</p><p class=b>1,366</p></div>")
    fields = Fields(doc)
    assert fields.count("views", ["p.a", "p.b"], label="조회") == 1366
    assert fields.record() == {"sources": {"views": "p.b"}, "fallback": ["views"], "missing": []}


@pytest.mark.parametrize("site", static_sites())
def test_every_fixture_post_is_read_from_the_primary_sources(site):
    for want in expected(site)["posts"]:
        post = parse(site, page(site, want["file"]), want["url"])
        assert post.parse["fallback"] == [] and post.missing == [], (want["file"], post.parse)


def test_dcinside_date_falls_back_from_the_title_attribute_to_the_element_text_and_reads_dislikes():
    text = page("dcinside", "post_455901.html").replace('title="2026-09-22 09:12:37"', "")
    post = parse("dcinside", text, DC_URL)
    assert post.published_at.isoformat() == "2026-09-22T09:12:37+09:00"
    assert post.parse["sources"]["published_at"] == "span.gall_date"
    assert post.dislikes == 12 and post.parse["sources"]["dislikes"] == "p#recommend_view_down_455901"


def test_dcinside_post_with_a_changed_header_is_kept_with_its_title_from_og_and_the_gaps_named():
    text = page("dcinside", "post_455901.html").replace("gallview_head", "gallview_head_v2")
    text = re.sub(r'<span class="(title_subject|gall_date|gall_count|gall_reply_num|gall_comment)"', "<span", text)
    post = parse("dcinside", text, DC_URL)
    assert post.title == "자취 5년차가 정착한 3분 계란볶음밥 레시피.jpg"
    assert post.parse["sources"]["title"] == "meta:og:title"
    assert post.likes == 412 and post.parse["sources"]["likes"] == "p#recommend_view_up_455901"
    assert set(post.missing) == {"views", "comment_count", "published_at"}
    assert "계란" in post.content


def test_ruliweb_date_views_and_comments_fall_back_to_meta_the_mini_profile_and_the_comments():
    text = page("ruliweb", "post_76801234.html")
    text = text.replace('class="regdate"', 'class="regdate_x"').replace("조회 20,118", "")
    text = re.sub(r'<strong class="reply_count">[^<]*</strong>|<input type="hidden" id="reply_count"[^>]*>', "", text)
    text = text.replace("<head>", '<head><meta property="og:updated_time" content="2026-09-22T09:41:17+09:00">')
    post = parse("ruliweb", text, RULIWEB_URL)
    assert post.published_at.isoformat() == "2026-09-22T09:41:17+09:00"
    assert post.views == 20118
    assert post.comment_count == len(post.comments) > 0
    assert post.parse["sources"] == {**post.parse["sources"], "published_at": "meta:og:updated_time",
                                     "views": "div.mini_profile .hit strong", "comment_count": "comments on page"}
    assert sorted(post.parse["fallback"]) == ["comment_count", "published_at", "views"]


def test_theqoo_counts_follow_their_icons_not_their_position_and_read_sanitized_numbers():
    text = page("theqoo", "post_4361027745.html").replace(
        '<i class="far fa-eye"></i> 15,204', 'HOT <i class="far fa-eye"></i> 1.2만'
    )
    post = parse("theqoo", text, THEQOO_URL)
    assert (post.views, post.comment_count) == (12000, 326)


def test_theqoo_post_without_a_title_block_is_kept_with_a_stand_in_title_and_marked_incomplete():
    text = page("theqoo", "post_4361027745.html").replace("theqoo_document_header", "document_header_new")
    text = text.replace('<span class="title">', "<span>")
    post = parse("theqoo", text, THEQOO_URL)
    assert "title" in post.missing
    assert post.title and post.title in post.content
    assert post.views == 15204  # the footer repeats the counts


def test_a_page_without_a_usable_body_is_the_only_failure():
    text = page("theqoo", "post_4361027745.html")
    text = re.sub(r"<article[^>]*>.*?</article>", "<article> </article>", text, flags=re.S)
    with pytest.raises(html.ParseError, match="missing body"):
        parse("theqoo", text, THEQOO_URL)


def test_json_ld_answers_when_selectors_and_meta_do_not():
    doc = html.document(
        '<html><head><script type="application/ld+json">{"@graph": [{"@type": "Article", "headline": "제목",'
        ' "datePublished": "2026-09-22T01:00:00Z", "author": {"name": "글쓴이"}, "interactionStatistic":'
        ' {"interactionType": "https://schema.org/ViewAction", "userInteractionCount": "1,366"}}]}</script>'
        "</head><body><p>본문</p></body></html>"
    )
    fields = Fields(doc)
    assert fields.text("title", ["h1"]) == "제목"
    assert fields.text("author", ["a.nick"]) == "글쓴이"
    assert fields.date("published_at", ["span.date"]).isoformat() == "2026-09-22T10:00:00+09:00"
    assert fields.count("views", ["span.hit"]) == 1366
    assert fields.sources == {"title": "json-ld:headline", "author": "json-ld:author",
                              "published_at": "json-ld:datePublished", "views": "json-ld:ViewAction"}


HEADER_RENAMED = {  # each site's title block under a new name
    "dcinside": ('class="title_subject"', 'class="subject_v2"'),
    "nate_pann": ("post-tit-info", "post-title-v2"),
    "theqoo": ('<span class="title">', '<span class="subject">'),
    "ruliweb": ("subject_inner_text", "subject_v2"),
    "instiz": ('id="nowsubject"', 'id="subject_v2"'),
    "ppomppu": ('id="topTitle"', 'id="title_v2"'),
    "clien": ('class="post_subject"', 'class="subject_v2"'),
    "bobaedream": ('class="writerProfile"', 'class="writer_v2"'),
    "todayhumor": ('class="viewSubjectDiv"', 'class="subject_v2"'),
    "mlbpark": ('class="titles"', 'class="titles_v2"'),
}


@pytest.mark.parametrize("site", list(CRAWLERS))  # a site added to the registry needs its entry above
def test_every_site_keeps_a_post_whose_title_block_was_renamed(site):
    want = expected(site)["posts"][0]
    old, new = HEADER_RENAMED[site]
    text = page(site, want["file"])
    assert old in text
    post = parse(site, text.replace(old, new), want["url"])
    assert post.title and post.content
    assert "title" in post.parse["fallback"] or post.missing[:1] == ["title"], post.parse
    if "title" in post.parse["fallback"]:  # og:title, with the site name the meta appends cut off
        assert post.title == want["title"], post.parse["sources"]["title"]
