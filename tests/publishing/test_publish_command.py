from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from google.oauth2.credentials import Credentials

from posts.models import Post, Status
from publishing.uploaders.youtube_client import load_credentials


def test_publish_uploads_the_named_posts_with_progress(youtube, make_rendered):
    post = make_rendered()
    err, out = io.StringIO(), io.StringIO()

    call_command("publish", str(post.pk), stdout=out, stderr=err)

    lines = err.getvalue().splitlines()
    assert [line.split(": ")[1].split("%")[0] for line in lines[:-1]] == ["26", "52", "78", "100"]
    assert lines[-1].startswith(f"[1/1] post {post.pk}: uploaded https://www.youtube.com/shorts/")
    assert out.getvalue().strip() == "1 uploaded, 0 not uploaded"
    assert Post.objects.get(pk=post.pk).status == "UPLOADED"


def test_publish_all_rendered_goes_best_score_first_and_fails_when_one_fails(youtube, make_rendered):
    low, high = make_rendered(score=1), make_rendered(score=9)
    youtube.fail_next("POST", "/upload/youtube/v3/videos", 400, times=1, reason="invalidVideo")  # hits `high`
    err = io.StringIO()

    with pytest.raises(CommandError, match="1 post"):
        call_command("publish", "--all-rendered", stdout=io.StringIO(), stderr=err)

    assert f"[1/2] post {high.pk}: FAILED UPLOAD_REJECTED" in err.getvalue()
    assert Post.objects.get(pk=low.pk).status == "UPLOADED"


def test_publish_needs_posts_and_refuses_unknown_ids(db):
    with pytest.raises(CommandError, match="--all-rendered"):
        call_command("publish")
    with pytest.raises(CommandError, match="no post with id 999"):
        call_command("publish", "999")


def test_publish_without_a_token_says_how_to_get_one(settings, make_rendered, tmp_path):
    settings.UPLOADER = "youtube"
    settings.YOUTUBE_API_ROOT = ""
    settings.YOUTUBE_TOKEN_FILE = tmp_path / "none.json"
    post = make_rendered()
    with pytest.raises(CommandError, match="youtube_auth"):
        call_command("publish", str(post.pk))
    assert Post.objects.get(pk=post.pk).status == "RENDERED"


def test_youtube_auth_without_a_client_secret_explains_the_console_steps(settings, tmp_path):
    settings.YOUTUBE_CLIENT_SECRET_FILE = tmp_path / "missing.json"
    with pytest.raises(CommandError, match="Desktop app"):
        call_command("youtube_auth")


def test_youtube_auth_stores_a_private_refresh_token(settings, tmp_path, monkeypatch):
    from google_auth_oauthlib.flow import InstalledAppFlow

    secret = tmp_path / "client_secret.json"
    secret.write_text(json.dumps({"installed": {
        "client_id": "c", "client_secret": "s", "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token", "redirect_uris": ["http://localhost"]}}))
    settings.YOUTUBE_CLIENT_SECRET_FILE = secret
    settings.YOUTUBE_TOKEN_FILE = tmp_path / "secrets" / "token.json"

    def consent_given(self, **kwargs):  # the seam: Google's consent page in a browser
        assert kwargs["access_type"] == "offline"
        return Credentials("access", refresh_token="refresh", token_uri="https://oauth2.googleapis.com/token",
                           client_id="c", client_secret="s", scopes=self.oauth2session.scope,
                           expiry=datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=1))

    monkeypatch.setattr(InstalledAppFlow, "run_local_server", consent_given)

    call_command("youtube_auth", stdout=io.StringIO())

    token = Path(settings.YOUTUBE_TOKEN_FILE)
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
    assert load_credentials().refresh_token == "refresh"


def test_fake_server_runs_as_its_own_process_for_the_e2e_test(settings, make_rendered, tmp_path, monkeypatch):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    root = Path(__file__).resolve().parents[2]
    server = subprocess.Popen([sys.executable, "-m", "tests.publishing.fake_youtube", "--port", str(port)],
                              cwd=root, stdout=subprocess.PIPE, text=True, env={**os.environ})
    try:
        assert "listening" in server.stdout.readline()
        settings.UPLOADER = "youtube"
        settings.YOUTUBE_API_ROOT = f"http://127.0.0.1:{port}/"
        settings.YOUTUBE_TOKEN_FILE = tmp_path / "none.json"
        post = make_rendered()

        call_command("publish", str(post.pk), stdout=io.StringIO(), stderr=io.StringIO())

        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_fake/videos") as answer:
            [video] = json.load(answer)["items"]
        assert video["id"] == Post.objects.get(pk=post.pk).uploads.get().video_id
        assert video["bytes"] == 1_000_000
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_publish_of_a_post_that_is_not_rendered_says_why_and_uploads_nothing(youtube, make_rendered):
    from tests.factories import make_post

    rendered, approved = make_rendered(), make_post(status=Status.APPROVED)

    with pytest.raises(CommandError, match=f"only RENDERED posts can be published: post {approved.pk} is APPROVED"):
        call_command("publish", str(rendered.pk), str(approved.pk), stdout=io.StringIO(), stderr=io.StringIO())

    rendered.refresh_from_db()
    assert rendered.status == Status.RENDERED
