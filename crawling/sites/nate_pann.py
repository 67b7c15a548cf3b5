"""Nate Pann (pann.nate.com): the talk ranking page (or a channel's talk list) and talk posts with
best replies."""

from __future__ import annotations

import re

from crawling import html
from crawling.base import BaseCrawler, CommentData, ListItem, PostData, dedupe_comments
from crawling.fields import Fields

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
        """The ranking page (``div.cntList ul.post_wrap > li``) or a channel/talk board
        (``table.talk_list``): same links, counts in other places."""
        items = []
        for li in html.select(doc, "div.cntList ul.post_wrap > li"):
            dt = html.find(li, "dt")
            info = html.find(li, "dd", "info")
            items.append(self._item(li, html.find(html.find(dt, "h2"), "a"), html.find(info, "span", "count"),
                                    html.find(info, "span", "rcm"), html.find(dt, "span", "reple-num")))
        for tr in html.select(doc, "table.talk_list tbody tr"):
            td = html.cells(tr)
            items.append(self._item(tr, html.first(tr, "td.subject h2 a"), td.get("count"), td.get("rcm"),
                                    html.first(tr, "td.subject span.reple-num")))
        return [item for item in items if item is not None]

    def _item(self, row, link, views, likes, comments) -> ListItem | None:
        match = POST_ID.search(html.attr(link, "href"))
        title = html.attr(link, "title") or html.text(link)
        if link is None or not match or self.row_skipped(row, title, html.attr(link, "href")):
            return None
        return ListItem(
            origin_id=match.group(1),
            url=f"{self.origin}/talk/{match.group(1)}",
            title=title,
            views=html.to_int(html.text(views)),
            likes=html.to_int(html.text(likes)),
            comments=html.to_int(html.text(comments)),
        )

    def parse_post(self, doc, url: str) -> PostData:
        view = html.scope(doc, "div.view-wrap")  # title, body, votes and comments all live in it
        body = html.need_body(view, "div#contentArea")
        html.drop(body, "div.btn_more_area", "img[src*='nate.zza.kr']")
        content = html.block_text(body)
        beple = html.first(view, "div#bepleDiv")
        comments = dedupe_comments(self._comments(view, beple))
        fields = Fields(view, doc)
        return PostData(
            origin_id=POST_ID.search(url).group(1),
            url=url,
            title=fields.text("title", ["div.post-tit-info h1"], meta=("og:title",), default=html.first_line(content)),
            content=content,
            images=html.images(body, url, skip_hosts=("nate.zza.kr",)),
            videos=html.videos(body, url, doc),
            views=fields.count("views", ["div.post-tit-info div.info span.count", "div.info span.count"], label="조회"),
            likes=fields.count("likes", ["div.updown div.btnbox.up span.count > span",
                                         "div.updown div.up span.count"], label="추천수"),
            dislikes=fields.count("dislikes", ["div.updown div.btnbox.down span.count > span",
                                               "div.updown div.down span.count"], label="반대수"),
            comment_count=fields.count("comment_count", ["div#bepleDiv div.cmt_tit strong", "div.cmt_tit strong"],
                                       also=[("comments on page", len(comments) or None)]),
            author=fields.text("author", ["div.info a.writer"]),
            published_at=fields.date("published_at", ["div.info span.date"]),
            comments=comments,
            parse=fields.record(),
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

