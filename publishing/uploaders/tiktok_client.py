"""TikTok's user token and one JSON call of the Content Posting API, with refresh and back-off.

The token file (``TIKTOK_TOKEN_FILE``) holds what TikTok's token endpoint answered —
``access_token``, ``refresh_token``, ``open_id`` — plus ``expires_at``/``refresh_expires_at``
(epoch seconds) computed from ``expires_in``/``refresh_expires_in``. A refresh writes the file
back at once: TikTok rotates refresh tokens, so the old one stops working once a new one is issued.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import requests
from django.conf import settings

from publishing.uploaders.base import AuthError, UploadError, UploadLimited

log = logging.getLogger(__name__)
TOKEN_PATH = "/v2/oauth/token/"
AUTH_HINT = "run `python manage.py tiktok_auth` to authorise the account again"
# Login Kit's authorization page; the code it gives is traded at TOKEN_PATH of TIKTOK_API_ROOT.
AUTHORIZE_URL = "https://www.tiktok.com/v2/auth/authorize/"
SCOPES = "video.publish,video.upload"
# Refresh this long before the access token runs out rather than spend a call on a 401.
EXPIRY_MARGIN_SECONDS = 300
BACKOFF_CAP_SECONDS = 60
# The account posted as much as TikTok allows for now (a day's posts, the app's daily active
# users): wait and try again, never a permanent failure.
CAP_CODES = frozenset({"spam_risk_too_many_posts", "spam_risk_too_many_pending_share", "reached_active_user_cap"})
AUTH_CODES = frozenset({"access_token_invalid", "scope_not_authorized", "scope_permission_missed"})
RETRY_CODES = frozenset({"rate_limit_exceeded", "internal_error"})


def token_problem() -> str:
    """Why TikTok cannot be used, without touching the network ("" when it can be tried)."""
    if not Path(settings.TIKTOK_TOKEN_FILE).is_file():
        return f"no TikTok token at {settings.TIKTOK_TOKEN_FILE}: {AUTH_HINT}"
    if not (settings.TIKTOK_CLIENT_KEY and settings.TIKTOK_CLIENT_SECRET):
        return "TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET are needed to refresh the TikTok token"
    return ""


def backoff(attempt: int) -> float:
    """Seconds before retry ``attempt`` (0-based): doubling from TIKTOK_BACKOFF_SECONDS, capped, jittered."""
    ceiling = min(BACKOFF_CAP_SECONDS, settings.TIKTOK_BACKOFF_SECONDS * 2**attempt)
    return ceiling * random.uniform(0.5, 1.0)


class TikTokClient:
    def __init__(self, *, sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.time) -> None:
        self.http = requests.Session()
        self.sleep = sleep
        self.clock = clock
        self.root = settings.TIKTOK_API_ROOT.rstrip("/")
        self._token: dict | None = None

    # Token --------------------------------------------------------------------------------

    @property
    def token(self) -> dict:
        if self._token is None:
            self._token = token_load()
        if self._token.get("expires_at", 0) < self.clock() + EXPIRY_MARGIN_SECONDS:
            self.refresh()
        return self._token

    def refresh(self) -> None:
        """Trade the refresh token for new tokens and save them; ``AuthError`` when a person must act."""
        stored = self._token if self._token is not None else token_load()
        form = {"client_key": settings.TIKTOK_CLIENT_KEY, "client_secret": settings.TIKTOK_CLIENT_SECRET,
                "grant_type": "refresh_token", "refresh_token": stored.get("refresh_token", "")}
        try:
            resp = self.http.post(self.root + TOKEN_PATH, data=form, timeout=settings.TIKTOK_HTTP_TIMEOUT)
            answer = resp.json()
        except (requests.RequestException, ValueError) as exc:
            raise UploadError(f"TikTok's token endpoint is unavailable ({exc}); will retry") from exc
        if resp.status_code >= 500:
            raise UploadError(f"TikTok's token endpoint answered {resp.status_code}; will retry")
        if "access_token" not in answer:
            # invalid_grant: the refresh token expired (365 days), was rotated away or revoked.
            reason = answer.get("error_description") or answer.get("error") or resp.status_code
            raise AuthError(f"TikTok refused the refresh token ({reason}): {AUTH_HINT}")
        self._token = {**stored, **token_stamped(answer, self.clock())}
        token_save(self._token, Path(settings.TIKTOK_TOKEN_FILE))
        log.info("TikTok access token refreshed")

    # Calls --------------------------------------------------------------------------------

    def call(self, path: str, body: dict) -> dict:
        """POST ``body`` to a Content Posting endpoint; its ``data``, or the error mapped to ours.

        A 401 or ``access_token_invalid`` refreshes the token once; ``rate_limit_exceeded`` and 5xx
        wait with back-off. TikTok answers ``{"data": …, "error": {"code", "message", "log_id"}}``.
        """
        refreshed = False
        for attempt in range(settings.TIKTOK_MAX_RETRIES + 1):
            headers = {"Authorization": f"Bearer {self.token['access_token']}",
                       "Content-Type": "application/json; charset=UTF-8"}
            try:
                resp = self.http.post(self.root + path, json=body, headers=headers,
                                      timeout=settings.TIKTOK_HTTP_TIMEOUT)
                answer = resp.json()
            except (requests.RequestException, ValueError) as exc:
                failure = f"{type(exc).__name__}: {exc}"
            else:
                error = answer.get("error") or {}
                code = error.get("code", "ok")
                if resp.status_code == 200 and code == "ok":
                    return answer.get("data") or {}
                if (resp.status_code == 401 or code == "access_token_invalid") and not refreshed:
                    self.refresh()
                    refreshed = True
                    continue
                if resp.status_code < 500 and code not in RETRY_CODES:
                    raise call_failure(resp.status_code, code, error.get("message", ""))
                failure = f"HTTP {resp.status_code} {code}"
            if attempt == settings.TIKTOK_MAX_RETRIES:
                break
            log.warning("TikTok %s failed (%s), retry %d", path, failure, attempt + 1)
            self.sleep(backoff(attempt))
        raise UploadError(f"TikTok {path} gave up after {settings.TIKTOK_MAX_RETRIES + 1} tries: {failure}")

    def put(self, url: str, data: bytes, headers: dict) -> int:
        """One chunk to the upload URL; network errors and 5xx are retried, the status returned."""
        for attempt in range(settings.TIKTOK_MAX_RETRIES + 1):
            try:
                resp = self.http.put(url, data=data, headers=headers, timeout=settings.TIKTOK_HTTP_TIMEOUT)
            except requests.RequestException as exc:
                failure = f"{type(exc).__name__}: {exc}"
            else:
                if resp.status_code < 500 and resp.status_code != 429:
                    return resp.status_code
                failure = f"HTTP {resp.status_code}"
            if attempt == settings.TIKTOK_MAX_RETRIES:
                break
            log.warning("TikTok chunk %s failed (%s), retry %d", headers.get("Content-Range"), failure, attempt + 1)
            self.sleep(backoff(attempt))
        raise UploadError(f"TikTok chunk upload gave up: {failure}")


def call_failure(status: int, code: str, message: str) -> UploadError:
    text = f"TikTok answered {status} {code}: {message}".rstrip(": ")
    if code in CAP_CODES:
        return UploadLimited(text)
    if code in AUTH_CODES or status == 401:
        return AuthError(f"{text}: {AUTH_HINT}")
    return UploadError(text, permanent=True)


def token_load() -> dict:
    path = Path(settings.TIKTOK_TOKEN_FILE)
    try:
        token = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise AuthError(f"no TikTok token at {path}: {AUTH_HINT}") from exc
    except (OSError, ValueError) as exc:
        raise AuthError(f"TikTok token {path} is unreadable ({exc}): {AUTH_HINT}") from exc
    if not token.get("refresh_token"):
        raise AuthError(f"TikTok token {path} has no refresh token: {AUTH_HINT}")
    return token


def token_save(token: dict, path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")  # two workers refreshing at once
        tmp.write_text(json.dumps(token), encoding="utf-8")
        os.chmod(tmp, 0o600)
        tmp.replace(path)
    except OSError as exc:
        raise AuthError(f"cannot write the TikTok token to {path} (TIKTOK_TOKEN_FILE): {exc}") from exc


def token_stamped(answer: dict, now: float) -> dict:
    """The token endpoint's answer with its lifetimes turned into epoch seconds."""
    return {**answer, "expires_at": now + int(answer.get("expires_in", 0)),
            "refresh_expires_at": now + int(answer.get("refresh_expires_in", 0))}


