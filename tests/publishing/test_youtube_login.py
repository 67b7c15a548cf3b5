"""The login path against the fake's OAuth token endpoint: 401, refresh, saving, revoked, outage."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from publishing import tasks
from publishing.models import QuotaUsage
from publishing.quota import pacific_day


def _token_file(tmp_path, *, token: str, expiry: datetime) -> object:
    path = tmp_path / "token.json"
    path.write_text(json.dumps({"token": token, "refresh_token": "refresh-1", "client_id": "c",
                                "client_secret": "s", "expiry": expiry.strftime("%Y-%m-%dT%H:%M:%SZ")}))
    return path


@pytest.fixture
def login(youtube, settings, tmp_path):
    """The fake asks for a bearer token; our token file holds one it never issued (as after a restart)."""
    youtube.require_auth = True
    settings.YOUTUBE_TOKEN_URI = youtube.url + "token"
    settings.YOUTUBE_TOKEN_FILE = _token_file(tmp_path, token="stale", expiry=datetime.now(UTC) + timedelta(hours=1))
    return settings.YOUTUBE_TOKEN_FILE


def test_a_401_refreshes_the_token_uploads_and_saves_the_new_token(login, youtube, make_rendered):
    post = make_rendered()

    assert tasks.upload(post.pk) is True

    saved = json.loads(login.read_text())["token"]
    assert saved != "stale" and saved in youtube.access_tokens
    assert len(youtube.requests("POST", "/token")) == 1
    post2 = make_rendered()
    assert tasks.upload(post2.pk) is True
    assert len(youtube.requests("POST", "/token")) == 1  # the next run used the saved token


def test_an_expired_token_is_refreshed_at_start_through_the_configured_token_endpoint(
    login, youtube, make_rendered, settings, tmp_path
):
    settings.YOUTUBE_TOKEN_FILE = _token_file(tmp_path, token="old", expiry=datetime(2020, 1, 1, tzinfo=UTC))
    post = make_rendered()

    assert tasks.upload(post.pk) is True
    assert json.loads(settings.YOUTUBE_TOKEN_FILE.read_text())["token"] in youtube.access_tokens


def test_a_revoked_refresh_token_asks_for_youtube_auth_and_counts_no_insert(login, youtube, make_rendered):
    youtube.refresh_tokens.clear()  # the user revoked the app's access
    post = make_rendered()

    assert tasks.upload(post.pk) is False

    post.refresh_from_db()
    assert (post.status, post.error_code) == ("RENDERED", "UPLOAD_AUTH")
    assert "manage.py youtube_auth" in post.error_message
    assert QuotaUsage.objects.used(pacific_day(timezone.now()), "inserts") == 0
    assert youtube.inserts_used == 0 and youtube.videos == {}


def test_an_unreachable_token_endpoint_is_an_outage_retried_later_not_a_login_problem(
    login, make_rendered, settings, tmp_path
):
    settings.YOUTUBE_TOKEN_URI = "http://127.0.0.1:1/token"  # nothing listens: connection refused
    settings.YOUTUBE_TOKEN_FILE = _token_file(tmp_path, token="old", expiry=datetime(2020, 1, 1, tzinfo=UTC))
    post = make_rendered()

    assert tasks.upload(post.pk) is False

    post.refresh_from_db()
    assert (post.status, post.error_code) == ("RENDERED", "UPLOAD_RETRY")
    assert "youtube_auth" not in post.error_message


def test_a_token_endpoint_answering_503_is_an_outage_retried_later(login, youtube, make_rendered):
    youtube.fail_next("POST", "/token", 503, times=100)
    post = make_rendered()

    assert tasks.upload(post.pk) is False

    post.refresh_from_db()
    assert (post.status, post.error_code) == ("RENDERED", "UPLOAD_RETRY")
    assert "youtube_auth" not in post.error_message
    assert youtube.inserts_used == 0
