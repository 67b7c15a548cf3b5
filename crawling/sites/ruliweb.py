"""Ruliweb (bbs.ruliweb.com): the best humor board, posts with best comments and likes."""

from __future__ import annotations

import re

from crawling import html
from crawling.base import BaseCrawler, CommentData, ListItem, PostData, dedupe_comments

POST_PATH = re.compile(r"^(?:https://bbs\.ruliweb\.com)?(/best/board/\d+/read/(\d+))")


class Ruliweb(BaseCrawler):
    code = "ruliweb"
    name = "Ruliweb"
    name_ko = "루리웹"
    hashtag = "루리웹"
    origin = "https://bbs.ruliweb.com"
    hosts = ("ruliweb.com",)  # the site and its image CDNs

    @classmethod
    def list_path(cls, page: int) -> str:
        return f"/best/humor_only?orderby=recommend&range=24h&page={page}"

    def parse_list(self, doc, url: str) -> list[ListItem]:
        items = []
        for row in html.select(doc, "div#best_body table.board_list_table tbody tr.table_body:not(.notice)"):
            td = html.cells(row)
            link = html.find(td.get("subject"), "a", "subject_link")
            match = POST_PATH.match(html.attr(link, "href"))
            if not match:
                continue  # ads and notices leave the board
            items.append(ListItem(
                origin_id=match.group(2),
                url=self.origin + match.group(1),
                title=html.text(html.find(link, ("strong", "span"), "text_over")),
                views=html.to_int(html.text(td.get("hit"))),
                likes=html.to_int(html.text(td.get("recomd"))),
                comments=html.to_int(html.text(html.find(link, "span", "num_reply"))),
            ))
        return items

    def parse_post(self, doc, url: str) -> PostData:
        read = html.scope(doc, "div#board_read")  # the post, its votes and its comments
        top = html.need(read, "div.board_main_top", "title block")
        body = html.need(read, "div.board_main_view div.view_content", "body")
        info = " ".join(html.text(p) for p in html.find_all(html.find(top, "div", "user_info"), "p"))
        like = html.first(read, "div.like_wrapper")
        views = re.search(r"조회\s*([\d,]+)", info)
        return PostData(
            origin_id=re.search(r"/read/(\d+)", url).group(1),
            url=url,
            title=html.text(html.need(top, "span.subject_inner_text", "title")),
            content=html.block_text(body),
            images=html.images(body, url),
            views=html.to_int(views.group(1)) if views else 0,
            likes=html.to_int(html.text(html.find(like, "span", "like_value"))),
            dislikes=html.to_int(html.text(html.find(like, "span", "dislike_value"))),
            comment_count=html.to_int(html.text(html.find(top, "strong", "reply_count"))),
            author=html.text(html.find(html.find(top, "div", "user_info"), "a", "nick")),
            published_at=html.kst(html.text(html.find(top, "span", "regdate"))),
            comments=dedupe_comments(self._comments(read)),
        )

    def _comments(self, read) -> list[CommentData]:
        found = []
        views = html.select(read, "div.comment_view")
        # Normal list first: it holds every comment in page order, bests included once.
        blocks = ((False, [v for v in views if html.has_class(v, "normal")]),
                  (True, [v for v in views if html.has_class(v, "best")]))
        for best, boxes in blocks:
            for row in (row for box in boxes for row in html.find_all(box, "tr", "comment_element")):
                found.append(CommentData(
                    id=html.attr(row, "id").removeprefix("ct_"),
                    author=html.text(html.find(row, "a", "nick_link"))
                    or html.text(html.find(html.find(row, "div", "nick"), "strong")),
                    text=html.comment_text(html.find(html.find(row, "div", "text_wrapper"), "span", "text")),
                    likes=html.to_int(html.text(html.find(html.find(row, "button", "btn_like"), "span", "num"))),
                    is_best=best,
                ))
        return [c for c in found if c.text]
