"""Nate Pann (pann.nate.com): the talk ranking page and talk posts with best replies."""

from __future__ import annotations

import re

from crawling import html
from crawling.base import BaseCrawler, CommentData, ListItem, PostData, dedupe_comments

POST_ID = re.compile(r"/talk/(\d+)")


class NatePann(BaseCrawler):
    code = "nate_pann"
    name = "Nate Pann"
    origin = "https://pann.nate.com"

    @classmethod
    def list_path(cls, page: int) -> str:
        return f"/talk/ranking?page={page}"

    def parse_list(self, doc, url: str) -> list[ListItem]:
        items = []
        for li in html.select(doc, "div.cntList ul.post_wrap > li"):
            link = html.first(li, "dt h2 a")
            match = POST_ID.search(html.attr(link, "href"))
            if link is None or not match:
                continue
            items.append(ListItem(
                origin_id=match.group(1),
                url=f"{self.origin}/talk/{match.group(1)}",
                title=html.attr(link, "title") or html.text(link),
                views=html.to_int(html.text(html.first(li, "dd.info span.count"))),
                likes=html.to_int(html.text(html.first(li, "dd.info span.rcm"))),
                comments=html.to_int(html.text(html.first(li, "dt span.reple-num"))),
            ))
        return items

    def parse_post(self, doc, url: str) -> PostData:
        head = html.need(doc, "div.post-tit-info", "title block")
        body = html.need(doc, "div#contentArea", "body")
        html.drop(body, "div.btn_more_area", "img[src*='nate.zza.kr']")
        origin_id = POST_ID.search(url).group(1)
        return PostData(
            origin_id=origin_id,
            url=url,
            title=html.text(html.need(head, "h1", "title")),
            content=html.block_text(body),
            images=html.images(body, url, skip_hosts=("nate.zza.kr",)),
            views=html.to_int(html.text(html.first(head, "div.info span.count")).replace("조회", "")),
            likes=html.to_int(html.text(html.first(doc, "div.updown div.btnbox.up span.count > span"))),
            dislikes=html.to_int(html.text(html.first(doc, "div.updown div.btnbox.down span.count > span"))),
            comment_count=html.to_int(html.text(html.first(doc, "div#bepleDiv div.cmt_tit strong"))),
            author=html.text(html.first(head, "div.info a.writer")),
            published_at=html.kst(html.text(html.first(head, "div.info span.date"))),
            comments=dedupe_comments(self._comments(doc)),
        )

    def _comments(self, doc) -> list[CommentData]:
        found = []
        for best, css in ((True, "div#bepleDiv div.cmt_best dl.cmt_item"), (False, "div#commentDiv dl.cmt_item")):
            for item in html.select(doc, css):
                name = html.first(item, "dt span.nameui")
                found.append(CommentData(
                    id=html.attr(item, "id").rsplit("_", 1)[-1],
                    author=html.attr(name, "title") or html.text(name),
                    text=html.comment_text(html.first(item, "dd.usertxt")),
                    likes=html.to_int(html.text(html.first(item, "dd.n_good"))),
                    is_best=best,
                ))
        return [c for c in found if c.text]
