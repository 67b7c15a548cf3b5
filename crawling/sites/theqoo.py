"""theqoo (theqoo.net): the HOT board. No likes anywhere; comments load by AJAX and are not read."""

from __future__ import annotations

import re

from crawling import html
from crawling.base import BaseCrawler, ListItem, PostData
from crawling.fields import Fields

POST_ID = re.compile(r"^/hot/(\d+)$")


class Theqoo(BaseCrawler):
    code = "theqoo"
    name = "theqoo"
    name_ko = "더쿠"
    hashtag = "더쿠"
    origin = "https://theqoo.net"
    hosts = ("theqoo.net",)  # the site and its image CDNs

    @classmethod
    def list_path(cls, page: int) -> str:
        return "/hot" if page == 1 else f"/hot?page={page}"

    def parse_list(self, doc, url: str) -> list[ListItem]:
        items = []
        for row in html.select(doc, "table.theqoo_board_table tbody tr:not(.notice):not(.notice_expand)"):
            td = html.cells(row)
            link = html.child(td.get("title"), "a", without="replyNum")
            match = POST_ID.match(html.attr(link, "href"))
            if not match or self.row_skipped(row, html.text(link), html.attr(link, "href")):
                continue
            items.append(ListItem(
                origin_id=match.group(1),
                url=f"{self.origin}/hot/{match.group(1)}",
                title=html.text(link),
                views=html.to_int(html.text(td.get("m_no"))),
                comments=html.to_int(html.text(html.find(row, "a", "replyNum"))),
            ))
        return items

    def parse_post(self, doc, url: str) -> PostData:
        post = html.scope(doc, "div.rd")  # the document block: header, body and footer, not the board list
        body = html.need_body(post, "div.rd_body article")
        content = html.block_text(body)
        side = html.first(post, "div.btm_area div.side:not(.fr)")
        author = (side.text or "").strip() if side is not None else ""  # the text before the origin link
        fields = Fields(post, doc)
        # Counts by their icon (or word), never by position: one changed word shifted them before.
        return PostData(
            origin_id=re.search(r"(\d+)$", url).group(1),
            url=url,
            title=fields.text("title", ["div.theqoo_document_header span.title", "div.rd_hd span.title"],
                              meta=("og:title",), default=html.first_line(content)),
            content=content,
            images=html.images(body, url),
            videos=html.videos(body, url, doc),
            views=fields.count("views", ["div.count_container i.fa-eye@tail", "div.count_container"], label="조회"),
            comment_count=fields.count("comment_count", ["div.count_container i.fa-comment-dots@tail",
                                                         "div.count_container"], label="댓글"),
            author=fields.text("author", [], also=[("div.btm_area div.side", author)]),
            published_at=fields.date("published_at", ["div.btm_area div.side.fr span"]),
            parse=fields.record(),
        )
