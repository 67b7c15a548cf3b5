"""Instiz (www.instiz.net): the portal board. Comments are inserted by JavaScript, so post pages
are rendered in Chromium through ``crawling.browser``; list pages are plain HTML."""

from __future__ import annotations

import re

from crawling import html
from crawling.base import BaseCrawler, CommentData, ListItem, PostData
from crawling.browser import Browser
from crawling.fields import Fields

POST_ID = re.compile(r"/pt/(\d+)")
BODY = "td#content_td div.memo_content"
TITLE_SUFFIX = r"\s+-\s+인스티즈.*$"  # og:title appends " - 인스티즈(instiz) 인티포털"


class Instiz(BaseCrawler):
    code = "instiz"
    name = "Instiz"
    name_ko = "인스티즈"
    hashtag = "인스티즈"
    needs_browser = True
    origin = "https://www.instiz.net"
    hosts = ("instiz.net",)  # the site and its image CDNs

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.browser = Browser(policy=self.policy)

    @classmethod
    def list_path(cls, page: int) -> str:
        return "/pt" if page == 1 else f"/pt?page={page}"

    def parse_list(self, doc, url: str) -> list[ListItem]:
        items: dict[str, ListItem] = {}
        rows = "#mainboard_top tr#detour td.listsubject a, #mainboard_top tr[id^=list] td.listsubject a"
        for link in html.select(doc, rows):
            match = POST_ID.search(html.attr(link, "href"))
            if not match or match.group(1) in items:
                continue  # not a post, or already listed in the green box
            row = link.getparent().getparent()
            if self.row_skipped(row, html.text(link), html.attr(link, "href")):
                continue
            items[match.group(1)] = self._item(link, match.group(1))
        return list(items.values())

    def _item(self, link, origin_id: str) -> ListItem:
        count = html.first(link, "span.cmt3, span.cmt2")
        comments = html.to_int(html.text(count))
        row = link.getparent().getparent()
        cells = html.select(row, "td.listno")
        if cells:  # green box: date, views, likes
            views, likes = html.to_int(html.text(cells[1])) if len(cells) > 1 else 0, html.to_int(html.text(cells[-1]))
        else:
            regdate = html.text(html.first(link, "div.regdate"))
            views, likes = html.to_int(regdate.split("조회")[-1]) if "조회" in regdate else 0, 0
        title_el = html.first(link, "span.texthead_notice, div.sbj")
        html.drop(title_el if title_el is not None else link, "span.cmt3", "span.cmt2")
        return ListItem(
            origin_id=origin_id, url=f"{self.origin}/pt/{origin_id}",
            title=html.text(title_el if title_el is not None else link),
            views=views, likes=likes, comments=comments,
        )

    def post_fetch(self, item: ListItem) -> PostData:
        url = self.fetch_url(item.url)
        self.robots_check(url)
        self.pace()
        doc = html.document(self.browser.render(url, referer=self._referer, wait_for="#ajax_table tr.cmt_view"))
        return self.parse_post(doc, item.url)

    def parse_post(self, doc, url: str) -> PostData:
        body = html.need_body(doc, "td#content_td div.memo_content, article div.memo_content")
        fields = Fields(doc)
        # The count sits inside the title span; read it, then drop it from the title.
        comment_count = fields.count("comment_count", ["span#nowsubject span.cmt"])
        html.drop(doc, "span#nowsubject span.cmt")
        likes = fields.count("likes", [f"{BODY} b[class^='votenow']", "[class^='votenow']"])
        html.drop(body, ".fan-option-button-group")
        content = html.block_text(body)
        return PostData(
            origin_id=POST_ID.search(url).group(1),
            url=url,
            title=fields.text("title", ["span#nowsubject"], meta=("og:title",), trim=TITLE_SUFFIX,
                              default=html.first_line(content)),
            content=content,
            images=html.images(body, url),
            videos=html.videos(body, url, doc),
            views=fields.count("views", ["span#hit"]),
            likes=likes,
            comment_count=comment_count,
            published_at=fields.date("published_at", ["meta:article:published_time", "[itemprop=datePublished]"]),
            comments=self._comments(doc),
            parse=fields.record(),
        )

    def _comments(self, doc) -> list[CommentData]:
        found = []
        for who in html.select(doc, "div#ajax_comment span[id^='com']"):
            cid = html.attr(who, "id")[3:]
            if not cid.isdigit():
                continue
            text = html.comment_text(html.by_id(doc, f"n{cid}"))
            if text:
                found.append(CommentData(id=cid, author=html.text(html.first(who, ".href")), text=text))
        return found

    def close(self) -> None:
        self.browser.close()
        super().close()
