"""What YouTube did with a video after the upload: processed, rejected, failed, or gone."""

from __future__ import annotations

import pytest

from publishing import tasks


def test_processing_is_recorded_after_upload_and_on_refresh(youtube, make_rendered):
    post = make_rendered()
    assert tasks.upload(post.pk) is True
    assert post.uploads.get().processing_status == "uploaded"

    youtube.finish_processing()
    tasks.refresh_stats()

    post.refresh_from_db()
    assert post.status == "UPLOADED"
    assert post.uploads.get().processing_status == "processed"


@pytest.mark.parametrize(
    ("outcome", "status", "reason"),
    [("rejected:duplicate", "rejected", "duplicate"), ("failed:codec", "failed", "codec")],
)
def test_a_video_processing_refused_fails_the_post_with_youtubes_reason(
    youtube, make_rendered, outcome, status, reason
):
    post = make_rendered()
    youtube.processing_outcome = outcome
    assert tasks.upload(post.pk) is True

    youtube.finish_processing()
    tasks.refresh_stats()

    post.refresh_from_db()
    upload = post.uploads.get()
    assert (upload.processing_status, upload.processing_reason) == (status, reason)
    assert (post.status, post.error_code, post.error_permanent) == ("FAILED", "UPLOAD_REJECTED", True)
    assert reason in post.error_message


def test_a_video_that_disappeared_is_visible_as_removed(youtube, make_rendered):
    post = make_rendered()
    keep = make_rendered()
    assert tasks.upload(post.pk) is True and tasks.upload(keep.pk) is True
    youtube.remove(post.uploads.get().video_id)

    assert tasks.refresh_stats() == 1

    post.refresh_from_db()
    assert post.uploads.get().processing_status == "removed"
    assert (post.status, post.error_code) == ("FAILED", "VIDEO_REMOVED")
    keep.refresh_from_db()
    assert keep.status == "UPLOADED"


def test_a_rejected_video_is_not_recorded_again_when_found_by_its_key(youtube, make_rendered, settings):
    post = make_rendered()
    youtube.processing_outcome = "rejected:duplicate"
    settings.YOUTUBE_MAX_RETRIES = 0
    youtube.hang_ups_after_complete = 2
    assert tasks.upload(post.pk) is False
    youtube.forget_sessions()
    youtube.finish_processing()

    post.refresh_from_db()
    assert tasks.upload(post.pk) is False

    post.refresh_from_db()
    assert (post.status, post.error_code) == ("FAILED", "UPLOAD_REJECTED")
    assert "duplicate" in post.error_message
    assert len(youtube.videos) == 1
