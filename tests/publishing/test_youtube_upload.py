"""Uploads through the real google-api-python-client against the fake YouTube server."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from django_q.conf import Conf
from google.auth.exceptions import RefreshError
from google.oauth2.credentials import Credentials

from generation.models import Short
from posts.lifecycle import Failure
from posts.tasks import sweep
from publishing import tasks
from publishing.metadata import media_path, metadata_for, upload_key
from publishing.models import QuotaUsage
from publishing.quota import pacific_day
from publishing.upload import post_upload, upload_checkpoint, upload_for
from publishing.uploaders.youtube import YouTubeUploader

INSERT = "/upload/youtube/v3/videos"


def _file_sha(post) -> str:
    return hashlib.sha256(media_path(post.short.video_path).read_bytes()).hexdigest()


def test_upload_publishes_one_video_with_metadata_thumbnail_and_records_it(youtube, make_rendered):
    post = make_rendered()
    sha = _file_sha(post)

    assert tasks.upload(post.pk) is True

    post.refresh_from_db()
    assert post.status == "UPLOADED"
    [video] = youtube.videos.values()
    assert post.uploads.get().video_id == video["id"]
    assert post.uploads.get().url.endswith(video["id"])
    assert hashlib.sha256(youtube.blobs[video["id"]]).hexdigest() == sha
    snippet, status = video["snippet"], video["status"]
    assert snippet["title"] == "시어머니가 보낸 문자 한 통 #Shorts"
    assert "출처: Nate Pann https://pann.nate.com/talk/" in snippet["description"]
    assert "#시어머니" in snippet["description"]
    assert upload_key(post) in snippet["tags"]
    assert status == {"uploadStatus": "uploaded", "privacyStatus": "private",
                      "selfDeclaredMadeForKids": False, "containsSyntheticMedia": True}
    assert youtube.thumbnails == {}  # still processing: the Short's thumbnail waits for it
    puts = youtube.requests("PUT", INSERT)
    assert [p["content_range"].split("/")[0] for p in puts] == [
        "bytes 0-262143", "bytes 262144-524287", "bytes 524288-786431", "bytes 786432-999999"]


def test_upload_counts_quota_in_the_pacific_day(youtube, make_rendered):
    post = make_rendered()
    tasks.upload(post.pk)
    youtube.finish_processing()
    tasks.refresh_stats()
    day = pacific_day(timezone.now())
    assert QuotaUsage.objects.used(day, "inserts") == 1
    assert QuotaUsage.objects.used(day, "units") == 1 + 50  # videos.list, thumbnails.set


def test_the_thumbnail_is_set_only_after_processing_has_finished(youtube, make_rendered):
    post = make_rendered()
    assert tasks.upload(post.pk) is True
    tasks.refresh_stats()  # YouTube still processing
    assert youtube.thumbnails == {} and post.uploads.get().thumbnail_set_at is None

    youtube.finish_processing()
    tasks.refresh_stats()

    [video_id] = youtube.videos
    assert youtube.thumbnail_set_while[video_id] == "processed"
    assert post.uploads.get().thumbnail_set_at is not None


def test_a_refused_tall_thumbnail_falls_back_to_the_wide_one(youtube, make_rendered):
    post = make_rendered()
    tall = media_path(f"posts/{post.pk}/thumbnail_tall.jpg")
    tall.write_bytes(b"\xff\xd8\xff\xe0" + b"tall" * 100 + b"\xff\xd9")
    post.short.tall_thumbnail_path = f"posts/{post.pk}/thumbnail_tall.jpg"
    post.short.save()
    assert tasks.upload(post.pk) is True
    youtube.finish_processing()
    youtube.fail_next("POST", "/thumbnails/set", 400, reason="invalidImage")

    tasks.refresh_stats()

    [video_id] = youtube.videos
    assert youtube.thumbnails[video_id] == media_path(post.short.thumbnail_path).stat().st_size


def test_three_503s_then_success_retries_with_backoff_and_makes_one_video(youtube, make_rendered):
    post = make_rendered()
    youtube.fail_next("PUT", "/upload/", 503, times=3)
    sleeps: list[float] = []

    assert post_upload(post, uploader=YouTubeUploader(sleep=sleeps.append)) is True

    assert len(youtube.videos) == 1
    assert len(sleeps) == 3
    assert all(0.5 * 0.001 * 2**i <= s <= 0.001 * 2**i for i, s in enumerate(sleeps))
    assert len(youtube.requests("POST", INSERT)) == 1


def test_connection_dropped_at_half_resumes_from_the_servers_range_with_one_video(youtube, make_rendered):
    post = make_rendered()
    sha = _file_sha(post)
    youtube.keep_interrupted_bytes = True
    youtube.drop_connection_at(0.5)

    assert post_upload(post, uploader=YouTubeUploader(sleep=lambda s: None)) is True

    [video_id] = youtube.videos
    assert hashlib.sha256(youtube.blobs[video_id]).hexdigest() == sha
    ranges = [p["content_range"] for p in youtube.requests("PUT", INSERT)]
    query = ranges.index("bytes */1000000")
    assert ranges[query + 1].startswith("bytes 500000-")  # resumed where the server said it stopped
    assert len(youtube.requests("POST", INSERT)) == 1


def test_an_interrupted_chunk_whose_bytes_the_server_discarded_is_sent_again_whole(youtube, make_rendered):
    post = make_rendered()
    sha = _file_sha(post)
    youtube.drop_connection_at(0.5)  # part of the second chunk arrives, then the line drops

    assert post_upload(post, uploader=YouTubeUploader(sleep=lambda s: None)) is True

    assert youtube.discarded_bytes > 0
    [video_id] = youtube.videos
    assert hashlib.sha256(youtube.blobs[video_id]).hexdigest() == sha
    ranges = [p["content_range"] for p in youtube.requests("PUT", INSERT)]
    query = ranges.index("bytes */1000000")
    assert ranges[query + 1] == "bytes 262144-524287/1000000"  # from the last acknowledged byte


def test_a_later_attempt_resumes_the_saved_session_from_the_servers_range(youtube, make_rendered, settings):
    post = make_rendered()
    settings.YOUTUBE_MAX_RETRIES = 0
    youtube.keep_interrupted_bytes = True
    youtube.drop_connection_at(0.5)
    assert post_upload(post, uploader=YouTubeUploader(sleep=lambda s: None)) is False
    post.refresh_from_db()
    assert (post.status, post.error_code) == ("RENDERED", "UPLOAD_RETRY")
    session = post.uploads.get().session
    assert session["session_uri"] and session["bytes_sent"] == 262144

    settings.YOUTUBE_MAX_RETRIES = 3
    assert post_upload(post, uploader=YouTubeUploader(sleep=lambda s: None)) is True

    assert len(youtube.videos) == 1
    assert len(youtube.requests("POST", INSERT)) == 1
    ranges = [p["content_range"] for p in youtube.requests("PUT", INSERT)]
    assert ranges[-3:] == ["bytes */1000000", "bytes 500000-762143/1000000", "bytes 762144-999999/1000000"]


def test_quota_exceeded_waits_in_rendered_until_the_pacific_reset_then_uploads(
    youtube, make_rendered, frozen_now, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(Conf, "SYNC", True)
    frozen_now.moment = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)  # 19:00 on the 21st in California
    post = make_rendered()
    youtube.quota_exceeded = True

    assert tasks.upload(post.pk) is False

    post.refresh_from_db()
    assert (post.status, post.error_code) == ("RENDERED", "QUOTA_WAIT")
    assert post.not_before == datetime(2026, 11, 22, 8, 0, tzinfo=UTC)  # Pacific midnight (PST)
    assert post.error_message == "waiting for quota until 2026-11-22 17:00 KST"
    assert sweep()["requeued"] == 0

    youtube.quota_exceeded = False
    frozen_now.moment = datetime(2026, 11, 22, 8, 1, tzinfo=UTC)
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep()["requeued"] == 1

    post.refresh_from_db()
    assert post.status == "UPLOADED"
    assert len(youtube.videos) == 1


def test_spent_daily_budget_waits_without_calling_the_api(youtube, make_rendered, settings):
    post = make_rendered()
    QuotaUsage.objects.create(day=pacific_day(timezone.now()), bucket="inserts", used=settings.YOUTUBE_DAILY_INSERTS)

    assert tasks.upload(post.pk) is False

    post.refresh_from_db()
    assert (post.status, post.error_code) == ("RENDERED", "QUOTA_WAIT")
    assert post.not_before > timezone.now()
    assert youtube.log == []


def upload_then_die(post) -> dict:
    """What a killed worker did: the whole upload, its state saved as it went, no result recorded."""
    post.apply("claim_upload")
    checkpoint = upload_checkpoint(upload_for(post, "youtube"), post.short)
    checkpoint.update(attempted=True, uploader="youtube")
    first = YouTubeUploader().upload(media_path(post.short.video_path), metadata_for(post), checkpoint=checkpoint)
    post.apply("release_upload", failure=Failure.UPLOAD_LEASE_EXPIRED)  # the sweep, after the lease
    return first


def test_process_killed_after_upload_before_saving_records_the_video_not_a_second(youtube, make_rendered):
    post = make_rendered()
    first = upload_then_die(post)

    assert tasks.upload(post.pk) is True

    post.refresh_from_db()
    assert post.status == "UPLOADED"
    assert post.uploads.get().video_id == first["platform_id"]
    assert list(youtube.videos) == [first["platform_id"]]
    assert len(youtube.requests("POST", INSERT)) == 1


def test_lost_final_response_with_an_expired_session_is_found_by_its_key(youtube, make_rendered, settings):
    post = make_rendered()
    settings.YOUTUBE_MAX_RETRIES = 0
    youtube.hang_ups_after_complete = 2  # the server stored the video; the client never heard
    assert post_upload(post, uploader=YouTubeUploader(sleep=lambda s: None)) is False
    assert len(youtube.videos) == 1
    youtube.forget_sessions()
    post.refresh_from_db()

    assert post_upload(post, uploader=YouTubeUploader(sleep=lambda s: None)) is True

    post.refresh_from_db()
    assert post.uploads.get().video_id == next(iter(youtube.videos))
    assert len(youtube.videos) == 1
    assert len(youtube.requests("POST", INSERT)) == 1
    assert youtube.requests("GET", "/playlistItems")


def test_invalid_video_fails_the_post_permanently(youtube, make_rendered):
    post = make_rendered()
    youtube.fail_next("POST", INSERT, 400, reason="invalidVideoMetadata")

    assert tasks.upload(post.pk) is False

    post.refresh_from_db()
    assert (post.status, post.error_code, post.error_permanent) == ("FAILED", "UPLOAD_REJECTED", True)
    assert "invalidVideoMetadata" in post.error_message


def test_retryable_errors_wait_then_fail_after_the_attempts(youtube, make_rendered, settings):
    post = make_rendered()
    settings.YOUTUBE_MAX_RETRIES = 1
    youtube.fail_next("POST", INSERT, 503, times=100)
    for expected in ["RENDERED", "RENDERED", "FAILED"]:
        post_upload(post, uploader=YouTubeUploader(sleep=lambda s: None))
        post.refresh_from_db()
        assert post.status == expected
    assert (post.error_code, post.error_permanent) == ("UPLOAD_FAILED", False)
    assert youtube.videos == {}


def test_missing_token_keeps_the_post_rendered_with_a_clear_reason(settings, make_rendered, tmp_path):
    settings.UPLOADER = "youtube"
    settings.YOUTUBE_API_ROOT = ""
    settings.YOUTUBE_TOKEN_FILE = tmp_path / "missing.json"
    post = make_rendered()

    assert tasks.upload(post.pk) is False

    post.refresh_from_db()
    assert (post.status, post.error_code) == ("RENDERED", "UPLOAD_AUTH")
    assert "manage.py youtube_auth" in post.error_message
    assert post.not_before > timezone.now()


def test_revoked_token_is_an_auth_error_not_a_crash(settings, make_rendered, tmp_path, youtube, monkeypatch):
    token = tmp_path / "token.json"
    token.write_text(json.dumps({"token": "x", "refresh_token": "r", "client_id": "c", "client_secret": "s",
                                 "expiry": "2020-01-01T00:00:00Z"}))
    settings.YOUTUBE_TOKEN_FILE = token

    def token_endpoint_says_revoked(self, request):  # the seam: Google's OAuth token endpoint
        raise RefreshError("invalid_grant: Token has been expired or revoked.")

    monkeypatch.setattr(Credentials, "refresh", token_endpoint_says_revoked)
    post = make_rendered()

    assert tasks.upload(post.pk) is False

    post.refresh_from_db()
    assert (post.status, post.error_code) == ("RENDERED", "UPLOAD_AUTH")
    assert "revoked" in post.error_message and "manage.py youtube_auth" in post.error_message
    assert youtube.log == []


def test_upload_task_run_twice_uploads_once(youtube, make_rendered):
    post = make_rendered()
    assert tasks.upload(post.pk) is True
    assert tasks.upload(post.pk) is False
    assert len(youtube.videos) == 1
    assert post.history.filter(new="UPLOADED").count() == 1


def test_a_refused_thumbnail_does_not_lose_the_uploaded_video(youtube, make_rendered):
    post = make_rendered()
    assert tasks.upload(post.pk) is True
    youtube.finish_processing()
    youtube.fail_next("POST", "/thumbnails/set", 403, reason="forbidden")

    tasks.refresh_stats()

    post.refresh_from_db()
    assert post.status == "UPLOADED"
    assert post.uploads.get().video_id == next(iter(youtube.videos))
    assert youtube.thumbnails == {}


def test_a_session_that_ends_mid_upload_is_retried_later_and_started_again(youtube, make_rendered, frozen_now):
    post = make_rendered()
    youtube.fail_next("PUT", INSERT, 404, reason="notFound")

    assert tasks.upload(post.pk) is False
    post.refresh_from_db()
    assert (post.status, post.error_code) == ("RENDERED", "UPLOAD_RETRY")
    youtube.forget_sessions()
    frozen_now.moment = post.not_before

    assert tasks.upload(post.pk) is True
    assert len(youtube.videos) == 1
    assert len(youtube.requests("POST", INSERT)) == 2


def test_backoff_doubles_with_jitter_and_is_capped(settings):
    from publishing.uploaders.youtube import backoff

    settings.YOUTUBE_BACKOFF_SECONDS = 1.0
    waits = [backoff(attempt) for attempt in range(10) for _ in range(20)]
    assert all(0.5 * min(64, 2**(i // 20)) <= w <= min(64, 2**(i // 20)) for i, w in enumerate(waits))
    assert len({round(w, 6) for w in waits[:20]}) > 1  # jittered, not a fixed schedule
    assert max(waits) <= 64


def test_a_video_whose_id_was_saved_before_the_worker_died_is_recorded_even_if_the_playlist_lags(
    youtube, make_rendered
):
    post = make_rendered()
    first = upload_then_die(post)
    youtube.uploads_listed = False  # the uploads playlist has not caught up yet

    assert tasks.upload(post.pk) is True

    post.refresh_from_db()
    assert post.uploads.get().video_id == first["platform_id"]
    assert list(youtube.videos) == [first["platform_id"]]
    assert len(youtube.requests("POST", INSERT)) == 1


def test_an_unexpected_error_during_upload_returns_the_post_to_rendered_with_the_reason(
    youtube, make_rendered, monkeypatch
):
    post = make_rendered()

    def broken(*args, **kwargs):
        raise OSError("disk vanished")

    monkeypatch.setattr(YouTubeUploader, "upload", broken)  # the platform client: the one external seam
    assert tasks.upload(post.pk) is False

    post.refresh_from_db()
    assert (post.status, post.error_code) == ("RENDERED", "UPLOAD_RETRY")
    assert "OSError: disk vanished" in post.error_message


def test_a_token_that_cannot_be_saved_is_a_login_problem_not_a_crash(tmp_path):
    from publishing.uploaders.base import AuthError
    from publishing.uploaders.youtube_client import token_save

    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    credentials = Credentials(token="t", refresh_token="r", client_id="c", client_secret="s")

    with pytest.raises(AuthError, match="YOUTUBE_TOKEN_FILE"):
        token_save(credentials, blocked / "youtube_token.json")


def test_a_session_opened_for_an_earlier_render_is_not_resumed(youtube, make_rendered, settings):
    post = make_rendered()
    short = post.short
    short.rendered_at = earlier = timezone.now() - timedelta(hours=2)
    short.save()
    upload = upload_for(post, "youtube")
    upload_checkpoint(upload, short).update(attempted=True, render=short.rendered_at.isoformat(), video_id="gone")

    short.rendered_at = timezone.now()  # the post was rendered again
    short.save()

    assert upload_checkpoint(upload_for(post, "youtube"), short).state == {}
    assert upload_checkpoint(upload_for(post, "youtube"), Short.objects.get(pk=short.pk)).state == {}
    short.rendered_at = earlier
    assert upload_checkpoint(upload_for(post, "youtube"), short).state["video_id"] == "gone"


def test_a_2000_character_korean_description_is_accepted_by_youtube(youtube, make_rendered):
    post = make_rendered()
    post.short.description = "결혼 3년 차인데 시어머니가 새벽에 문자를 보냈습니다. " * 70  # 2,100 characters
    post.short.save()

    assert tasks.upload(post.pk) is True

    [video] = youtube.videos.values()
    assert len(video["snippet"]["description"].encode()) <= 5000


def test_a_recovered_upload_still_gets_its_thumbnail(youtube, make_rendered, settings):
    post = make_rendered()
    settings.YOUTUBE_MAX_RETRIES = 0
    youtube.hang_ups_after_complete = 2  # the video exists; the client never heard, set no thumbnail
    assert post_upload(post, uploader=YouTubeUploader(sleep=lambda s: None)) is False
    youtube.forget_sessions()
    post.refresh_from_db()

    youtube.finish_processing()
    assert post_upload(post, uploader=YouTubeUploader(sleep=lambda s: None)) is True

    [video_id] = youtube.videos
    assert youtube.thumbnails[video_id] > 0
    assert post.uploads.get().thumbnail_set_at is not None


def test_a_short_gets_its_tall_thumbnail_when_it_has_one(youtube, make_rendered):
    post = make_rendered()
    tall = media_path(f"posts/{post.pk}/thumbnail_tall.jpg")
    tall.write_bytes(b"\xff\xd8\xff\xe0" + b"tall" * 100 + b"\xff\xd9")
    post.short.tall_thumbnail_path = f"posts/{post.pk}/thumbnail_tall.jpg"
    post.short.save()

    assert tasks.upload(post.pk) is True
    youtube.finish_processing()
    tasks.refresh_stats()

    [video_id] = youtube.videos
    assert youtube.thumbnails[video_id] == tall.stat().st_size


def test_a_failed_thumbnail_is_set_again_on_the_next_stats_refresh(youtube, make_rendered):
    post = make_rendered()
    youtube.fail_next("POST", "/thumbnails/set", 503, times=100)
    assert tasks.upload(post.pk) is True
    youtube.finish_processing()
    tasks.refresh_stats()
    assert youtube.thumbnails == {} and post.uploads.get().thumbnail_set_at is None
    youtube.faults.clear()

    tasks.refresh_stats()

    [video_id] = youtube.videos
    assert youtube.thumbnails[video_id] > 0
    assert post.uploads.get().thumbnail_set_at is not None


def test_lost_final_answer_then_404_then_lagging_playlist_looks_again_later_never_uploads_twice(
    youtube, make_rendered, settings
):
    post = make_rendered()
    settings.YOUTUBE_MAX_RETRIES = 0
    youtube.hang_ups_after_complete = 2  # the final chunk's answer is lost
    assert post_upload(post, uploader=YouTubeUploader(sleep=lambda s: None)) is False
    assert post.uploads.get().session["final_sent"] is True
    youtube.forget_sessions()  # the finished session now answers 404
    youtube.uploads_listed = False  # and the uploads playlist lags
    post.refresh_from_db()

    assert post_upload(post, uploader=YouTubeUploader(sleep=lambda s: None)) is False

    post.refresh_from_db()
    assert (post.status, post.error_code) == ("RENDERED", "UPLOAD_RETRY")
    assert "look again" in post.error_message
    assert len(youtube.videos) == 1 and len(youtube.requests("POST", INSERT)) == 1

    youtube.uploads_listed = True
    assert post_upload(post, uploader=YouTubeUploader(sleep=lambda s: None)) is True
    assert post.uploads.get().video_id == next(iter(youtube.videos))
    assert len(youtube.requests("POST", INSERT)) == 1


def test_upload_limit_exceeded_waits_with_growing_back_off_not_for_the_quota_day(youtube, make_rendered, frozen_now):
    post = make_rendered()
    youtube.fail_next("POST", INSERT, 400, reason="uploadLimitExceeded", times=2)

    assert tasks.upload(post.pk) is False

    post.refresh_from_db()
    assert (post.status, post.error_code) == ("RENDERED", "UPLOAD_LIMIT")
    assert "upload limit" in post.error_message and "quota" not in post.error_message
    first_wait = post.not_before - frozen_now.moment
    assert timedelta(minutes=30) <= first_wait <= timedelta(hours=3)
    assert QuotaUsage.objects.used(pacific_day(timezone.now()), "inserts") == 1  # not marked exhausted

    frozen_now.moment = post.not_before
    assert tasks.upload(post.pk) is False
    post.refresh_from_db()
    assert post.not_before - frozen_now.moment == 2 * first_wait
    assert post.upload_attempts == 1  # waiting for the channel's limit is no attempt

    frozen_now.moment = post.not_before
    assert tasks.upload(post.pk) is True


def test_our_quota_count_matches_what_reached_youtube(youtube, make_rendered):
    post = make_rendered()
    youtube.fail_next("GET", "/youtube/v3/videos", 503, times=2)
    assert tasks.upload(post.pk) is True
    youtube.finish_processing()
    tasks.refresh_stats()

    day = pacific_day(timezone.now())
    assert QuotaUsage.objects.used(day, "inserts") == youtube.inserts_used == 1
    assert QuotaUsage.objects.used(day, "units") == youtube.units_used
