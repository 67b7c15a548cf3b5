"""Todayhumor (www.todayhumor.co.kr): 베스트오브베스트, posts, and comments from the memo JSON endpoint."""

from __future__ import annotations

import json
import logging
import re

from crawling import html
from crawling.base import BaseCrawler, CommentData, CrawlError, ListItem, PostData
from crawling.fields import Fields

log = logging.getLogger("wagglebot.crawling")
POST_NO = re.compile(r"^(?:https?://www\.todayhumor\.co\.kr)?/board/view\.php\?(?:[^#]*&)?table=bestofbest&(?:[^#]*&)?no=(\d+)")
BEST_COUNT = 3  # the memo JSON marks no best comments: the most liked stand in for them
INFO = "div.writerInfoContents"  # labelled lines: "추천 : 312", "조회수 : 15204", "댓글 : 8개", "등록시간 : …"


class Todayhumor(BaseCrawler):
    code = "todayhumor"
    name = "Todayhumor"
    name_ko = "오늘의유머"
    hashtag = "오늘의유머"
    origin = "https://www.todayhumor.co.kr"
    hosts = ("todayhumor.co.kr",)  # the site and its image host (thimg.todayhumor.co.kr)

    @classmethod
    def list_path(cls, page: int) -> str:
        return f"/board/list.php?table=bestofbest&page={page}"

    def parse_list(self, doc, url: str) -> list[ListItem]:
        items = []
        for row in html.select(doc, "table.table_list tr.view:not(.list_tr_notice)"):
            cells = html.cells(row)
            link = html.child(cells.get("subject"), "a")
            match = POST_NO.match(html.attr(link, "href"))
            if not match or self.row_skipped(row, html.text(link), html.attr(link, "href")):
                continue  # notices (table=notice) and anything not on the board
            items.append(ListItem(
                origin_id=match.group(1),
                url=f"{self.origin}/board/view.php?table=bestofbest&no={match.group(1)}",
                title=html.text(link),
                views=html.to_int(html.text(cells.get("hits"))),
                likes=html.to_int(html.text(cells.get("oknok"))),
                comments=html.to_int(html.text(html.find(row, "span", "list_memo_count_span"))),
            ))
        return items

    def post_fetch(self, item: ListItem) -> PostData:
        post = super().post_fetch(item)
        post.comments = self._comments_fetch(post)
        return post

    def parse_post(self, doc, url: str) -> PostData:
        body = html.need_body(doc, "div.viewContent")
        content = html.block_text(body)
        # "등록시간 : 2026/09/22 09:12:48" comes before the 베스트/베오베 times, which are not the posting time.
        lines = (html.text(div) for div in html.select(doc, f"{INFO} > div"))
        posted = next((line for line in lines if line.startswith("등록시간")), None)
        fields = Fields(doc)
        return PostData(
            origin_id=POST_NO.match(url).group(1),
            url=url,
            title=fields.text("title", ["div.viewSubjectDiv > div", "div.viewSubjectDiv"], meta=("og:title",),
                              default=html.first_line(content)),
            content=content,
            images=html.images(body, url),
            videos=html.videos(body, url, doc),
            views=fields.count("views", [INFO], label="조회수"),
            likes=fields.count("likes", ["span#ok_count", INFO, "div.viewOkNokDiv span.ok_count_span"], label="추천"),
            comment_count=fields.count("comment_count", [INFO], label="댓글"),
            author=fields.text("author", ["span#viewPageWriterNameSpan", f"{INFO} a"]),
            published_at=fields.date("published_at", [], also=[(f"{INFO} 등록시간", posted)]),
            parse=fields.record(),
        )

    def _comments_fetch(self, post: PostData) -> list[CommentData]:
        """The memo list as the page's getMemoList() loads it. A broken answer costs the comments, not
        the post: the post is saved without them and the next crawl reads them again."""
        url = f"{self.base_url}/board/ajax_memo_list.php?parent_table=bestofbest&parent_id={post.origin_id}"
        try:
            response = self.request("GET", url, headers={"X-Requested-With": "XMLHttpRequest"})
            memos = json.loads(response.content.decode("utf-8-sig")).get("memos") or []
            found = [c for c in map(self._comment, memos) if c]
        except (CrawlError, ValueError, AttributeError, TypeError) as exc:
            log.warning("todayhumor %s: comments not read: %s", post.origin_id, exc)
            return []
        for comment in sorted(found, key=lambda c: -c.likes)[:BEST_COUNT]:
            comment.is_best = comment.likes > 0
        return found

    @staticmethod
    def _comment(raw: dict) -> CommentData | None:
        if str(raw.get("is_del", "0")) not in ("0", ""):
            return None  # deleted memos keep their place in the list with no text
        text = html.fragment_text(str(raw.get("memo") or ""))
        if not text:
            return None
        return CommentData(id=str(raw.get("no", "")), author=str(raw.get("name") or ""), text=text,
                           likes=html.to_int(str(raw.get("ok") or "")))
