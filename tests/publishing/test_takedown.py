from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from posts.lifecycle import Failure
from posts.models import Post
from posts.services import post_request_take_down
from publishing import tasks
from publishing.takedown import post_take_down


@pytest.fixture
def publisher(db):
    return get_user_model().objects.create_user("publisher")


def take_down(post: Post, by, reason: str) -> bool:
    """A person asks (the admin action), then the queued task runs."""
    post_request_take_down(post=post, by=by, reason=reason)
    return tasks.take_down(post.pk)


def test_take_down_deletes_the_video_and_local_media_and_keeps_history(youtube, make_rendered, publisher, settings):
    post = make_rendered()
    tasks.upload(post.pk)
    post.refresh_from_db()
    video_id = post.uploads.get().video_id
    folder = Path(settings.MEDIA_ROOT) / "posts" / str(post.pk)
    assert folder.is_dir()

    assert take_down(post, publisher, "작성자가 삭제를 요청함")

    post.refresh_from_db()
    assert post.status == "TAKEN_DOWN"
    assert youtube.videos == {}
    assert youtube.requests("DELETE", "/youtube/v3/videos")[0]["query"]["id"] == video_id
    assert not folder.exists()
    assert post.short.video_path == "" and post.uploads.get().video_id == video_id
    done, asked = post.history.all()[:2]
    assert (asked.old, asked.new, asked.by) == ("UPLOADED", "TAKING_DOWN", publisher)
    assert asked.reason == "작성자가 삭제를 요청함"
    assert (done.old, done.new) == ("TAKING_DOWN", "TAKEN_DOWN")


def test_a_failed_platform_delete_fails_the_take_down_visibly_and_keeps_the_files(
    youtube, make_rendered, publisher, settings
):
    settings.YOUTUBE_MAX_RETRIES = 0
    post = make_rendered()
    tasks.upload(post.pk)
    post.refresh_from_db()
    youtube.fail_next("DELETE", "/videos", 403, reason="forbidden")

    assert take_down(post, publisher, "요청") is False

    post.refresh_from_db()
    assert (post.status, post.failure) == ("FAILED", Failure.TAKE_DOWN_FAILED)
    assert "forbidden" in post.error_message
    assert len(youtube.videos) == 1
    assert (Path(settings.MEDIA_ROOT) / post.short.video_path).is_file()

    post.apply("retry")  # the sweep's automatic retry, or a person's
    assert post.status == "TAKING_DOWN"
    assert tasks.take_down(post.pk) is True
    assert youtube.videos == {}


def test_a_video_already_gone_on_the_platform_still_takes_the_post_down(youtube, make_rendered, publisher):
    post = make_rendered()
    tasks.upload(post.pk)
    youtube.videos.clear()
    post.refresh_from_db()

    assert take_down(post, publisher, "요청")

    assert Post.objects.get(pk=post.pk).status == "TAKEN_DOWN"


def test_local_take_down_removes_the_export(make_rendered, publisher, settings):
    post = make_rendered()
    tasks.upload(post.pk)
    post.refresh_from_db()

    take_down(post, publisher, "요청")

    assert not (Path(settings.MEDIA_ROOT) / "exports" / post.uploads.get().video_id).exists()


def test_only_uploaded_posts_can_be_taken_down_and_a_reason_is_required(make_rendered, publisher):
    post = make_rendered()
    with pytest.raises(Post.InvalidTransition):
        post_request_take_down(post=post, by=publisher, reason="요청")
    assert post_take_down(post) is False  # a stray delivery for a post not TAKING_DOWN does nothing
    tasks.upload(post.pk)
    post.refresh_from_db()
    with pytest.raises(ValueError):
        post_request_take_down(post=post, by=publisher, reason=" ")


def test_a_second_delivery_of_the_take_down_does_nothing(make_rendered, publisher):
    post = make_rendered()
    tasks.upload(post.pk)
    post.refresh_from_db()

    assert take_down(post, publisher, "요청") is True
    assert tasks.take_down(post.pk) is False

    assert post.history.filter(new="TAKEN_DOWN").count() == 1
