"""A video post from crawl to a rendered short: the clip fetched and probed, its speech heard by
an STT engine, the low-confidence transcript held for a person, and once confirmed, the narration
written from what was said over the clip, its own sound ducked under the voice."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from django_q.conf import Conf

from crawling.base import ListItem
from crawling.clips import clips_cache_run
from crawling.fixture_server import FixtureServer
from crawling.registry import CRAWLERS
from crawling.saving import posts_save
from generation import stt
from generation.pipeline import post_generate
from generation.services import transcripts_confirm
from posts.lifecycle import Failure
from posts.models import Comment, Post
from posts.models import Status as S
from posts.services import post_move
from tests.crawling.conftest import FIXTURES, expected
from tests.generation.media import FFPROBE, media_tools  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db
# What the fixture clip's espeak-ng voice says; the person types it in place of what was heard.
SPOKEN = "고양이가 아침마다 얼굴을 밟아서 깨워요."


class Weak(stt.Engine):
    """An offline engine as weak as Vosk's small Korean model: half the words wrong, low confidence."""

    name = "weak"
    calls = 0

    def recognize(self, wav, *, timeout):
        Weak.calls += 1
        return stt.Recognition(text="고양이가 아침 마다 얼굴 발라서 깨어요", engine=self.name, model="fake",
                               confidence=0.41, low_confidence=True)


@pytest.fixture
def weak_stt(settings, monkeypatch):
    Weak.calls = 0
    monkeypatch.setitem(stt.ENGINES, "weak", Weak)
    settings.STT_ENGINES = ["weak"]


def ffprobe(path: Path) -> dict:
    done = subprocess.run([FFPROBE, "-v", "error", "-print_format", "json", "-show_streams", "-show_format",
                           str(path)], check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


def crawl_video_post(site: str) -> Post:
    """The crawl's own steps for one post page: fetch, parse, save, then (fixture mode) its clip."""
    want = next(post for post in expected(site)["posts"] if post.get("clips"))
    with FixtureServer(FIXTURES) as server:
        crawler = CRAWLERS[site](base_url=server.base_url(site), robots_policy="ignore")
        try:
            posts_save(site, [crawler.post_fetch(ListItem(origin_id=want["origin_id"], url=want["url"], title=""))])
            post = Post.objects.get(site_code=site, origin_id=want["origin_id"])
            assert clips_cache_run(crawler, [post]) == 1
        finally:
            crawler.close()
    return post


def test_a_crawled_video_post_waits_for_its_transcript_and_renders_over_its_clip_once_confirmed(
    media_tools, weak_stt, settings, monkeypatch, django_capture_on_commit_callbacks,  # noqa: F811
):
    settings.SCRIPT_WRITER, settings.SCRIPT_LLM_MODEL, settings.TTS_ENGINES = "extractive", "", ["espeak"]
    post = crawl_video_post("clien")
    Comment.objects.filter(post=post).delete()  # no comments read out: the render stays short
    post_move(post=post, move="approve")

    assert post_generate(post) is False

    post.refresh_from_db()
    transcript = post.transcripts.get()
    assert (post.status, post.error_code) == (S.FAILED, Failure.TRANSCRIPT_UNCONFIRMED.code)
    assert transcript.low_confidence and transcript.confirmed_at is None
    assert transcript.source == post.videos[0] and transcript.chain.startswith("highpass=f=200")
    assert not Post.objects.auto_retryable(timezone.now() + timezone.timedelta(days=1)).filter(pk=post.pk).exists()
    meta = post.short.generation_meta
    assert (set(meta["stages"]), meta["current"]["stage"]) == ({"clip"}, "transcript")  # failed there

    transcript.corrected_text = SPOKEN
    transcript.save()
    person = get_user_model().objects.create_user("moderator")
    monkeypatch.setattr(Conf, "SYNC", True)
    with django_capture_on_commit_callbacks(execute=True):
        assert transcripts_confirm(post=post, by=person) == 1  # queues the generation again, run inline

    post.refresh_from_db()
    short = post.short
    assert post.status == S.RENDERED, post.error_message
    assert Weak.calls == 1  # the confirmed transcript was used, not heard again
    assert SPOKEN.rstrip(".") in short.script
    assert short.generation_meta["engines"]["stt"]["usable"] is True
    assert short.generation_meta["clips"][0]["has_audio"] is True
    render = short.generation_meta["engines"]["render"]
    assert (render["visual"], render["clip"], render["clip_audio"]) == ("clip", "00.mp4", True)
    assert {"clip", "transcript", "script", "speech", "render", "qc"} <= set(short.generation_meta["stages"])
    probe = ffprobe(Path(settings.MEDIA_ROOT) / short.video_path)
    video = next(s for s in probe["streams"] if s["codec_type"] == "video")
    assert (video["width"], video["height"]) == (1080, 1920)
    # The clip's speech heard first (its transcript without times: spread over the 3 s clip), then
    # the clip loops under the whole narration, which is longer than it.
    assert render["listen"]["timing"] == "even" and render["listen"]["text"] == SPOKEN
    listened = render["listen"]["ms"] / 1000
    assert float(probe["format"]["duration"]) == pytest.approx(short.timings["duration_ms"] / 1000 + listened, abs=0.3)
    assert float(probe["format"]["duration"]) > 5
