"""Ruliweb (bbs.ruliweb.com): the best humor board, posts with best comments and likes."""

from __future__ import annotations

import re

from crawling import html
from crawling.base import BaseCrawler, CommentData, ListItem, PostData, dedupe_comments
from crawling.fields import Fields

TITLE_SUFFIX = r"(\s+\|[^|]*)*\|\s*루리웹$"  # og:title appends " | 유머 베스트 | 루리웹"
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
            title = html.text(html.find(link, ("strong", "span"), "text_over"))
            if not match or self.row_skipped(row, title, html.attr(link, "href")):
                continue  # ads and notices leave the board
            items.append(ListItem(
                origin_id=match.group(2),
                url=self.origin + match.group(1),
                title=title,
                views=html.to_int(html.text(td.get("hit"))),
                likes=html.to_int(html.text(td.get("recomd"))),
                comments=html.to_int(html.text(html.find(link, "span", "num_reply"))),
            ))
        return items

    def parse_post(self, doc, url: str) -> PostData:
        read = html.scope(doc, "div#board_read")  # the post, its votes and its comments
        body = html.need_body(read, "div.board_main_view div.view_content")
        content = html.block_text(body)
        comments = dedupe_comments(self._comments(read))
        fields = Fields(read, doc)
        return PostData(
            origin_id=re.search(r"/read/(\d+)", url).group(1),
            url=url,
            title=fields.text("title", ["div.board_main_top span.subject_inner_text", "span.subject_inner_text"],
                              meta=("og:title",), trim=TITLE_SUFFIX, default=html.first_line(content)),
            content=content,
            images=html.images(body, url),
            videos=html.videos(body, url, doc),
            views=fields.count("views", ["div.board_main_top div.user_info", "div.mini_profile .hit strong"],
                               label="조회"),
            likes=fields.count("likes", ["div.like_wrapper span.like_value", "div.user_info span.like"]),
            dislikes=fields.count("dislikes", ["div.like_wrapper span.dislike_value"]),
            comment_count=fields.count("comment_count", ["div.board_main_top strong.reply_count",
                                                         "input#reply_count@value", "strong.reply_count"],
                                       also=[("comments on page", len(comments) or None)]),
            author=fields.text("author", ["div.user_info a.nick", "div.mini_profile .nick"]),
            published_at=fields.date("published_at", ["div.user_info span.regdate", ".regdate"]),
            comments=comments,
            parse=fields.record(),
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
