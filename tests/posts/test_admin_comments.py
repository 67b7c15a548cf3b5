"""The post page shows the best comments a page at a time, however many a post has."""

from __future__ import annotations

import pytest
from django.urls import reverse

from posts.admin_comments import COMMENTS_PAGE
from posts.models import Comment
from tests.posts.conftest import make_post

pytestmark = pytest.mark.django_db


def add_comments(post, count: int) -> None:
    Comment.objects.bulk_create(
        Comment(post=post, author=f"u{n}", content=f"댓글번호{n:05d}끝", content_hash=f"h{n}", likes=n,
                is_best=n >= count - 3)
        for n in range(count)
    )


def test_a_post_with_thousands_of_comments_renders_one_page_of_the_best(admin_client):
    post = make_post()
    add_comments(post, 5_001)

    page = admin_client.get(reverse("admin:posts_post_change", args=[post.pk])).content.decode()

    shown = [n for n in range(5_001) if f"댓글번호{n:05d}끝" in page]
    assert shown == list(range(5_001 - COMMENTS_PAGE, 5_001))  # best, then most liked
    assert "Comments 1–50 of 5001" in page and "comments_page=2" in page
    assert len(page) < 1_000_000


def test_later_pages_show_the_rest_and_link_back(admin_client):
    post = make_post()
    add_comments(post, 120)
    url = reverse("admin:posts_post_change", args=[post.pk])

    page = admin_client.get(url, {"comments_page": "3"}).content.decode()

    assert [n for n in range(120) if f"댓글번호{n:05d}끝" in page] == list(range(0, 20))
    assert "Comments 101–120 of 120" in page and "comments_page=2" in page and "next ›" not in page
    assert admin_client.get(url, {"comments_page": "junk"}).status_code == 200
