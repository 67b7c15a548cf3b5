"""MLBPARK (mlbpark.donga.com): the 불펜 best list by likes, posts and their comments (no comment likes)."""

from __future__ import annotations

import re

from crawling import html
from crawling.base import BaseCrawler, CommentData, ListItem, PostData
from crawling.sites.candidates import count, count_first, labelled, meta, node_first, nodes_first, text_first

POST_ID = re.compile(r"^(?:https://mlbpark\.donga\.com)?/mp/b\.php\?(?:[^#]*&)?b=bullpen&(?:[^#]*&)?id=(\d+)")
NOT_POSTS = ("공지", "광고", "이벤트")  # board labels of pinned and promoted rows

# Each field: candidate selectors tried in order.
ROWS = ("table.tbl_type01 tbody tr", "div.tbl_box tr")
ROW_LINK = ("div.tit a.txt", "td.t_left a")
TITLE = ("div.view_head div.titles", "div.titles")
META = ("div.view_head div.text3", "div.text3")
BODY = ("div#contentDetail", "div.view_context div.ar_txt", "div.view_context")
AUTHOR = ("div.view_head div.text2 span.nick", "div.text2 span.nick")
LIKES = ("span#likeCnt", "div.like_area span.like_cnt")
COMMENT_COUNT = ("em#replyCnt", "div.reply_top span.total")
COMMENTS = ("div.reply_list div.other_con, div.reply_list div.other_reply",)


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
        for row in nodes_first(doc, ROWS):
            link = node_first(row, ROW_LINK)
            match = POST_ID.match(html.attr(link, "href"))
            label = html.text(html.find(row, "span", "word"))
            if html.has_class(row, "notice") or label in NOT_POSTS or not match:
                continue
            cells = row.findall("td")
            items.append(ListItem(
                origin_id=match.group(1),
                url=f"{self.origin}/mp/b.php?b=bullpen&id={match.group(1)}",
                title=html.attr(link, "title") or html.text(link),
                views=count(html.text(html.find(row, "span", "viewV")) or (html.text(cells[-1]) if cells else "")),
                comments=count(html.text(html.find(row, "span", "replycnt"))),
            ))
        return items

    def parse_post(self, doc, url: str) -> PostData:
        view = html.scope(doc, "div.left_cont")  # the post and its comments, not the rank box
        body = node_first(view, BODY)
        if body is None:
            raise html.ParseError("missing body (div#contentDetail)")
        html.drop(body, "div.tool_cont")  # scrap / report buttons inside the body
        info = text_first(view, META)
        likes = count_first(view, LIKES)
        counted = count_first(view, COMMENT_COUNT)
        comments = self._comments(view)
        return PostData(
            origin_id=POST_ID.match(url).group(1),
            url=url,
            title=text_first(view, TITLE) or meta(doc, "og:title"),
            content=html.block_text(body),
            images=html.images(body, url),
            views=labelled(info, "조회") or 0,
            likes=likes if likes is not None else labelled(info, "추천") or 0,
            comment_count=counted if counted is not None else len(comments),
            author=text_first(view, AUTHOR),
            published_at=html.kst(info) or html.meta_published(doc),
            comments=comments,
        )

    @staticmethod
    def _comments(view) -> list[CommentData]:
        found = []
        for box in nodes_first(view, COMMENTS):
            if html.has_class(box, "del"):
                continue  # 삭제된 댓글입니다.
            found.append(CommentData(
                id=html.attr(box, "id").removeprefix("reply_"),
                author=text_first(box, ("span.name a", "span.name")),
                text=html.comment_text(node_first(box, ("span.re_txt", "div.txt_box"))),
            ))
        return [c for c in found if c.text]
