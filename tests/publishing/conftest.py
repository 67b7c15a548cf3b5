"""Publishing fixtures: rendered posts with real files, and the fake YouTube and TikTok servers."""

from __future__ import annotations

import json
import time
from datetime import datetime

import pytest
from django.utils import timezone

from generation.models import Short
from posts.models import Post

VIDEO_BYTES = 1_000_000  # four 256 KiB chunks, the last one short


@pytest.fixture
def youtube(settings, fake_youtube, tmp_path):
    """The real client pointed at the fake server: no token, small chunks, tiny backoff."""
    settings.UPLOADER = "youtube"
    settings.YOUTUBE_API_ROOT = fake_youtube.url
    settings.YOUTUBE_TOKEN_FILE = tmp_path / "no-token.json"
    settings.YOUTUBE_CHUNK_BYTES = 256 * 1024
    settings.YOUTUBE_BACKOFF_SECONDS = 0.001
    settings.YOUTUBE_HTTP_TIMEOUT = 10
    return fake_youtube


@pytest.fixture
def tiktok(settings, tmp_path):
    """The fake TikTok server, a valid user token, 5 MB chunks and no real pauses."""
    from tests.publishing.fake_tiktok import MB, FakeTikTok

    fake = FakeTikTok().start()
    token = tmp_path / "tiktok_token.json"
    token.write_text(json.dumps({"access_token": "act.1", "refresh_token": "rft.1", "open_id": "open-1",
                                 "expires_at": time.time() + 86400}))
    settings.PUBLISH_PLATFORMS = ["tiktok"]
    settings.TIKTOK_API_ROOT = fake.url
    settings.TIKTOK_TOKEN_FILE = token
    settings.TIKTOK_CLIENT_KEY, settings.TIKTOK_CLIENT_SECRET = fake.client_key, fake.client_secret
    settings.TIKTOK_CHUNK_BYTES = 5 * MB
    settings.TIKTOK_BACKOFF_SECONDS = 0.001
    settings.TIKTOK_POLL_SECONDS = 0
    settings.TIKTOK_HTTP_TIMEOUT = 10
    yield fake
    fake.stop()


@pytest.fixture
def make_rendered(db, settings):
    counter = iter(range(1, 10_000))

    def make(*, score: float = 1.0, title: str = "시어머니가 보낸 문자 한 통", size: int = VIDEO_BYTES) -> Post:
        n = next(counter)
        post = Post.objects.create(
            site_code="nate_pann", origin_id=f"o{n}", url=f"https://pann.nate.com/talk/{n}", title=title, score=score
        )
        post.apply("approve")
        post.apply("claim_generation")
        folder = settings.MEDIA_ROOT / "posts" / str(post.pk)
        folder.mkdir(parents=True)
        (folder / "video.mp4").write_bytes(bytes(range(256)) * (size // 256) + b"\0" * (size % 256))
        (folder / "thumbnail.jpg").write_bytes(b"\xff\xd8\xff\xe0fake-jpeg\xff\xd9")
        Short.objects.create(
            post=post, title=title, script="결혼 3년 차인데 시어머니가 새벽에 문자를 보냈습니다.",
            tags=["시어머니", "결혼"], video_path=f"posts/{post.pk}/video.mp4",
            thumbnail_path=f"posts/{post.pk}/thumbnail.jpg",
        )
        post.apply("mark_rendered")
        return post

    return make


class Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def frozen_now(monkeypatch):
    """Freeze ``django.utils.timezone.now`` (the one clock seam); move it with ``clock.moment = …``."""
    clock = Clock(timezone.now())
    monkeypatch.setattr(timezone, "now", clock)
    return clock
