"""A list page saved together (``posts_save``) ends exactly like its posts saved one by one."""

from __future__ import annotations

import pytest

from crawling.base import CommentData, PostData
from crawling.models import CrawlFailure, CrawlRun, Fingerprint
from crawling.runs import crawl_page
from crawling.saving import post_save, posts_save
from crawling.sites.theqoo import Theqoo
from posts.models import Post

pytestmark = pytest.mark.django_db

STORY = (
    "어제 퇴근길에 지하철에서 있었던 일인데요 옆자리 할아버지가 갑자기 제 어깨에 기대서 주무시는 거예요 "
    "깨우기도 뭐해서 그냥 세 정거장을 그대로 갔는데 내리시면서 사탕 하나를 주시고 고맙다고 하셨어요"
)
DECLINED = (
    "회사 회식 자리에서 부장님이 노래를 부르시다가 갑자기 마이크를 저한테 넘기셨는데 저는 음치라서 "
    "정말 당황했지만 끝까지 불렀더니 다들 박수를 쳐주셔서 그날 이후로 별명이 가수가 되었습니다"
)
OTHER = (
    "주말에 캠핑을 갔는데 텐트를 치다가 폴대를 하나 빠뜨리고 온 걸 알았어요 옆 텐트 가족이 남는 "
    "폴대를 빌려주셔서 무사히 잤고 아침에 커피를 대접해 드렸더니 아이들이 마시멜로를 나눠 주었어요"
)


def post(origin_id: str, content: str, views: int = 10, likes: int = 1, comments=()) -> PostData:
    return PostData(origin_id=origin_id, url=f"https://theqoo.net/hot/{origin_id}", title="제목",
                    content=content, views=views, likes=likes, comment_count=len(comments),
                    comments=[CommentData(author=a, text=t, likes=n, is_best=b) for a, t, n, b in comments])


def before() -> None:
    post_save("theqoo", post("1", STORY, comments=[("a", "첫 댓글", 5, True), ("b", "둘째", 0, False)]))
    post_save("theqoo", post("9", DECLINED))
    Post.objects.get(origin_id="9").apply("decline", reason="not for us")


def page() -> list[PostData]:
    return [
        post("1", STORY, views=50, likes=7, comments=[("a", "첫 댓글", 9, False), ("c", "새 댓글", 2, True),
                                                     ("c", "새 댓글", 3, True), ("b", "둘째", 1, True),
                                                     ("b", "둘째", 3, False)]),  # read twice: the last wins
        post("2", STORY + " 퍼옴"),  # a copy of the known post 1
        post("3", DECLINED + " 재업"),  # a copy of the declined post 9
        post("4", "짧음"),
        post("5", OTHER, comments=[("d", "좋네요", 4, True), ("d", "좋네요", 4, True)]),
        post("6", OTHER + " ㅋㅋ", likes=30),  # a copy of post 5, on the same page
        post("5", OTHER, views=99, comments=[("d", "좋네요", 8, True)]),  # listed twice
    ]


def state() -> dict:
    found = {}
    for row in Post.objects.order_by("origin_id"):
        comments = sorted(row.comments.values_list("content_hash", "author", "likes", "is_best"))
        snapshots = sorted(row.snapshots.values_list("views", "likes", "comment_count"))
        fingerprint = Fingerprint.objects.filter(post=row).values_list("simhash", flat=True).first()
        head = row.duplicate_of.origin_id if row.duplicate_of else None
        found[row.origin_id] = (row.status, row.views, row.likes, row.comment_count, row.stats, head,
                                comments, snapshots, fingerprint)
    return found


def test_a_page_saved_together_ends_like_its_posts_saved_one_by_one():
    before()
    together = posts_save("theqoo", page())
    saved_together = state()
    Post.objects.all().delete()
    before()
    one_by_one = [post_save("theqoo", data) for data in page()]
    assert together == one_by_one == ["updated", "new", "skipped", "skipped", "new", "new", "updated"]
    assert saved_together == state()
    assert saved_together["2"][5] == "1" or saved_together["1"][5] == "2"  # the copies were linked
    assert saved_together["5"][5] == "6" or saved_together["6"][5] == "5"
    assert saved_together["5"][1] == 99 and len(saved_together["5"][7]) == 2
    assert [c[2:] for c in saved_together["1"][6] if c[1] == "b"] == [(3, False)]  # as the old per-row UPDATEs


class BrokenTheqoo(Theqoo):
    """A site module with a parser bug on one post (its title comes back missing)."""

    def parse_post(self, doc, url: str) -> PostData:
        data = super().parse_post(doc, url)
        if data.origin_id == "4361019832":
            data.title = None
        return data


def test_a_bad_post_fails_alone_and_the_rest_of_its_page_is_saved(fixture_server):
    crawler = BrokenTheqoo(base_url=fixture_server.base_url("theqoo"), robots_policy="ignore")
    run = CrawlRun.objects.create(site_code="theqoo")
    lines: list[str] = []
    crawl_page(crawler, run, 1, lines.append)
    assert run.new == 1 and Post.objects.filter(origin_id="4361027745").exists()
    broken = CrawlFailure.objects.get(url="https://theqoo.net/hot/4361019832")
    assert "TypeError" in broken.error
    assert run.failed == CrawlFailure.objects.filter(run=run).count()
    assert "theqoo: 4361019832 FAILED" in "\n".join(lines)
