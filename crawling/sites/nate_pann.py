"""Nate Pann (pann.nate.com): the talk ranking page and talk posts with best replies."""

from __future__ import annotations

import re

from crawling import html
from crawling.base import BaseCrawler, CommentData, ListItem, PostData, dedupe_comments

POST_ID = re.compile(r"/talk/(\d+)")


class NatePann(BaseCrawler):
    code = "nate_pann"
    name = "Nate Pann"
    name_ko = "네이트판"
    hashtag = "네이트판"
    origin = "https://pann.nate.com"
    hosts = ("pann.nate.com", "pann.com")  # the site and its image CDNs

    @classmethod
    def list_path(cls, page: int) -> str:
        return f"/talk/ranking?page={page}"

    def parse_list(self, doc, url: str) -> list[ListItem]:
        items = []
        for li in html.select(doc, "div.cntList ul.post_wrap > li"):
            dt = html.find(li, "dt")
            link = html.find(html.find(dt, "h2"), "a")
            match = POST_ID.search(html.attr(link, "href"))
            if link is None or not match:
                continue
            info = html.find(li, "dd", "info")
            items.append(ListItem(
                origin_id=match.group(1),
                url=f"{self.origin}/talk/{match.group(1)}",
                title=html.attr(link, "title") or html.text(link),
                views=html.to_int(html.text(html.find(info, "span", "count"))),
                likes=html.to_int(html.text(html.find(info, "span", "rcm"))),
                comments=html.to_int(html.text(html.find(dt, "span", "reple-num"))),
            ))
        return items

    def parse_post(self, doc, url: str) -> PostData:
        view = html.scope(doc, "div.view-wrap")  # title, body, votes and comments all live in it
        head = html.need(view, "div.post-tit-info", "title block")
        body = html.need(view, "div#contentArea", "body")
        updown = html.first(view, "div.updown")
        beple = html.first(view, "div#bepleDiv")
        info = html.find(head, "div", "info")
        html.drop(body, "div.btn_more_area", "img[src*='nate.zza.kr']")
        origin_id = POST_ID.search(url).group(1)
        return PostData(
            origin_id=origin_id,
            url=url,
            title=html.text(html.need(head, "h1", "title")),
            content=html.block_text(body),
            images=html.images(body, url, skip_hosts=("nate.zza.kr",)),
            views=html.to_int(html.text(html.find(info, "span", "count")).replace("조회", "")),
            likes=_vote(updown, "up"),
            dislikes=_vote(updown, "down"),
            comment_count=html.to_int(html.text(html.find(html.find(beple, "div", "cmt_tit"), "strong"))),
            author=html.text(html.find(info, "a", "writer")),
            published_at=html.kst(html.text(html.find(info, "span", "date"))),
            comments=dedupe_comments(self._comments(view, beple)),
        )

    def _comments(self, view, beple) -> list[CommentData]:
        found = []
        boxes = ((True, html.find(beple, "div", "cmt_best")), (False, html.first(view, "div#commentDiv")))
        for best, box in boxes:
            for item in html.find_all(box, "dl", "cmt_item"):
                name = html.find(html.find(item, "dt"), "span", "nameui")
                found.append(CommentData(
                    id=html.attr(item, "id").rsplit("_", 1)[-1],
                    author=html.attr(name, "title") or html.text(name),
                    text=html.comment_text(html.find(item, "dd", "usertxt")),
                    likes=html.to_int(html.text(html.find(item, "dd", "n_good"))),
                    is_best=best,
                ))
        return [c for c in found if c.text]


def _vote(updown, direction: str) -> int:
    """``div.updown div.btnbox.<direction> span.count > span``."""
    count = html.find(html.find(updown, "div", f"btnbox.{direction}"), "span", "count")
    return html.to_int(html.text(html.child(count, "span")))
