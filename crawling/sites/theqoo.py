"""theqoo (theqoo.net): the HOT board. No likes anywhere; comments load by AJAX and are not read."""

from __future__ import annotations

import re

from crawling import html
from crawling.base import BaseCrawler, ListItem, PostData

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
            if not match:
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
        head = html.need(post, "div.theqoo_document_header", "title block")
        body = html.need(post, "div.rd_body article", "body")
        counts = html.SPACES.sub(" ", html.text(html.find(head, "div", "count_container"))).split(" ")
        btm = html.first(post, "div.btm_area")
        side = html.find(btm, "div", "side")
        author = (side.text or "").strip() if side is not None else ""
        return PostData(
            origin_id=re.search(r"(\d+)$", url).group(1),
            url=url,
            title=html.text(html.need(head, "span.title", "title")),
            content=html.block_text(body),
            images=html.images(body, url),
            views=html.to_int(counts[0] if counts else ""),
            comment_count=html.to_int(counts[1] if len(counts) > 1 else ""),
            author=author,
            published_at=html.kst(html.text(html.find(html.find(btm, "div", "side.fr"), "span"))),
        )
