"""``manage.py tiktok_auth`` against the fake TikTok: print the login, take the pasted URL, store tokens."""

from __future__ import annotations

import hashlib
import json
import re
import stat
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import CommandError, call_command

from publishing import tasks

REDIRECT = "http://127.0.0.1:3455/callback/"


@pytest.fixture
def new_token(settings, tiktok, tmp_path):
    """No token yet: the account was never authorised on this server."""
    settings.TIKTOK_TOKEN_FILE = tmp_path / "secrets" / "tiktok_token.json"
    settings.TIKTOK_REDIRECT_URI = REDIRECT
    return settings.TIKTOK_TOKEN_FILE


def operator(monkeypatch, out: StringIO, answer):
    """Play the person at the terminal: open the printed URL, paste back what ``answer`` makes of it."""
    def pasted(prompt: str = "") -> str:
        [url] = re.findall(r"https://www\.tiktok\.com/v2/auth/authorize/\?\S+", out.getvalue())
        return answer(url)

    monkeypatch.setattr("builtins.input", pasted)


def test_the_login_uses_pkce_and_stores_tokens_the_uploader_then_posts_with(
        new_token, tiktok, monkeypatch, make_rendered):
    out, seen = StringIO(), {}

    def consent(url: str) -> str:
        seen.update({key: values[0] for key, values in parse_qs(urlsplit(url).query).items()})
        return tiktok.authorize(url)

    operator(monkeypatch, out, consent)
    call_command("tiktok_auth", stdout=out)

    assert seen["client_key"] == tiktok.client_key and seen["redirect_uri"] == REDIRECT
    assert seen["scope"] == "video.publish,video.upload" and seen["response_type"] == "code"
    assert seen["code_challenge_method"] == "S256" and len(seen["state"]) >= 16
    exchange = tiktok.requests("/v2/oauth/token/")[-1]
    assert exchange["method"] == "POST"
    token = json.loads(new_token.read_text())
    assert token["open_id"] == "open-2" and token["refresh_token"] in tiktok.refresh_tokens
    assert token["expires_at"] > 0 and token["refresh_expires_at"] > token["expires_at"]
    assert stat.S_IMODE(new_token.stat().st_mode) == 0o600
    assert "stored in" in out.getvalue()

    post = make_rendered()
    assert tasks.upload(post.pk) is True
    assert tiktok.requests("/video/init/")[-1]["token"] == token["access_token"]


def test_the_challenge_is_tiktoks_hex_sha256_of_the_verifier_it_exchanges(new_token, tiktok, monkeypatch):
    out, challenges = StringIO(), []

    def consent(url: str) -> str:
        challenges.append(parse_qs(urlsplit(url).query)["code_challenge"][0])
        return tiktok.authorize(url)

    operator(monkeypatch, out, consent)
    call_command("tiktok_auth", stdout=out)

    verifier = parse_qs(tiktok.requests("/v2/oauth/token/")[-1]["body"].decode())["code_verifier"][0]
    assert challenges == [hashlib.sha256(verifier.encode()).hexdigest()]
    assert 43 <= len(verifier) <= 128


def test_a_url_from_another_login_is_refused_and_nothing_is_written(new_token, tiktok, monkeypatch):
    out = StringIO()
    operator(monkeypatch, out, lambda url: tiktok.authorize(url.replace("state=", "state=other")))

    with pytest.raises(CommandError, match="state"):
        call_command("tiktok_auth", stdout=out)
    assert not new_token.exists()
    assert tiktok.requests("/v2/oauth/token/") == []


def test_a_denied_consent_says_tiktoks_reason(new_token, tiktok, monkeypatch):
    out = StringIO()
    operator(monkeypatch, out, lambda url: tiktok.authorize(url, allow=False))

    with pytest.raises(CommandError, match="denied"):
        call_command("tiktok_auth", stdout=out)
    assert not new_token.exists()


def test_a_code_pasted_twice_is_refused_by_tiktok(new_token, tiktok, monkeypatch):
    out, urls = StringIO(), []

    def consent(url: str) -> str:
        urls.append(tiktok.authorize(url))
        return urls[0]

    operator(monkeypatch, out, consent)
    call_command("tiktok_auth", stdout=out)
    new_token.unlink()
    out.truncate(0)
    out.seek(0)
    # The second run has a new state: the operator pastes the old URL with the new run's state.
    operator(monkeypatch, out, lambda url: urls[0].replace(
        parse_qs(urlsplit(urls[0]).query)["state"][0], parse_qs(urlsplit(url).query)["state"][0]))

    with pytest.raises(CommandError, match="refused the code"):
        call_command("tiktok_auth", stdout=out)
    assert not new_token.exists()


def test_without_the_apps_credentials_the_command_says_what_to_set(settings):
    settings.TIKTOK_CLIENT_KEY = ""
    with pytest.raises(CommandError, match="TIKTOK_CLIENT_KEY"):
        call_command("tiktok_auth", stdout=StringIO())
