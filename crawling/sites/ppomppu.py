"""Ppomppu (www.ppomppu.co.kr): the HOT list across boards. Pages are CP949 labelled euc-kr."""

from __future__ import annotations

from crawling import html
from crawling.base import BaseCrawler, CommentData, ListItem, PostData
from crawling.fields import Fields

BEST_COUNT = 3  # no best block on the page: the most liked comments stand in for it


def _board_no(href: str) -> tuple[str, str] | None:
    query = html.query(href)
    if "view.php" not in href or not query.get("no", "").isdigit() or not query.get("id"):
        return None
    return query["id"], query["no"]


class Ppomppu(BaseCrawler):
    code = "ppomppu"
    name = "Ppomppu"
    name_ko = "뽐뿌"
    hashtag = "뽐뿌"
    origin = "https://www.ppomppu.co.kr"
    hosts = ("ppomppu.co.kr",)  # the site and its image CDNs
    encoding = "cp949"
    promo_marks = ("span#ad-icon", "span.ad-icon")

    @classmethod
    def list_path(cls, page: int) -> str:
        return f"/hot.php?category=999&page={page}"

    def parse_list(self, doc, url: str) -> list[ListItem]:
        items = []
        for row in html.select(doc, "table.board_table tbody tr.baseList:not(.title_bg):not(.title_bg_03)"):
            links = html.find_all(row, "a", "baseList-title")
            ids = _board_no(html.attr(links[-1], "href")) if links else None
            if ids is None or self.row_skipped(row, html.text(links[-1]), html.attr(links[-1], "href")):
                continue
            cells = html.find_all(row, "td", "board_date")
            votes = html.text(cells[1]) if len(cells) > 1 else ""
            items.append(ListItem(
                origin_id=f"{ids[0]}_{ids[1]}",
                url=f"{self.origin}/zboard/view.php?id={ids[0]}&no={ids[1]}",
                title=html.text(links[-1]),
                views=html.to_int(html.text(cells[-1])) if cells else 0,
                likes=html.to_int(votes.split("-")[0]),
                comments=html.to_int(html.text(html.find(row, "span", "list_comment2"))),
            ))
        return items

    def parse_post(self, doc, url: str) -> PostData:
        main = html.scope(doc, "div.contents")  # title block, body and comments
        body = html.need_body(main, "td.board-contents")
        content = html.block_text(body)
        comments = self._comments(main)
        fields = Fields(main, doc)
        # Read before the title: the count sits inside the h1 and is dropped from it.
        comment_count = fields.count("comment_count", ["div#topTitle h1 span#comment", "span#comment"],
                                     also=[("comments on page", len(comments) or None)])
        html.drop(main, "div#topTitle h1 span#comment")
        board, no = _board_no(url)
        return PostData(
            origin_id=f"{board}_{no}",
            url=url,
            title=fields.text("title", ["div#topTitle h1"], meta=("og:title",), default=html.first_line(content)),
            content=content,
            images=html.images(body, url),
            videos=html.videos(body, url, doc),
            views=fields.count("views", ["div#topTitle .topTitle-mainbox"], label="조회수"),
            likes=fields.count("likes", ["div#topTitle .topTitle-mainbox", "#vote_list_btn_txt"], label="추천수"),
            dislikes=fields.count("dislikes", ["div#topTitle .topTitle-mainbox"], label="반대수"),
            comment_count=comment_count,
            author=fields.text("author", ["div#topTitle .topTitle-name .baseList-name", ".topTitle-name"]),
            published_at=fields.date("published_at", ["div#topTitle .topTitle-mainbox"]),
            comments=comments,
            parse=fields.record(),
        )

    def _comments(self, doc) -> list[CommentData]:
        found = []
        for box in html.select(doc, "div#newbbs div[id^='comment_']"):
            cid = html.attr(box, "id").removeprefix("comment_")
            found.append(CommentData(
                id=cid,
                author=html.text(html.first(box, ".comment_header b > a")) or html.text(html.first(box, "b > a")),
                text=html.comment_text(html.first(box, ".mid-text-area")),
                likes=html.to_int(html.text(html.first(box, ".comment_vote span[id^='vote_cnt_']"))),
            ))
        found = [c for c in found if c.text]
        for comment in sorted(found, key=lambda c: -c.likes)[:BEST_COUNT]:
            comment.is_best = comment.likes > 0
        return found

