"""A full disk in any generation stage is DISK_FULL (retryable, naming the stage) and leaves no half file."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from generation import pipeline, speech
from generation.pipeline import post_generate
from generation.tts import Clip, ClipCache
from posts.lifecycle import Failure
from posts.models import Status as S
from tests.factories import make_post

pytestmark = pytest.mark.django_db

BODY = "어제 회사 회식에서 부장님이 갑자기 노래방 마이크를 잡으셨어요. 다들 박수를 쳤는데 노래가 십 분이나 이어졌어요."


@pytest.fixture
def offline(settings, media_tools):
    settings.SCRIPT_WRITER, settings.SCRIPT_LLM_MODEL = "extractive", ""
    settings.TTS_ENGINES = ["espeak"]


def fill_disk_after(size: int):
    """The WAV writer as on a full disk: ``size`` bytes reach the file, then ENOSPC."""
    def write_wav(path, pcm, sample_rate=None):
        Path(path).write_bytes(pcm[:size])
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    return write_wav


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_a_full_disk_while_speaking_fails_the_post_as_disk_full_and_leaves_no_half_audio(offline, monkeypatch):
    post = make_post(status=S.APPROVED, title="회식 노래방 사건", content=BODY)
    monkeypatch.setattr(speech, "write_wav", fill_disk_after(1000))

    assert post_generate(post) is False

    post.refresh_from_db()
    assert post.status == S.FAILED
    assert post.failure is Failure.DISK_FULL and not post.error_permanent
    assert post.error_message.startswith("disk full at speech: ")
    assert "audio.wav" in post.error_message
    assert files_under(pipeline.post_dir(post)) == []


def test_a_disk_full_failure_does_not_use_up_the_posts_attempts():
    assert Failure.DISK_FULL.permanent is False and Failure.DISK_FULL.attempt is False
    assert Failure.DISK_FULL.retry_to == S.APPROVED


def test_ffmpeg_reporting_no_space_is_disk_full_at_its_stage():
    post = make_post(status=S.PROCESSING)
    full = pytest.raises(pipeline.DiskFullError, match=r"^disk full at render: .*posts/")
    with full, pipeline._disk_full_at("render", post):
        raise pipeline.FFmpegError("render exited with 1: video.mp4: No space left on device")
    assert pipeline.failure_for(pipeline.DiskFullError("x")) is Failure.DISK_FULL


def test_a_full_disk_never_leaves_a_half_clip_in_the_speech_cache(tmp_path, monkeypatch):
    from generation import tts

    class Engine:
        name = "espeak"
        voice = "ko"
        rate = "+0%"

    monkeypatch.setattr(tts, "write_wav", fill_disk_after(10))
    cache = ClipCache(tmp_path)
    with pytest.raises(OSError):
        cache.put(Engine(), "안녕하세요", Clip(pcm=b"\1\0" * 100, words=[]))
    assert files_under(tmp_path) == []
