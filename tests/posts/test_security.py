"""Login throttling, and crawled text that tries to run script in a moderator's browser."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from generation.models import Short
from posts.models import Comment, Status
from publishing.models import Upload
from tests.posts.conftest import make_post

pytestmark = pytest.mark.django_db
LOGIN = reverse("admin:login")

HOSTILE = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    '"><svg onload=alert(1)>',
    "javascript:alert(document.cookie)",
]
HOSTILE_URLS = ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "JaVaScRiPt:alert(1)"]
# What must never appear in a page: live tags and attributes from the corpus.
LIVE = [
    re.compile(r"<script>alert", re.I), re.compile(r"<img src=x onerror", re.I), re.compile(r"<svg onload", re.I),
    re.compile(r"""(href|src|poster)\s*=\s*["']?\s*(javascript|data):""", re.I),
]


def assert_neutralised(page: str) -> None:
    for pattern in LIVE:
        assert not pattern.search(page), pattern.pattern
    assert "&lt;script&gt;alert(" in page  # the text is still shown, escaped


@pytest.fixture
def hostile_post(settings):
    text = " ".join(HOSTILE)
    post = make_post(
        Status.UPLOADED, title=text[:300], content=text, author=HOSTILE[1], url=HOSTILE_URLS[0],
        images=[*HOSTILE_URLS, 'https://img.example/a.jpg"><script>alert(2)</script>', {"url": HOSTILE_URLS[0]}],
    )
    for n, bad in enumerate(HOSTILE):
        Comment.objects.create(post=post, content=bad, author=HOSTILE[2], content_hash=str(n), is_best=n == 0)
    Short.objects.create(
        post=post, script=text, title=text[:100], description=text, qc={HOSTILE[0]: HOSTILE[1]},
    )
    Upload.objects.create(
        post=post, platform="youtube", url=HOSTILE_URLS[0], video_id=HOSTILE[2][:64], uploaded_at=timezone.now()
    )
    return post


def test_hostile_text_is_escaped_in_the_inbox(admin_client, hostile_post):
    page = admin_client.get(reverse("admin:posts_post_changelist") + "?status=all").content.decode()
    assert_neutralised(page)
    assert "&lt;img src=x onerror" in page  # the best-comment excerpt column


def test_hostile_text_and_urls_are_neutralised_on_the_post_page(admin_client, hostile_post):
    page = admin_client.get(reverse("admin:posts_post_change", args=[hostile_post.pk])).content.decode()
    assert_neutralised(page)
    assert "&lt;svg onload=alert(1)&gt;" in page  # a comment author
    assert "javascript:alert(1)" in page  # shown as text, not as a link


def test_hostile_text_is_escaped_in_the_decline_form(admin_client, hostile_post):
    data = {"action": "decline", "_selected_action": [hostile_post.pk], "index": 0}
    page = admin_client.post(reverse("admin:posts_post_changelist") + "?status=all", data).content.decode()
    assert_neutralised(page)


def test_hostile_upload_titles_and_links_are_neutralised_on_the_status_page(client, hostile_post):
    cache.clear()
    page = client.get("/status/").content.decode()
    assert_neutralised(page)


def test_the_admin_requires_login(client):
    response = client.get(reverse("admin:posts_post_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_repeated_failed_logins_lock_the_account_out_even_with_the_right_password(client, settings):
    User.objects.create_superuser("boss", password="right-password")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(LOGIN, {"username": "boss", "password": "wrong"})
        assert response.status_code == 200  # the form again, with an error
    assert client.post(LOGIN, {"username": "boss", "password": "wrong"}).status_code == 429
    locked = client.post(LOGIN, {"username": "boss", "password": "right-password"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_successful_login_before_the_limit_works(client, settings):
    User.objects.create_superuser("boss", password="right-password")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(LOGIN, {"username": "boss", "password": "wrong"})
    response = client.post(LOGIN, {"username": "boss", "password": "right-password"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"]