# Authorization (``manage.py tiktok_auth``) ---------------------------------------------------


def pkce_pair() -> tuple[str, str]:
    """A PKCE code_verifier and its S256 challenge as TikTok computes it: the SHA-256 in hex,
    where RFC 7636 says base64url (a base64url challenge fails the exchange)."""
    verifier = secrets.token_urlsafe(48)  # 64 characters of A-Z a-z 0-9 - _
    return verifier, hashlib.sha256(verifier.encode()).hexdigest()


def authorize_url(*, state: str, challenge: str, redirect_uri: str) -> str:
    query = {"client_key": settings.TIKTOK_CLIENT_KEY, "scope": SCOPES, "response_type": "code",
             "redirect_uri": redirect_uri, "state": state, "code_challenge": challenge,
             "code_challenge_method": "S256"}
    return f"{AUTHORIZE_URL}?{urlencode(query)}"


def code_from_redirect(url: str, state: str) -> str:
    """The authorization code in the URL TikTok redirected the browser to; ``ValueError`` says why not."""
    query = {key: values[0] for key, values in parse_qs(urlsplit(url.strip()).query).items()}
    if "error" in query:
        raise ValueError(f"TikTok refused the authorization: {query.get('error_description') or query['error']}")
    if query.get("state") != state:
        raise ValueError("the state in the URL is not this run's: paste the URL of the login this command printed")
    if not query.get("code"):
        raise ValueError("the URL carries no code: paste the whole address TikTok redirected to")
    return query["code"]


def code_exchange(*, code: str, verifier: str, redirect_uri: str, now: float | None = None) -> dict:
    """Trade the authorization code for the account's tokens, stamped as the token file keeps them."""
    form = {"client_key": settings.TIKTOK_CLIENT_KEY, "client_secret": settings.TIKTOK_CLIENT_SECRET,
            "code": code, "grant_type": "authorization_code", "redirect_uri": redirect_uri,
            "code_verifier": verifier}
    root = settings.TIKTOK_API_ROOT.rstrip("/")
    try:
        resp = requests.post(root + TOKEN_PATH, data=form, timeout=settings.TIKTOK_HTTP_TIMEOUT)
        answer = resp.json()
    except (requests.RequestException, ValueError) as exc:
        raise UploadError(f"TikTok's token endpoint is unavailable ({exc})") from exc
    if "access_token" not in answer:
        reason = answer.get("error_description") or answer.get("error") or resp.status_code
        raise AuthError(f"TikTok refused the code ({reason})")
    return token_stamped(answer, time.time() if now is None else now)
