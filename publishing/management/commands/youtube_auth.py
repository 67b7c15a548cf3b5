"""``manage.py youtube_auth``: authorise the channel once and store the refresh token."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from publishing.uploaders.youtube_client import SCOPES, token_save


class Command(BaseCommand):
    help = "Run Google's installed-app OAuth flow and store the YouTube refresh token (YOUTUBE_TOKEN_FILE)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", type=int, default=0, help="local redirect port (0: any free port)")
        parser.add_argument("--no-browser", action="store_true", help="print the URL instead of opening a browser")

    def handle(self, *args, port: int, no_browser: bool, **options) -> None:
        from google_auth_oauthlib.flow import InstalledAppFlow

        secret = Path(settings.YOUTUBE_CLIENT_SECRET_FILE)
        if not secret.is_file():
            raise CommandError(
                f"no OAuth client secret at {secret}. In Google Cloud console create an OAuth client of "
                "type 'Desktop app' for a project with the YouTube Data API v3 enabled, download its JSON "
                "there (or set YOUTUBE_CLIENT_SECRET_FILE)."
            )
        flow = InstalledAppFlow.from_client_secrets_file(str(secret), scopes=SCOPES)
        # offline + consent: Google returns a refresh token even if this account authorised before.
        credentials = flow.run_local_server(
            port=port, open_browser=not no_browser, access_type="offline", prompt="consent"
        )
        if not credentials.refresh_token:
            raise CommandError("Google returned no refresh token; revoke the app's access and run this again.")
        token = Path(settings.YOUTUBE_TOKEN_FILE)
        token_save(credentials, token)
        self.stdout.write(f"YouTube token stored in {token} (mode 600)")
