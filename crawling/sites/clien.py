"""Clien (www.clien.net): 모두의공원 (the park board) by 공감, posts with their comments in the HTML."""

from __future__ import annotations

import re

from crawling import html
from crawling.base import BaseCrawler, CommentData, ListItem, PostData
from crawling.fields import Fields

POST_PATH = re.compile(r"^(?:https://www\.clien\.net)?/service/board/park/(\d+)")
BEST_COUNT = 3  # clien has no best-comment block: the most liked comments stand in for it
TITLE_SUFFIX = r"\s*:\s*클리앙$"  # og:title appends " : 클리앙"


class Clien(BaseCrawler):
    code = "clien"
    name = "Clien"
    name_ko = "클리앙"
    hashtag = "클리앙"
    origin = "https://www.clien.net"
    hosts = ("clien.net",)  # the site and its image CDN (edgio.clien.net, cdn.clien.net)
    promo_marks = ("span.icon_notice",)

    @classmethod
    def list_path(cls, page: int) -> str:
        return f"/service/board/park?od=T33&po={page - 1}"

    def parse_list(self, doc, url: str) -> list[ListItem]:
        items = []
        for row in html.select(doc, "div.list_content > div.list_item"):
            link = html.find(row, "a", "list_subject")
            match = POST_PATH.match(html.attr(link, "href"))
            title_node = html.first(row, "span.subject_fixed")
            title = html.attr(title_node, "title") or html.text(title_node) or html.text(link)
            if not match or self.row_skipped(row, title, html.attr(link, "href")):
                continue  # notices, and operator notes linked from other boards
            items.append(ListItem(
                origin_id=match.group(1),
                url=f"{self.origin}/service/board/park/{match.group(1)}",
                title=title,
                views=html.to_int(html.text(html.first(row, "div.list_hit"))),
                likes=html.to_int(html.text(html.first(row, "div.list_symph"))),
                comments=html.to_int(html.text(html.first(row, "a.list_reply"))
                                     or html.attr(row, "data-comment-count")),
            ))
        return items

    def parse_post(self, doc, url: str) -> PostData:
        view = html.scope(doc, "div.content_view")  # the post and its comments, not the list below
        body = html.need_body(view, "div.post_content div.post_article", "div.post_content article",
                              "div.post_content")
        content = html.block_text(body)
        comments = self._comments(view)
        html.drop(view, "div.post_date span.wrap_lastdate")  # the edit date follows the posting date
        fields = Fields(view, doc)
        return PostData(
            origin_id=POST_PATH.match(url).group(1),
            url=url,
            title=fields.text("title", ["div.post_title h3.post_subject > span:first-child",
                                              "h3.post_subject > span:first-child"], meta=("og:title",),
                              trim=TITLE_SUFFIX, default=html.first_line(content)),
            content=content,
            images=html.images(body, url),
            videos=html.videos(body, url, doc),
            views=fields.count("views", ["div.post_information div.view_count strong", "div.view_count"]),
            likes=fields.count("likes", ["div.post_title span.view_symph span", "div.post_ccls strong.symph_count"]),
            comment_count=fields.count("comment_count", ["div.comment_head div.comment_count strong",
                                                         "div.comment_head div.comment_count"], label="댓글",
                                       also=[("comments on page", len(comments) or None)]),
            author=fields.text("author", ["div.post_author span.nickname span", "div.post_author span.nickname@title"]),
            published_at=fields.date("published_at", ["div.post_information div.post_date"]),
            comments=comments,
            parse=fields.record(),
        )

    def _comments(self, view) -> list[CommentData]:
        found = []
        for row in html.select(view, "div.comment div.comment_row"):
            if html.has_class(row, "blocked"):
                continue  # deleted or blocked: "삭제 되었습니다."
            found.append(CommentData(
                id=html.attr(row, "data-comment-sn"),
                author=html.text(html.first(row, "span.nickname")) or html.text(html.first(row, "span.contact_name")),
                text=html.comment_text(html.first(row, "div.comment_view")),
                likes=html.to_int(html.text(html.first(row, "button.comment_symph strong"))),
            ))
        found = [c for c in found if c.text]
        for comment in sorted(found, key=lambda c: -c.likes)[:BEST_COUNT]:
            comment.is_best = comment.likes > 0
        return found
