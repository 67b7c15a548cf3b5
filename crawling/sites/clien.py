"""Clien (www.clien.net): 모두의공원 (the park board) by 공감, posts with their comments in the HTML."""

from __future__ import annotations

import re

from crawling import html
from crawling.base import BaseCrawler, CommentData, ListItem, PostData
from crawling.sites.candidates import count, count_first, meta, node_first, nodes_first, text_first

POST_PATH = re.compile(r"^(?:https://www\.clien\.net)?/service/board/park/(\d+)")
BEST_COUNT = 3  # clien has no best-comment block: the most liked comments stand in for it

# Each field: candidate selectors tried in order.
ROWS = ("div.list_content > div.list_item[data-role='list-row']", "div.list_content > div.list_item")
ROW_TITLE = ("span.subject_fixed", "a.list_subject")
ROW_VIEWS = ("div.list_hit span.hit", "div.list_hit")
ROW_LIKES = ("div.list_symph span", "div.list_symph")
ROW_COMMENTS = ("a.list_reply span", "a.list_reply")
TITLE = ("div.post_title h3.post_subject > span:first-child", "h3.post_subject")
BODY = ("div.post_content div.post_article", "div.post_content article", "div.post_content")
VIEWS = ("div.post_information div.view_count strong", "div.post_information div.view_count")
LIKES = ("div.post_title span.view_symph span", "div.post_ccls strong.symph_count")
COMMENT_COUNT = ("div.comment_head div.comment_count strong", "div.comment_head div.comment_count")
AUTHOR = ("div.post_author span.nickname span", "div.post_author span.nickname", "div.post_author")
DATE = ("div.post_information div.post_date",)


class Clien(BaseCrawler):
    code = "clien"
    name = "Clien"
    name_ko = "클리앙"
    hashtag = "클리앙"
    origin = "https://www.clien.net"
    hosts = ("clien.net",)  # the site and its image CDN (edgio.clien.net, cdn.clien.net)

    @classmethod
    def list_path(cls, page: int) -> str:
        return f"/service/board/park?od=T33&po={page - 1}"

    def parse_list(self, doc, url: str) -> list[ListItem]:
        items = []
        for row in nodes_first(doc, ROWS):
            link = html.find(row, "a", "list_subject")
            match = POST_PATH.match(html.attr(link, "href"))
            if html.has_class(row, "notice") or not match:
                continue  # notices, and operator notes linked from other boards
            title_node = node_first(row, ROW_TITLE)
            items.append(ListItem(
                origin_id=match.group(1),
                url=f"{self.origin}/service/board/park/{match.group(1)}",
                title=html.attr(title_node, "title") or html.text(title_node),
                views=count(text_first(row, ROW_VIEWS)),
                likes=count(text_first(row, ROW_LIKES)),
                comments=count(text_first(row, ROW_COMMENTS) or html.attr(row, "data-comment-count")),
            ))
        return items

    def parse_post(self, doc, url: str) -> PostData:
        view = html.scope(doc, "div.content_view")  # the post and its comments, not the list below
        body = node_first(view, BODY)
        if body is None:
            raise html.ParseError("missing body (div.post_content)")
        comments = self._comments(view)
        date = node_first(view, DATE)
        if date is not None:
            html.drop(date, "span.wrap_lastdate")  # the edit date follows the posting date
        title = text_first(view, TITLE) or meta(doc, "og:title").removesuffix(" : 클리앙")
        counted = count_first(view, COMMENT_COUNT)
        return PostData(
            origin_id=POST_PATH.match(url).group(1),
            url=url,
            title=title,
            content=html.block_text(body),
            images=html.images(body, url),
            views=count(text_first(view, VIEWS)),
            likes=count(text_first(view, LIKES)),
            comment_count=counted if counted is not None else len(comments),
            author=text_first(view, AUTHOR),
            published_at=html.kst(html.text(date)) or html.meta_published(doc),
            comments=comments,
        )

    def _comments(self, view) -> list[CommentData]:
        found = []
        for row in html.select(view, "div.comment div.comment_row"):
            if html.has_class(row, "blocked"):
                continue  # deleted or blocked: "삭제 되었습니다."
            found.append(CommentData(
                id=html.attr(row, "data-comment-sn"),
                author=text_first(row, ("span.nickname span", "span.nickname", "span.contact_name")),
                text=html.comment_text(node_first(row, ("div.comment_view", "div.comment_content"))),
                likes=count(text_first(row, ("button.comment_symph strong", "div.comment_content_symph"))),
            ))
        found = [c for c in found if c.text]
        for comment in sorted(found, key=lambda c: -c.likes)[:BEST_COUNT]:
            comment.is_best = comment.likes > 0
        return found
