"""DC Inside (gall.dcinside.com): the hit gallery list, posts, and comments from the AJAX endpoint."""

from __future__ import annotations

import json
import re
from urllib.parse import urljoin

from crawling import html
from crawling.base import BaseCrawler, CommentData, CrawlError, ListItem, PostData
from crawling.fields import Fields

SOURCE_LINE = re.compile(r"\n?출처\s*:[^\n]*\[원본 보기\]\s*$")
TITLE_SUFFIX = r"\s+-\s+[^-]*갤러리$"  # og:title appends " - 실시간 베스트 갤러리"


class DcInside(BaseCrawler):
    code = "dcinside"
    name = "DC Inside"
    name_ko = "디시인사이드"
    hashtag = "디시인사이드"
    origin = "https://gall.dcinside.com"
    hosts = ("dcinside.com", "dcinside.co.kr")  # the site and its image CDNs
    image_referer = True  # dcimg answers a hotlinked image (no post page as Referer) with a placeholder
    gallery = "dcbest"

    @classmethod
    def list_path(cls, page: int) -> str:
        return f"/board/lists/?id={cls.gallery}&page={page}"

    def parse_list(self, doc, url: str) -> list[ListItem]:
        items = []
        for row in html.select(doc, "table.gall_list tbody tr.ub-content.us-post"):
            td = html.cells(row)
            link = html.child(td.get("gall_tit"), "a", without="reply_numbox")
            query = html.query(html.attr(link, "href"))
            if link is None or not query.get("no", "").isdigit():
                continue
            gallery, no = query.get("id", self.gallery), query["no"]
            html.drop(link, "strong", "em")
            if self.row_skipped(row, html.text(link), html.attr(link, "href")):
                continue
            items.append(ListItem(
                origin_id=f"{gallery}_{no}",
                url=f"{self.origin}/board/view/?id={gallery}&no={no}",
                fetch_url=urljoin(self.origin, html.attr(link, "href")),
                title=html.text(link),
                views=html.to_int(html.text(td.get("gall_count"))),
                likes=html.to_int(html.text(td.get("gall_recommend"))),
                comments=html.to_int(html.text(html.find(row, "span", "reply_num"))),
            ))
        return items

    def post_fetch(self, item: ListItem) -> PostData:
        doc = html.document(self.get_text(self.fetch_url(item.fetch_url or item.url)))
        post = self.parse_post(doc, item.url)
        # The comment endpoint wants the hidden view-form values of this page.
        form = {el.get("id"): el.get("value") or "" for el in html.select(doc, "form#_view_form_ input[id]")}
        post.comments = self._comments_fetch(item, form)
        return post

    def parse_post(self, doc, url: str) -> PostData:
        view = html.scope(doc, "div.view_content_wrap")  # the post's header and body, not the comments
        body = html.need_body(view, "div.writing_view_box div.write_div")
        content = SOURCE_LINE.sub("", html.block_text(body)).strip()
        query = html.query(url)
        no = query["no"]
        fields = Fields(view, doc)
        return PostData(
            origin_id=f"{query['id']}_{no}",
            url=url,
            title=fields.text("title", ["div.gallview_head span.title_subject", "span.title_subject"],
                              meta=("og:title",), trim=TITLE_SUFFIX, default=html.first_line(content)),
            content=content,
            images=html.images(body, url, skip_classes=("written_dccon",)),
            videos=html.videos(body, url, doc),
            views=fields.count("views", ["span.gall_count"], label="조회"),
            likes=fields.count("likes", ["span.gall_reply_num", f"p#recommend_view_up_{no}", "p.up_num"], label="추천"),
            dislikes=fields.count("dislikes", [f"p#recommend_view_down_{no}", "p.down_num"]),
            comment_count=fields.count("comment_count", ["span.gall_comment"], label="댓글"),
            author=fields.text("author", ["div.gall_writer@data-nick", "span.nickname"]),
            published_at=fields.date("published_at", ["span.gall_date@title", "span.gall_date"]),
            parse=fields.record(),
        )

    def _comments_fetch(self, item: ListItem, form: dict[str, str]) -> list[CommentData]:
        query = html.query(item.url)
        data = {
            "id": form.get("id") or query["id"], "no": form.get("no") or query["no"],
            "cmt_id": form.get("id") or query["id"], "cmt_no": form.get("no") or query["no"],
            "e_s_n_o": form.get("e_s_n_o", ""), "comment_page": "1", "sort": "D",
            "_GALLTYPE_": form.get("_GALLTYPE_", "G"), "secret_article_key": form.get("secret_article_key", ""),
        }
        response = self.request(
            "POST", self.base_url + "/board/comment/", data=data,
            headers={"X-Requested-With": "XMLHttpRequest", "Referer": self.fetch_url(item.url)},
        )
        try:
            payload = json.loads(response.content.decode("utf-8-sig"))
            return [c for c in map(self._comment, payload.get("comments") or []) if c]
        except (ValueError, AttributeError, TypeError) as exc:
            raise CrawlError(f"unreadable comment JSON for {item.url}: {exc}") from exc

    @staticmethod
    def _comment(raw: dict) -> CommentData | None:
        if raw.get("nicktype") == "COMMENT_BOY" or raw.get("del_yn") == "Y":
            return None  # the ad bot and deleted comments
        text = html.fragment_text(str(raw.get("memo") or ""))
        if not text:
            return None  # a dccon sticker alone
        return CommentData(id=str(raw.get("no", "")), author=str(raw.get("name") or ""), text=text)
