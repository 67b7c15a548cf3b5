from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from posts.models import Post
from publishing import tasks
from publishing.takedown import post_take_down


@pytest.fixture
def publisher(db):
    return get_user_model().objects.create_user("publisher")


def test_take_down_deletes_the_video_and_local_media_and_keeps_history(youtube, make_rendered, publisher, settings):
    post = make_rendered()
    tasks.upload(post.pk)
    post.refresh_from_db()
    video_id = post.output.platform_id
    folder = Path(settings.MEDIA_ROOT) / "posts" / str(post.pk)
    assert folder.is_dir()

    post_take_down(post, by=publisher, reason="작성자가 삭제를 요청함")

    post.refresh_from_db()
    assert post.status == "TAKEN_DOWN"
    assert youtube.videos == {}
    assert youtube.requests("DELETE", "/youtube/v3/videos")[0]["query"]["id"] == video_id
    assert not folder.exists()
    assert post.output.video_path == "" and post.output.platform_id == video_id
    change = post.history.first()
    assert (change.old, change.new, change.by, change.reason) == (
        "UPLOADED", "TAKEN_DOWN", publisher, "작성자가 삭제를 요청함")
    assert post.history.filter(new="UPLOADED").exists()


def test_a_failed_platform_delete_leaves_the_post_uploaded(youtube, make_rendered, publisher, settings):
    settings.YOUTUBE_MAX_RETRIES = 0
    post = make_rendered()
    tasks.upload(post.pk)
    post.refresh_from_db()
    youtube.fail_next("DELETE", "/videos", 403, reason="forbidden")

    with pytest.raises(Exception, match="forbidden"):
        post_take_down(post, by=publisher, reason="요청")

    post.refresh_from_db()
    assert post.status == "UPLOADED"
    assert len(youtube.videos) == 1
    assert (Path(settings.MEDIA_ROOT) / post.output.video_path).is_file()


def test_a_video_already_gone_on_the_platform_still_takes_the_post_down(youtube, make_rendered, publisher):
    post = make_rendered()
    tasks.upload(post.pk)
    youtube.videos.clear()
    post.refresh_from_db()

    post_take_down(post, by=publisher, reason="요청")

    assert Post.objects.get(pk=post.pk).status == "TAKEN_DOWN"


def test_local_take_down_removes_the_export(make_rendered, publisher, settings):
    post = make_rendered()
    tasks.upload(post.pk)
    post.refresh_from_db()

    post_take_down(post, by=publisher, reason="요청")

    assert not (Path(settings.MEDIA_ROOT) / "exports" / post.output.platform_id).exists()


def test_only_uploaded_posts_can_be_taken_down_and_a_reason_is_required(make_rendered, publisher):
    post = make_rendered()
    with pytest.raises(Post.InvalidTransition):
        post_take_down(post, by=publisher, reason="요청")
    tasks.upload(post.pk)
    post.refresh_from_db()
    with pytest.raises(ValueError):
        post_take_down(post, by=publisher, reason=" ")
