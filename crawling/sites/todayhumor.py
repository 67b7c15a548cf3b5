"""Todayhumor (www.todayhumor.co.kr): 베스트오브베스트, posts, and comments from the memo JSON endpoint."""

from __future__ import annotations

import json
import logging
import re

from crawling import html
from crawling.base import BaseCrawler, CommentData, CrawlError, ListItem, PostData
from crawling.sites.candidates import count, labelled, meta, node_first, nodes_first, text_first

log = logging.getLogger("wagglebot.crawling")
POST_NO = re.compile(r"^(?:https?://www\.todayhumor\.co\.kr)?/board/view\.php\?(?:[^#]*&)?table=bestofbest&(?:[^#]*&)?no=(\d+)")
BEST_COUNT = 3  # the memo JSON marks no best comments: the most liked stand in for them

# Each field: candidate selectors tried in order.
ROWS = ("table.table_list tbody tr.view", "table.table_list tr")
TITLE = ("div.viewSubjectDiv > div", "div.viewSubjectDiv")
INFO = ("div.writerInfoContents > div", "div.writerInfoContainer div")
BODY = ("div.viewContent",)
AUTHOR = ("span#viewPageWriterNameSpan", "div.writerInfoContents a")
LIKES = ("span#ok_count", "div.viewOkNokDiv span.ok_count_span")


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
        for row in nodes_first(doc, ROWS):
            cells = html.cells(row)
            link = html.child(cells.get("subject"), "a")
            match = POST_NO.match(html.attr(link, "href"))
            if html.has_class(row, "list_tr_notice") or not match:
                continue  # notices (table=notice) and anything not on the board
            items.append(ListItem(
                origin_id=match.group(1),
                url=f"{self.origin}/board/view.php?table=bestofbest&no={match.group(1)}",
                title=html.text(link),
                views=count(html.text(cells.get("hits"))),
                likes=count(html.text(cells.get("oknok"))),
                comments=count(html.text(html.find(row, "span", "list_memo_count_span"))),
            ))
        return items

    def post_fetch(self, item: ListItem) -> PostData:
        post = super().post_fetch(item)
        post.comments = self._comments_fetch(post)
        return post

    def parse_post(self, doc, url: str) -> PostData:
        body = node_first(doc, BODY)
        if body is None:
            raise html.ParseError("missing body (div.viewContent)")
        # "등록시간 : 2026/09/22 09:12:48" comes before the 베스트/베오베 times, which are not the posting time.
        lines = [html.text(div) for div in nodes_first(doc, INFO)]
        posted = next((line for line in lines if line.startswith("등록시간")), "")
        info = " ".join(lines)
        likes = labelled(info, "추천")
        comment_count = labelled(info, "댓글")
        return PostData(
            origin_id=POST_NO.match(url).group(1),
            url=url,
            title=text_first(doc, TITLE) or meta(doc, "og:title"),
            content=html.block_text(body),
            images=html.images(body, url),
            views=labelled(info, "조회수", "조회") or 0,
            likes=likes if likes is not None else count(text_first(doc, LIKES)),
            comment_count=comment_count or 0,
            author=text_first(doc, AUTHOR),
            published_at=html.kst(posted) or html.meta_published(doc),
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
                           likes=count(str(raw.get("ok") or "")))
