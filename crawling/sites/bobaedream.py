"""Bobaedream (www.bobaedream.co.kr): the 베스트글 board, posts with best and normal comments."""

from __future__ import annotations

import re

from crawling import html
from crawling.base import BaseCrawler, CommentData, ListItem, PostData, dedupe_comments
from crawling.fields import Fields

POST_NO = re.compile(r"^(?:https://www\.bobaedream\.co\.kr)?/view\?(?:[^#]*&)?code=best&(?:[^#]*&)?No=(\d+)", re.I)
COUNTS = "div.writerProfile span.countGroup"  # "[ 조회 12,480 | 추천 145 | 2026.09.22 (화) 10:21 ]"


class Bobaedream(BaseCrawler):
    code = "bobaedream"
    name = "Bobaedream"
    name_ko = "보배드림"
    hashtag = "보배드림"
    origin = "https://www.bobaedream.co.kr"
    hosts = ("bobaedream.co.kr",)  # the site and its image CDN (image.bobaedream.co.kr)
    # The 공지 icon and the AD label sit in the number cell (the notice row is also ``tr.best``).
    promo_marks = ("td.num01 img[alt='공지']", "td.num01 span.ad")

    @classmethod
    def list_path(cls, page: int) -> str:
        return f"/list?code=best&page={page}"

    def parse_list(self, doc, url: str) -> list[ListItem]:
        items = []
        for row in html.select(doc, "table#boardlist tbody tr:not(.best), table.clistTable02 tbody tr:not(.best)"):
            link = html.first(row, "a.bsubject")
            match = POST_NO.match(html.attr(link, "href"))
            title = html.attr(link, "title") or html.text(link)
            if not match or self.row_skipped(row, title, html.attr(link, "href")):
                continue  # notices and ads (AD, links off the board)
            cells = html.cells(row)
            items.append(ListItem(
                origin_id=match.group(1),
                url=f"{self.origin}/view?code=best&No={match.group(1)}",
                title=title,
                views=html.to_int(html.text(cells.get("count"))),
                likes=html.to_int(html.text(cells.get("recomm"))),
                comments=html.to_int(html.text(html.find(row, "strong", "totreply"))),
            ))
        return items

    def parse_post(self, doc, url: str) -> PostData:
        view = html.scope(doc, "div#print_area")  # the post and its comments, not the side ranking
        body = html.need_body(view, "div#bodyCont", "div.bodyCont", "div.docuCont03")
        content = html.block_text(body)
        # Normal list first: it holds every comment in page order, the bests included once.
        comments = dedupe_comments(self._comments(view, "div#cmt_reply li, div.commentlistbox li", best=False)
                                   + self._comments(view, "div#best_cmt_reply li, div.bestCmt li", best=True))
        fields = Fields(view, doc)
        return PostData(
            origin_id=POST_NO.match(url).group(1),
            url=url,
            title=fields.text("title", ["div.writerProfile dt > strong", "div.writerProfile dt@title"],
                              meta=("og:title",), default=html.first_line(content)),
            content=content,
            images=html.images(body, url),
            videos=html.videos(body, url, doc),
            views=fields.count("views", [COUNTS], label="조회"),
            likes=fields.count("likes", [COUNTS, "strong#recomm_cnt", "div.recommend-wrap strong"], label="추천"),
            comment_count=fields.count("comment_count", ["strong#cmt_cnt", "div.commentTitle h3"], label="댓글",
                                       also=[("comments on page", len(comments) or None)]),
            author=fields.text("author", ["div.writerProfile a.nickName", "div.writerProfile .proCont"]),
            published_at=fields.date("published_at", [COUNTS]),
            comments=comments,
            parse=fields.record(),
        )

    @staticmethod
    def _comments(view, css: str, *, best: bool) -> list[CommentData]:
        found = []
        for li in html.select(view, css):
            if html.has_class(li, "del"):
                continue  # 삭제된 댓글입니다.
            found.append(CommentData(
                id=html.attr(li, "id").split("_", 1)[-1],
                author=html.text(html.first(li, "dt span.author")) or html.text(html.first(li, "dt")),
                text=html.comment_text(html.first(li, "dd[id^='small_'], dl > dd")),
                likes=html.to_int(html.text(html.first(li, "div.updownbox a.link1 em"))),
                is_best=best,
            ))
        return [c for c in found if c.text]
