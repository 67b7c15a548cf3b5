"""Upsert on (site, origin id): new posts are COLLECTED, known posts get fresh stats and the source's edits."""

from __future__ import annotations

import pytest

from crawling.base import CommentData, PostData
from crawling.models import Fingerprint, SourceEdit, StatsSnapshot
from crawling.runs import site_crawl
from crawling.saving import comment_hash, post_save, text_hash
from posts.models import Comment, Post, Status

pytestmark = pytest.mark.django_db

POST_FIELDS = ("site_code", "origin_id", "url", "title", "content", "images", "author", "source_published_at", "status")


def story(origin_id: str = "1", **changes) -> PostData:
    data = PostData(
        origin_id=origin_id, url=f"https://theqoo.net/hot/{origin_id}", title="제목",
        content="오늘 회사에서 있었던 일인데요 정말 황당해서 글 남겨요. 점심시간에 팀장님이 갑자기 들어오시더니",
        views=100, likes=10, comment_count=2,
        comments=[CommentData(author="a", text="첫 댓글", likes=5, is_best=True), CommentData(author="b", text="둘째")],
    )
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def snapshot(post: Post) -> dict:
    post.refresh_from_db()
    return {field: getattr(post, field) for field in POST_FIELDS}


def test_a_new_post_is_collected_with_comments_and_a_snapshot():
    assert post_save("theqoo", story()) == "new"
    post = Post.objects.get()
    assert post.status == Status.COLLECTED
    assert post.stats["best_comment_likes"] == 5
    first = post.comments.get(author="a")
    assert first.content_hash == comment_hash("a", "첫 댓글") and first.is_best
    assert StatsSnapshot.objects.filter(post=post).count() == 1


def test_a_known_post_gets_fresh_stats_and_the_sources_edit_but_keeps_its_status():
    post_save("theqoo", story())
    post = Post.objects.get()
    post.apply("approve")
    old_hash = text_hash(post.title, post.content)
    fresh = story(views=999, likes=50, title="new title", content="changed body " * 10,
                  comments=[CommentData(author="a", text="첫 댓글", likes=40, is_best=True)])
    assert post_save("theqoo", fresh) == "updated"
    post.refresh_from_db()
    assert (post.title, post.content, post.status) == ("new title", "changed body " * 10, Status.APPROVED)
    edit = SourceEdit.objects.get(post=post)
    assert (edit.old_hash, edit.new_hash) == (old_hash, text_hash("new title", "changed body " * 10))
    assert (post.views, post.likes) == (999, 50)
    assert post.comments.get(author="a").likes == 40
    assert post.snapshots.count() == 2


def test_a_known_post_read_without_a_title_or_body_keeps_its_text(settings):
    post_save("theqoo", story())
    before = snapshot(Post.objects.get())

    assert post_save("theqoo", story(title="", content="  짧음 ", views=500)) == "updated"

    post = Post.objects.get()
    assert snapshot(post) == before and post.views == 500
    assert not SourceEdit.objects.exists()


def test_an_edited_post_gets_a_new_fingerprint():
    post_save("theqoo", story())
    post = Post.objects.get()
    before = Fingerprint.objects.get(post=post).simhash

    post_save("theqoo", story(content="완전히 다른 내용으로 바뀐 본문입니다. 작성자가 글을 고쳤어요. " * 3))

    assert Fingerprint.objects.get(post=post).simhash != before
    assert SourceEdit.objects.get(post=post).old_title == "제목"


def test_crawling_twice_changes_only_stats_and_snapshots(fixture_server, settings):
    settings.CRAWL_ROBOTS_POLICY = {"ruliweb": "ignore"}
    first = site_crawl("ruliweb", base_url=fixture_server.base_url("ruliweb"))
    before = {p.pk: snapshot(p) for p in Post.objects.all()}
    comments = list(Comment.objects.values_list("pk", "content_hash", "likes", "is_best"))
    second = site_crawl("ruliweb", base_url=fixture_server.base_url("ruliweb"))
    assert first.new == 2 and second.new == 0 and second.updated == 2
    assert {p.pk: snapshot(p) for p in Post.objects.all()} == before
    assert list(Comment.objects.values_list("pk", "content_hash", "likes", "is_best")) == comments
    assert StatsSnapshot.objects.count() == 4


def test_too_short_bodies_are_skipped(settings):
    settings.CRAWL_MIN_BODY_CHARS = 20
    assert post_save("theqoo", story(content="짧음")) == "skipped"
    assert not Post.objects.exists()


def test_a_declined_story_is_not_offered_again_from_another_site_or_id():
    post_save("theqoo", story("1"))
    Post.objects.get().apply("decline", reason="not for us")
    repost = story("2", url="https://www.instiz.net/pt/2")
    assert post_save("instiz", repost) == "skipped"
    assert Post.objects.count() == 1


def test_a_declined_post_is_not_fetched_again(fixture_server, settings):
    settings.CRAWL_ROBOTS_POLICY = {"ruliweb": "ignore"}
    site_crawl("ruliweb", base_url=fixture_server.base_url("ruliweb"))
    post = Post.objects.get(origin_id="76801234")
    post.apply("decline")
    run = site_crawl("ruliweb", base_url=fixture_server.base_url("ruliweb"))
    assert run.skipped == 1 and run.updated == 1
    assert post.snapshots.count() == 1
