"""The inbox: default view, columns, filters, sorts, search, and a query count that stays flat."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from posts.models import Comment, PostImage, Status
from tests.posts.conftest import make_post

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:posts_post_changelist")


def shown(client, query: str = "") -> list[str]:
    response = client.get(f"{CHANGELIST}?{query}")
    assert response.status_code == 200, response.content[:300]
    return [post.title for post in response.context["cl"].result_list]


def test_the_default_view_is_collected_posts_best_score_first(admin_client):
    make_post(title="low", score=10)
    make_post(title="high", score=90)
    make_post(title="declined", score=99, status=Status.DECLINED)
    make_post(title="mid", score=50)
    assert shown(admin_client) == ["high", "mid", "low"]


def test_the_inbox_row_has_every_column(admin_client):
    hours_ago = timezone.now() - timedelta(hours=3, minutes=5)
    post = make_post(
        title="제목", views=1234, likes=56, comment_count=7, score=0.97, created_at=hours_ago,
        images=["https://img.example/a.jpg", "b", "c"], content="가나다 " * 100,
    )
    Comment.objects.create(post=post, content="평범한 댓글", content_hash="1", likes=100)
    Comment.objects.create(post=post, content="베스트 댓글 " + "가" * 200, content_hash="2", likes=3, is_best=True)
    PostImage.objects.create(post=post, position=0, source_url="https://x.test/a", error="HTTP 404")
    PostImage.objects.create(post=post, position=1, source_url="https://x.test/b",
                             file=f"posts/{post.pk}/images/01.jpg", thumbnail=f"posts/{post.pk}/images/thumbs/01.jpg",
                             width=640, height=480)
    page = admin_client.get(CHANGELIST).content.decode()
    row = page[page.index('<td class="action-checkbox">') :]
    row = row[: row.index("</tr>")]
    for cell in (
        f'<a href="/admin/posts/post/{post.pk}/change/">제목</a>',
        '<td class="field-views">1234</td>', '<td class="field-likes">56</td>',
        '<td class="field-comments">7</td>', "top 3%", '<span class="inbox-count">3</span>',
        "3시간 전", "♥ 3",
        f'src="/staff-media/posts/{post.pk}/images/thumbs/01.jpg"',
    ):
        assert cell in row, cell
    assert "Collected" not in row  # the status column appears only on the all-statuses view
    excerpt = row[row.index("inbox-best") :]
    assert "베스트 댓글" in excerpt and "가" * 73 in excerpt and "가" * 74 not in excerpt
    body = row[row.index("inbox-excerpt") :]
    assert ("가나다 " * 75)[:300] + "…" in body and "가나다 " * 76 not in body


def test_the_thumbnail_is_the_first_image_url_of_the_post(admin_client):
    make_post(title="no images")
    make_post(title="object", images=[{"url": "https://img.example/b.jpg"}])
    make_post(title="script", images=["javascript:alert(1)"])
    page = admin_client.get(CHANGELIST).content.decode()
    assert page.count('class="inbox-thumb"') == 1
    assert 'src="https://img.example/b.jpg"' in page and "javascript:" not in page


def test_the_declined_list_shows_the_reason(admin_client):
    post = make_post(title="거절됨")
    post.apply("decline", reason="저작권")
    assert "decline_reason" not in admin_client.get(CHANGELIST).content.decode()
    page = admin_client.get(f"{CHANGELIST}?status=DECLINED").content.decode()
    assert '<td class="field-decline_reason">저작권</td>' in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=all", ["approved", "old", "b", "a"]),  # newest first: no index orders all statuses by score
        ("status=all&o=-7", ["approved", "b", "a", "old"]),  # 7: the score (percentile) column
        ("status=APPROVED", ["approved"]),
        ("site_code=dcinside", ["b"]),
        ("has_images=yes", ["a"]),
        ("has_images=no", ["b", "old"]),
        ("tier=high", ["b"]),
        ("tier=mid", ["a"]),
        ("tier=low", ["old"]),
        ("collected=today", ["b", "a"]),
        ("collected=week", ["b", "a"]),
        ("q=강아지", ["a"]),
        ("q=고양이", ["b"]),
    ],
)
def test_filters_and_search(admin_client, query, expected):
    make_post(title="a", score=0.6, images=["x"], content="우리 강아지 이야기")
    make_post(title="b", score=0.85, site_code="dcinside", content="고양이")
    make_post(title="old", score=0.05, created_at=timezone.now() - timedelta(days=30))
    make_post(title="approved", score=0.99, status=Status.APPROVED)
    assert shown(admin_client, query) == expected


@pytest.mark.parametrize(
    ("order", "expected"),
    [("o=4", ["v1", "v2", "v3"]), ("o=-4", ["v3", "v2", "v1"]), ("o=-5", ["v2", "v1", "v3"]),
     ("o=-8", ["v3", "v2", "v1"])],
)
def test_sorting_by_views_likes_and_newest(admin_client, order, expected):
    now = timezone.now()
    make_post(title="v1", views=10, likes=5, created_at=now - timedelta(hours=3))
    make_post(title="v2", views=20, likes=9, created_at=now - timedelta(hours=2))
    make_post(title="v3", views=30, likes=1, created_at=now - timedelta(hours=1))
    assert shown(admin_client, order) == expected


def test_only_indexed_columns_are_sortable(admin_client):
    make_post()
    page = admin_client.get(CHANGELIST).content.decode()
    for column in ("views", "likes", "percentile", "collected_at"):
        assert f'class="sortable column-{column}' in page
    for column in ("title", "also_on", "comments", "summary"):
        assert f'class="sortable column-{column}' not in page


def test_the_count_stops_at_the_limit(admin_client, settings):
    settings.ADMIN_COUNT_LIMIT = 3
    settings_per_page = 2
    for _ in range(5):
        make_post()
    from posts.admin import PostAdmin

    PostAdmin.list_per_page, old = settings_per_page, PostAdmin.list_per_page
    try:
        page = admin_client.get(CHANGELIST).content.decode()
    finally:
        PostAdmin.list_per_page = old
    assert "3+ posts" in page


def _page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(CHANGELIST).status_code == 200
    return len(queries)


@pytest.mark.parametrize("per_page", [5, 50])  # several pages (ids first, then rows) and a single page
def test_the_inbox_makes_no_query_per_row(admin_client, monkeypatch, per_page):
    from posts.admin import PostAdmin

    monkeypatch.setattr(PostAdmin, "list_per_page", per_page)
    for n in range(6):
        post = make_post(images=["x"])
        Comment.objects.create(post=post, content=f"댓글 {n}", content_hash=str(n))
    few = _page_queries(admin_client)
    for n in range(30):
        post = make_post(images=["x", "y"])
        Comment.objects.create(post=post, content=f"댓글 {n}", content_hash=f"m{n}", is_best=True)
    assert _page_queries(admin_client) == few
    assert few <= 8


def test_a_later_page_keeps_the_sort_order(admin_client, monkeypatch):
    from posts.admin import PostAdmin

    monkeypatch.setattr(PostAdmin, "list_per_page", 2)
    for score in (10, 20, 30, 40, 50):
        make_post(title=f"s{score}", score=score)
    assert shown(admin_client, "p=2") == ["s30", "s20"]
    assert shown(admin_client, "p=2&o=7") == ["s30", "s40"]


@pytest.mark.parametrize(
    ("query", "order_by"),
    [("", "score` DESC, `id` DESC"), ("o=4", "views` ASC, `id` ASC"), ("o=-8", "created_at` DESC, `id` DESC")],
)
def test_a_sort_orders_by_its_column_and_id_only_so_the_status_index_serves_it(admin_client, query, order_by):
    make_post()
    with CaptureQueriesContext(connection) as queries:
        admin_client.get(f"{CHANGELIST}?{query}")
    listing = next(q["sql"] for q in queries if "ORDER BY" in q["sql"] and "posts_post" in q["sql"])
    clause = listing.split("ORDER BY")[-1].replace('"', "`")
    columns = [part.strip().split(".")[-1] for part in clause.split("LIMIT")[0].split(",")]
    assert ", ".join(columns).startswith("`" + order_by)
    assert len(columns) == 2
