"""MLBPARK (mlbpark.donga.com): the 불펜 best list by likes, posts and their comments (no comment likes)."""

from __future__ import annotations

import re

from crawling import html
from crawling.base import BaseCrawler, CommentData, ListItem, PostData
from crawling.fields import Fields

POST_ID = re.compile(r"^(?:https://mlbpark\.donga\.com)?/mp/b\.php\?(?:[^#]*&)?b=bullpen&(?:[^#]*&)?id=(\d+)")
NOT_POSTS = ("공지", "광고", "이벤트")  # board labels (span.word) of pinned and promoted rows
INFO = "div.view_head div.text3"  # "2026-09-22 10:21 조회 : 3,456 추천 : 45"


class Mlbpark(BaseCrawler):
    code = "mlbpark"
    name = "MLBPARK"
    name_ko = "MLB파크"
    hashtag = "MLB파크"
    origin = "https://mlbpark.donga.com"
    hosts = ("donga.com",)  # mlbpark.donga.com and the image host dimg.donga.com

    @classmethod
    def list_path(cls, page: int) -> str:
        return "/mp/best.php?b=bullpen&m=like" if page == 1 else f"/mp/best.php?b=bullpen&m=like&p={page}"

    def parse_list(self, doc, url: str) -> list[ListItem]:
        items = []
        for row in html.select(doc, "table.tbl_type01 tbody tr"):
            link = html.first(row, "div.tit a.txt")
            match = POST_ID.match(html.attr(link, "href"))
            title = html.attr(link, "title") or html.text(link)
            label = html.text(html.find(row, "span", "word"))
            if not match or label in NOT_POSTS or self.row_skipped(row, title, html.attr(link, "href")):
                continue
            cells = row.findall("td")
            views = html.text(html.find(row, "span", "viewV")) or (html.text(cells[-1]) if cells else "")
            items.append(ListItem(
                origin_id=match.group(1),
                url=f"{self.origin}/mp/b.php?b=bullpen&id={match.group(1)}",
                title=title,
                views=html.to_int(views),
                comments=html.to_int(html.text(html.find(row, "span", "replycnt"))),
            ))
        return items

    def parse_post(self, doc, url: str) -> PostData:
        view = html.scope(doc, "div.left_cont")  # the post and its comments, not the rank box
        body = html.need_body(view, "div#contentDetail", "div.view_context div.ar_txt", "div.view_context")
        html.drop(body, "div.tool_cont")  # scrap / report buttons inside the body
        content = html.block_text(body)
        comments = self._comments(view)
        fields = Fields(view, doc)
        return PostData(
            origin_id=POST_ID.match(url).group(1),
            url=url,
            title=fields.text("title", ["div.view_head div.titles", "div.titles"], meta=("og:title",),
                              default=html.first_line(content)),
            content=content,
            images=html.images(body, url),
            videos=html.videos(body, url, doc),
            views=fields.count("views", [INFO, "div.text3"], label="조회"),
            likes=fields.count("likes", ["span#likeCnt", "div.like_area span.like_cnt", INFO], label="추천"),
            comment_count=fields.count("comment_count", ["em#replyCnt", "div.reply_top span.total"], label="댓글",
                                       also=[("comments on page", len(comments) or None)]),
            author=fields.text("author", ["div.view_head div.text2 span.nick", "div.text2 span.nick"]),
            published_at=fields.date("published_at", [INFO, "div.text3"]),
            comments=comments,
            parse=fields.record(),
        )

    @staticmethod
    def _comments(view) -> list[CommentData]:
        found = []
        for box in html.select(view, "div.reply_list div.other_con, div.reply_list div.other_reply"):
            if html.has_class(box, "del"):
                continue  # 삭제된 댓글입니다.
            found.append(CommentData(
                id=html.attr(box, "id").removeprefix("reply_"),
                author=html.text(html.first(box, "span.name")),
                text=html.comment_text(html.first(box, "span.re_txt")),
            ))
        return [c for c in found if c.text]
