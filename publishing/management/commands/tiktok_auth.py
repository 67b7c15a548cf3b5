"""``manage.py tiktok_auth``: authorise the TikTok account once and store its tokens.

Made for a headless server: the command prints TikTok's authorization URL (Login Kit v2 with
PKCE), the operator opens it in any browser and consents, and pastes back the address the
browser was sent to (the redirect URI need not be served: its query holds the code). The code
is traded for the tokens the TikTok uploader reads from TIKTOK_TOKEN_FILE (mode 600).
"""

from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from publishing.uploaders.base import UploadError
from publishing.uploaders.tiktok_client import (
    SCOPES,
    authorize_url,
    code_exchange,
    code_from_redirect,
    pkce_pair,
    token_save,
)


class Command(BaseCommand):
    help = "Run TikTok's OAuth v2 authorization-code flow (PKCE) and store the tokens (TIKTOK_TOKEN_FILE)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--redirect-uri", default="", help="registered redirect URI (default TIKTOK_REDIRECT_URI)")

    def handle(self, *args, redirect_uri: str, **options) -> None:
        if not (settings.TIKTOK_CLIENT_KEY and settings.TIKTOK_CLIENT_SECRET):
            raise CommandError("set TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET (the app's Credentials page on "
                               "developers.tiktok.com) first.")
        redirect_uri = redirect_uri or settings.TIKTOK_REDIRECT_URI
        state = secrets.token_urlsafe(16)
        verifier, challenge = pkce_pair()
        self.stdout.write(f"Open this address in a browser, log in as the posting account and allow {SCOPES}:\n\n"
                          f"{authorize_url(state=state, challenge=challenge, redirect_uri=redirect_uri)}\n\n"
                          f"TikTok then sends the browser to {redirect_uri}?code=… (the page may not load: "
                          "that is fine). Paste that whole address here.")
        self.stdout.flush()
        try:
            code = code_from_redirect(input("Address: "), state)
            token = code_exchange(code=code, verifier=verifier, redirect_uri=redirect_uri)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        except UploadError as exc:
            raise CommandError(exc.message) from exc
        missing = set(SCOPES.split(",")) - set(token.get("scope", "").split(","))
        if missing:
            self.stderr.write(f"warning: the account did not grant {', '.join(sorted(missing))}; uploads will fail")
        path = Path(settings.TIKTOK_TOKEN_FILE)
        try:
            token_save(token, path)
        except UploadError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"TikTok token for open_id {token.get('open_id', '?')} stored in {path} (mode 600)")
