"""Bobaedream (www.bobaedream.co.kr): the 베스트글 board, posts with best and normal comments."""

from __future__ import annotations

import re

from crawling import html
from crawling.base import BaseCrawler, CommentData, ListItem, PostData, dedupe_comments
from crawling.sites.candidates import count, labelled, meta, node_first, nodes_first, text_first

POST_NO = re.compile(r"^(?:https://www\.bobaedream\.co\.kr)?/view\?(?:[^#]*&)?code=best&(?:[^#]*&)?No=(\d+)", re.I)

# Each field: candidate selectors tried in order.
ROWS = ("table#boardlist tbody tr", "table.clistTable02 tbody tr")
ROW_LINK = ("td.pl14 a.bsubject", "a.bsubject")
TITLE = ("div.writerProfile dt > strong", "div.writerProfile dt")
COUNTS = ("div.writerProfile span.countGroup", "div.writerProfile dt")
BODY = ("div#bodyCont", "div.bodyCont", "div.docuCont03")
AUTHOR = ("div.writerProfile a.nickName", "div.writerProfile .proCont")
LIKES = ("strong#recomm_cnt", "div.recommend-wrap strong")
COMMENT_COUNT = ("strong#cmt_cnt", "div.commentTitle h3")
BEST_COMMENTS = ("div#best_cmt_reply li", "div.bestCmt li")
COMMENTS = ("div#cmt_reply li", "div.commentlistbox li")


class Bobaedream(BaseCrawler):
    code = "bobaedream"
    name = "Bobaedream"
    name_ko = "보배드림"
    hashtag = "보배드림"
    origin = "https://www.bobaedream.co.kr"
    hosts = ("bobaedream.co.kr",)  # the site and its image CDN (image.bobaedream.co.kr)

    @classmethod
    def list_path(cls, page: int) -> str:
        return f"/list?code=best&page={page}"

    def parse_list(self, doc, url: str) -> list[ListItem]:
        items = []
        for row in nodes_first(doc, ROWS):
            link = node_first(row, ROW_LINK)
            match = POST_NO.match(html.attr(link, "href"))
            number = html.text(html.find(row, "td", "num01"))
            if html.has_class(row, "best") or html.has_class(row, "notice") or not number.isdigit() or not match:
                continue  # notices (공지 icon in the number cell) and ads (AD, links off the board)
            cells = html.cells(row)
            items.append(ListItem(
                origin_id=match.group(1),
                url=f"{self.origin}/view?code=best&No={match.group(1)}",
                title=html.attr(link, "title") or html.text(link),
                views=count(html.text(cells.get("count"))),
                likes=count(html.text(cells.get("recomm"))),
                comments=count(html.text(html.find(row, "strong", "totreply"))),
            ))
        return items

    def parse_post(self, doc, url: str) -> PostData:
        view = html.scope(doc, "div#print_area")  # the post and its comments, not the side ranking
        body = node_first(view, BODY)
        if body is None:
            raise html.ParseError("missing body (div#bodyCont)")
        counts = text_first(view, COUNTS)
        likes = labelled(counts, "추천")
        # Normal list first: it holds every comment in page order, the bests included once.
        comments = self._comments(view, COMMENTS, best=False) + self._comments(view, BEST_COMMENTS, best=True)
        counted = labelled(text_first(view, COMMENT_COUNT), "댓글")
        return PostData(
            origin_id=POST_NO.match(url).group(1),
            url=url,
            title=text_first(view, TITLE) or meta(doc, "og:title"),
            content=html.block_text(body),
            images=html.images(body, url),
            views=labelled(counts, "조회") or 0,
            likes=likes if likes is not None else count(text_first(view, LIKES)),
            comment_count=counted if counted is not None else count(text_first(view, COMMENT_COUNT[:1])),
            author=text_first(view, AUTHOR),
            published_at=html.kst(counts) or html.meta_published(doc),
            comments=dedupe_comments(comments),
        )

    @staticmethod
    def _comments(view, selectors: tuple[str, ...], *, best: bool) -> list[CommentData]:
        found = []
        for li in nodes_first(view, selectors):
            if html.has_class(li, "del"):
                continue  # 삭제된 댓글입니다.
            found.append(CommentData(
                id=html.attr(li, "id").split("_", 1)[-1],
                author=text_first(li, ("dt span.author", "dt")),
                text=html.comment_text(node_first(li, ("dd[id^='small_']", "dl > dd"))),
                likes=count(text_first(li, ("div.updownbox a.link1 em", "div.updownbox a.link1"))),
                is_best=best,
            ))
        return [c for c in found if c.text]
