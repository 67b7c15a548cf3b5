"""Credentials and the API client for YouTube Data API v3, built without network discovery.

The discovery document is the one shipped inside google-api-python-client; YOUTUBE_API_ROOT
rewrites its rootUrl so the same code talks to the fake server of the tests and the E2E run.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import httplib2
from django.conf import settings
from google.auth.exceptions import GoogleAuthError, RefreshError, TransportError
from google.auth.transport.requests import Request
from google.oauth2.credentials import Credentials
from google_auth_httplib2 import AuthorizedHttp
from googleapiclient import discovery_cache
from googleapiclient.discovery import build_from_document
from googleapiclient.http import build_http

from publishing.uploaders.base import AuthError, UploadError

SCOPES = [
    "https://www.googleapis.com/auth/youtube.upload",
    # videos.list of the channel's uploads, thumbnails.set and videos.delete (take-down).
    "https://www.googleapis.com/auth/youtube",
]
AUTH_HINT = "run `python manage.py youtube_auth` on a machine with a browser"


def discovery_document() -> dict:
    doc = json.loads(discovery_cache.get_static_doc("youtube", "v3"))
    root = settings.YOUTUBE_API_ROOT
    if root:
        root = root.rstrip("/") + "/"
        doc.update(rootUrl=root, mtlsRootUrl=root, baseUrl=root + doc.get("servicePath", ""))
    return doc


def token_problem() -> str:
    """Why no token can be used, without touching the network ("" when a token file exists)."""
    path = Path(settings.YOUTUBE_TOKEN_FILE)
    if path.is_file() or settings.YOUTUBE_API_ROOT:
        return ""
    return f"no YouTube token at {path}: {AUTH_HINT}"


class StoredCredentials(Credentials):
    """User credentials that write themselves back to the token file after every refresh.

    The transport refreshes by itself when YouTube answers 401; without saving, every process
    started from the stale file refreshed again.
    """

    path: Path | None = None

    def refresh(self, request) -> None:
        super().refresh(request)
        if self.path is not None:
            token_save(self, self.path)


def load_credentials() -> Credentials:
    """The stored user credentials, refreshed when expired; ``AuthError`` names the fix."""
    path = Path(settings.YOUTUBE_TOKEN_FILE)
    if not path.is_file():
        raise AuthError(f"no YouTube token at {path}: {AUTH_HINT}")
    try:
        stored = StoredCredentials.from_authorized_user_file(str(path), SCOPES)
    except (ValueError, json.JSONDecodeError) as exc:
        raise AuthError(f"YouTube token {path} is unreadable ({exc}): {AUTH_HINT}") from exc
    # google-auth ignores the file's token_uri and always uses Google's: the setting is the seam
    # that points the refresh at another endpoint (the tests' fake). The copy drops the expiry.
    credentials = stored.with_token_uri(settings.YOUTUBE_TOKEN_URI)
    credentials.expiry, credentials.path = stored.expiry, path
    if not credentials.valid:
        credentials_refresh(credentials, path)
    return credentials


def credentials_refresh(credentials: Credentials, path: Path) -> None:
    if not credentials.refresh_token:
        raise AuthError(f"YouTube token {path} has no refresh token: {AUTH_HINT}")
    try:
        credentials.refresh(Request())
    except GoogleAuthError as exc:
        raise auth_failure(exc) from exc


def auth_failure(exc: GoogleAuthError) -> UploadError:
    """A refused login (a person must act) or an outage of Google's token endpoint (wait)."""
    if isinstance(exc, TransportError) or (isinstance(exc, RefreshError) and exc.retryable):
        # Network down or the endpoint answered 5xx: the token is fine, running youtube_auth
        # would not help.
        return UploadError(f"Google's token endpoint is unavailable ({exc}); will retry")
    # invalid_grant: the user revoked access, or a "Testing" consent screen let it expire.
    return AuthError(f"YouTube token was revoked or has expired ({exc}): {AUTH_HINT}")


def token_save(credentials: Credentials, path: Path) -> None:
    """Store the (refreshed) token; an unwritable folder is a login problem the admin shows."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")  # two workers refreshing at once
        tmp.write_text(credentials.to_json(), encoding="utf-8")
        os.chmod(tmp, 0o600)
        tmp.replace(path)
    except OSError as exc:
        raise AuthError(f"cannot write the YouTube token to {path} (YOUTUBE_TOKEN_FILE): {exc}") from exc


def transport() -> httplib2.Http:
    """An httplib2 transport that leaves 308 alone.

    Plain ``httplib2.Http`` follows 308 as a redirect; a resumable upload uses 308 to say
    "resume incomplete", so ``build_http`` removes it from the redirect codes.
    """
    http = build_http()
    http.timeout = settings.YOUTUBE_HTTP_TIMEOUT
    if settings.YOUTUBE_API_ROOT and not Path(settings.YOUTUBE_TOKEN_FILE).is_file():
        return http
    return AuthorizedHttp(load_credentials(), http=http)


def client_build():
    return build_from_document(discovery_document(), http=transport())
