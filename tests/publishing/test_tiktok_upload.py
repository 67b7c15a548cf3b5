"""TikTok direct posts through the real uploader and requests against the fake TikTok server."""

from __future__ import annotations

import hashlib
import io
import json
import time

import pytest
from django.core.management import call_command

from posts.lifecycle import Failure
from posts.services import post_request_take_down, post_retry
from publishing import tasks
from publishing.metadata import media_path
from publishing.upload import post_upload
from publishing.uploaders.tiktok import TikTokUploader, chunk_plan
from tests.publishing.fake_tiktok import MB, chunk_problem

BIG = 12 * MB + 123  # two chunks of 5 MB, the last one 7 MB and 123 bytes


class Killed(BaseException):
    """The worker dies (SIGKILL): nothing of ours runs after it."""


def _sha(post) -> str:
    return hashlib.sha256(media_path(post.short.video_path).read_bytes()).hexdigest()


def _ranges(fake) -> list[str]:
    return [entry["range"] for entry in fake.requests("/upload/")]


@pytest.mark.parametrize(("size", "wanted", "plan"), [
    (1 * MB, 10 * MB, (1 * MB, 1)),  # under 5 MB: one chunk of its own size
    (BIG, 5 * MB, (5 * MB, 2)),  # the remainder rides on the last chunk
    (BIG, 1 * MB, (5 * MB, 2)),  # never under 5 MB
    (12 * MB, 100 * MB, (12 * MB, 1)),
    (200 * MB, 100 * MB, (64 * MB, 3)),  # never over 64 MB; the last one 72 MB
])
def test_chunk_plans_follow_tiktoks_rules(size, wanted, plan):
    assert chunk_plan(size, wanted) == plan
    chunk, count = plan
    assert chunk_problem({"source": "FILE_UPLOAD", "video_size": size, "chunk_size": chunk,
                          "total_chunk_count": count}) == ""


def test_a_direct_post_asks_creator_info_sends_the_chunks_and_records_the_publish(tiktok, make_rendered):
    post = make_rendered(size=BIG)
    sha = _sha(post)

    assert tasks.upload(post.pk) is True

    post.refresh_from_db()
    upload = post.uploads.get(platform="tiktok")
    [publish] = tiktok.publishes.values()
    assert (post.status, upload.state, upload.video_id) == ("UPLOADED", "uploaded", publish.publish_id)
    assert (upload.processing_status, publish.status) == ("processed", "PUBLISH_COMPLETE")
    assert hashlib.sha256(publish.received).hexdigest() == sha
    assert _ranges(tiktok) == [f"bytes 0-{5 * MB - 1}/{BIG}", f"bytes {5 * MB}-{BIG - 1}/{BIG}"]
    paths = [entry["path"] for entry in tiktok.log if entry["method"] == "POST"]
    assert paths.index("/v2/post/publish/creator_info/query/") < paths.index("/v2/post/publish/video/init/")
    assert publish.post_info["privacy_level"] == "SELF_ONLY"
    assert publish.post_info["title"].startswith("시어머니가 보낸 문자 한 통")


def test_a_small_video_goes_as_one_chunk(tiktok, make_rendered):
    post = make_rendered(size=1_000_000)
    assert tasks.upload(post.pk) is True
    assert _ranges(tiktok) == ["bytes 0-999999/1000000"]


def test_a_worker_killed_between_chunks_is_resumed_on_the_same_publish(tiktok, make_rendered):
    post = make_rendered(size=BIG)
    sha = _sha(post)

    def die_after_first_chunk(sent: int, size: int) -> None:
        raise Killed

    with pytest.raises(Killed):
        post_upload(post, progress=die_after_first_chunk)
    post.refresh_from_db()
    assert post.status == "UPLOADING"
    assert post.uploads.get().session["bytes_sent"] == 5 * MB
    post.apply("release_upload", failure=Failure.UPLOAD_LEASE_EXPIRED)  # what the sweep does

    assert post_upload(post) is True

    [publish] = tiktok.publishes.values()  # one init, one post
    assert hashlib.sha256(publish.received).hexdigest() == sha
    assert _ranges(tiktok) == [f"bytes 0-{5 * MB - 1}/{BIG}", f"bytes {5 * MB}-{BIG - 1}/{BIG}"]


def test_a_chunk_cut_off_is_sent_again_whole(tiktok, make_rendered):
    post = make_rendered(size=BIG)
    sha = _sha(post)
    tiktok.hang_up_in_chunk = 1

    assert tasks.upload(post.pk) is True

    [publish] = tiktok.publishes.values()
    assert hashlib.sha256(publish.received).hexdigest() == sha
    assert _ranges(tiktok)[-2:] == [f"bytes {5 * MB}-{BIG - 1}/{BIG}"] * 2


