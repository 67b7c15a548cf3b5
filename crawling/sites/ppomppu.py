"""Ppomppu (www.ppomppu.co.kr): the HOT list across boards. Pages are CP949 labelled euc-kr."""

from __future__ import annotations

import re

from crawling import html
from crawling.base import BaseCrawler, CommentData, ListItem, PostData

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

    @classmethod
    def list_path(cls, page: int) -> str:
        return f"/hot.php?category=999&page={page}"

    def parse_list(self, doc, url: str) -> list[ListItem]:
        items = []
        for row in html.select(doc, "table.board_table tbody tr.baseList:not(.title_bg):not(.title_bg_03)"):
            links = html.find_all(row, "a", "baseList-title")
            ids = _board_no(html.attr(links[-1], "href")) if links else None
            if ids is None or any(html.attr(s, "id") == "ad-icon" or html.has_class(s, "ad-icon")
                                  for s in row.iter("span")):
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
        top = html.need(main, "div#topTitle", "title block")
        title = html.need(top, "h1", "title")
        count = html.first(title, "span#comment")
        comment_count = html.to_int(html.text(count))
        html.drop(title, "span#comment")
        meta = " ".join(html.text(li) for li in html.select(top, ".topTitle-mainbox li"))
        body = html.need(main, "td.board-contents", "body")
        board, no = _board_no(url)
        return PostData(
            origin_id=f"{board}_{no}",
            url=url,
            title=html.text(title),
            content=html.block_text(body),
            images=html.images(body, url),
            views=_labelled(meta, "조회수"),
            likes=_labelled(meta, "추천수"),
            dislikes=_labelled(meta, "반대수"),
            comment_count=comment_count,
            author=html.text(html.first(top, ".topTitle-name .baseList-name")),
            published_at=html.kst(meta.split("등록일", 1)[-1] if "등록일" in meta else ""),
            comments=self._comments(main),
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


def _labelled(meta: str, label: str) -> int:
    match = re.search(label + r"\s*([\d,]+)", meta)
    return html.to_int(match.group(1)) if match else 0