def test_a_publish_that_fails_in_processing_fails_the_post_with_tiktoks_reason(tiktok, make_rendered):
    post = make_rendered()
    tiktok.outcome = "file_format_check_failed"
    tiktok.polls_to_finish = 3

    assert tasks.upload(post.pk) is False

    post.refresh_from_db()
    upload = post.uploads.get()
    assert (post.status, post.error_code) == ("FAILED", "UPLOAD_REJECTED")
    assert (upload.state, upload.processing_status, upload.processing_reason) == (
        "failed", "failed", "file_format_check_failed")
    assert len(tiktok.requests("/status/fetch/")) == 3


def test_a_publish_still_processing_is_followed_by_the_stats_refresh(tiktok, make_rendered, settings):
    post = make_rendered()
    settings.TIKTOK_STATUS_POLLS = 2
    tiktok.polls_to_finish = 5
    assert tasks.upload(post.pk) is True
    assert post.uploads.get().processing_status == "uploaded"

    for _ in range(3):
        tasks.refresh_stats()

    assert post.uploads.get().processing_status == "processed"
    tasks.refresh_stats()
    assert len(tiktok.requests("/status/fetch/")) == 5  # a finished one is not asked about again


def test_an_expired_access_token_is_refreshed_once_and_saved(tiktok, make_rendered, settings):
    post = make_rendered()
    tiktok.expire_access_tokens()  # the next call answers 401 access_token_invalid

    assert tasks.upload(post.pk) is True

    saved = json.loads(settings.TIKTOK_TOKEN_FILE.read_text())
    assert saved["access_token"] in tiktok.access_tokens
    assert saved["refresh_token"] in tiktok.refresh_tokens and "rft.1" not in tiktok.refresh_tokens
    assert len(tiktok.requests("/v2/oauth/token/")) == 1


def test_a_token_past_its_expiry_is_refreshed_before_the_first_call(tiktok, make_rendered, settings):
    post = make_rendered()
    token = json.loads(settings.TIKTOK_TOKEN_FILE.read_text())
    settings.TIKTOK_TOKEN_FILE.write_text(json.dumps({**token, "expires_at": time.time() - 1}))
    tiktok.expire_access_tokens()

    assert tasks.upload(post.pk) is True

    assert tiktok.log[0]["path"] == "/v2/oauth/token/"


def test_a_revoked_refresh_token_waits_for_a_person_to_authorise_again(tiktok, make_rendered):
    post = make_rendered()
    tiktok.expire_access_tokens()
    tiktok.refresh_tokens.clear()

    assert tasks.upload(post.pk) is False

    post.refresh_from_db()
    upload = post.uploads.get()
    assert (post.status, post.error_code, upload.state) == ("RENDERED", "UPLOAD_AUTH", "waiting")
    assert "manage.py tiktok_auth" in post.error_message
    assert tiktok.publishes == {}


def test_rate_limited_init_backs_off_and_then_posts_once(tiktok, make_rendered, settings):
    post = make_rendered()
    settings.TIKTOK_BACKOFF_SECONDS = 10
    tiktok.inits["act.1"] = [tiktok.now] * 6  # six inits this minute already
    pauses: list[float] = []

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        tiktok.advance(seconds)

    assert post_upload(post, uploader=TikTokUploader(sleep=sleep)) is True

    assert len(tiktok.publishes) == 1
    assert len(tiktok.requests("/video/init/")) == len(pauses) + 1 >= 2
    assert sum(pauses) > 60  # waited the minute out
    assert 5 <= pauses[0] <= 10 and max(pauses) <= 60  # doubling from 10 s with jitter, capped


def test_the_daily_post_cap_is_a_wait_not_a_failure(tiktok, make_rendered, frozen_now):
    post = make_rendered()
    tiktok.daily_cap = 0

    assert tasks.upload(post.pk) is False

    post.refresh_from_db()
    upload = post.uploads.get()
    assert (post.status, post.error_code, upload.state) == ("RENDERED", "UPLOAD_LIMIT", "waiting")
    assert "spam_risk_too_many_posts" in post.error_message and post.not_before > frozen_now.moment
    tiktok.daily_cap = 15  # a day later
    assert tasks.upload(post.pk) is True
    assert len(tiktok.publishes) == 1


def test_an_unaudited_app_cannot_post_publicly(tiktok, make_rendered, settings):
    post = make_rendered()
    settings.TIKTOK_PRIVACY_LEVEL = "PUBLIC_TO_EVERYONE"
    tiktok.privacy_options = ["PUBLIC_TO_EVERYONE", "SELF_ONLY"]

    assert tasks.upload(post.pk) is False

    post.refresh_from_db()
    assert (post.status, post.error_code) == ("FAILED", "UPLOAD_REJECTED")
    assert "unaudited_client_can_only_post_to_private_accounts" in post.error_message


def test_a_privacy_level_the_account_does_not_offer_is_refused_before_init(tiktok, make_rendered):
    post = make_rendered()
    tiktok.privacy_options = ["PUBLIC_TO_EVERYONE"]

    assert tasks.upload(post.pk) is False

    post.refresh_from_db()
    assert post.error_code == "UPLOAD_REJECTED" and "TIKTOK_PRIVACY_LEVEL" in post.error_message
    assert tiktok.requests("/video/init/") == []


def test_a_failure_on_tiktok_keeps_the_youtube_video_and_a_retry_uploads_only_to_tiktok(
    tiktok, youtube, make_rendered, settings
):
    settings.PUBLISH_PLATFORMS = ["youtube", "tiktok"]
    post = make_rendered()
    tiktok.privacy_options = ["PUBLIC_TO_EVERYONE"]  # TikTok refuses; YouTube is fine

    assert tasks.upload(post.pk) is False

    post.refresh_from_db()
    youtube_upload, tiktok_upload = post.uploads.get(platform="youtube"), post.uploads.get(platform="tiktok")
    assert (post.status, post.error_code) == ("FAILED", "UPLOAD_REJECTED")
    assert post.error_message.startswith("tiktok: ")
    assert (youtube_upload.state, tiktok_upload.state) == ("uploaded", "failed")
    assert youtube_upload.video_id in youtube.videos

    tiktok.privacy_options = ["SELF_ONLY"]
    post_retry(post=post, by=None)
    assert tasks.upload(post.pk) is True

    post.refresh_from_db()
    assert post.status == "UPLOADED"
    assert len(youtube.videos) == 1 and len(youtube.requests("POST", "/upload/youtube/v3/videos")) == 1
    assert len(tiktok.publishes) == 1
    assert set(post.uploads.values_list("state", flat=True)) == {"uploaded"}


def test_a_tiktok_cap_waits_while_youtube_is_already_up(tiktok, youtube, make_rendered, settings):
    settings.PUBLISH_PLATFORMS = ["youtube", "tiktok"]
    post = make_rendered()
    tiktok.daily_cap = 0

    assert tasks.upload(post.pk) is False

    post.refresh_from_db()
    assert (post.status, post.error_code) == ("RENDERED", "UPLOAD_LIMIT")
    assert post.uploads.get(platform="youtube").state == "uploaded"
    tiktok.daily_cap = 15
    assert tasks.upload(post.pk) is True
    assert len(youtube.videos) == 1 and len(tiktok.publishes) == 1


def test_take_down_deletes_on_youtube_and_asks_for_tiktok_by_hand(tiktok, youtube, make_rendered, settings):
    settings.PUBLISH_PLATFORMS = ["youtube", "tiktok"]
    post = make_rendered()
    assert tasks.upload(post.pk) is True
    post.refresh_from_db()
    post_request_take_down(post=post, by=None, reason="the author asked")

    assert tasks.take_down(post.pk) is True

    post.refresh_from_db()
    tiktok_upload = post.uploads.get(platform="tiktok")
    assert post.status == "TAKEN_DOWN" and youtube.videos == {}
    assert post.uploads.get(platform="youtube").taken_down_at is not None
    assert tiktok_upload.taken_down_at is None and "delete" in tiktok_upload.error
    assert "TO DO BY HAND" in post.history.get(new="TAKEN_DOWN").reason


def test_the_publish_command_picks_platforms_for_one_run(tiktok, youtube, make_rendered, settings):
    settings.PUBLISH_PLATFORMS = ["youtube"]
    post = make_rendered()

    call_command("publish", str(post.pk), "--platforms", "tiktok", stdout=io.StringIO(), stderr=io.StringIO())

    assert list(post.uploads.values_list("platform", "state")) == [("tiktok", "uploaded")]
    assert youtube.videos == {} and len(tiktok.publishes) == 1


def test_a_publish_that_failed_before_its_bytes_arrived_is_started_again_once(tiktok, make_rendered):
    post = make_rendered(size=BIG)

    def die_after_first_chunk(sent: int, size: int) -> None:
        raise Killed

    with pytest.raises(Killed):
        post_upload(post, progress=die_after_first_chunk)
    [first] = tiktok.publishes.values()
    first.status, first.fail_reason = "FAILED", "internal"  # TikTok gave up on the half-sent upload
    post.refresh_from_db()
    post.apply("release_upload", failure=Failure.UPLOAD_LEASE_EXPIRED)

    assert post_upload(post) is True

    assert len(tiktok.publishes) == 2 and len(tiktok.posted()) == 1
    assert post.uploads.get().video_id == tiktok.posted()[0].publish_id
