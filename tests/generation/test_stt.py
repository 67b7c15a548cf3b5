"""STT engines behind one interface: tries, back-off, timeouts and the fallback order."""

from __future__ import annotations

import threading
import time

import pytest

from generation import stt, stt_audio
from wagglebot.lib import ffmpeg


class Scripted(stt.Engine):
    """An engine that answers from a script of outcomes, one per try, and counts its calls."""

    def __init__(self, name: str, outcomes: list) -> None:
        self.name, self.outcomes, self.calls = name, list(outcomes), 0

    def recognize(self, wav, *, timeout):
        self.calls += 1
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, float):  # seconds to hang for
            threading.Event().wait(outcome)  # not time.sleep, which the back-off fixture records
            return stt.Recognition(text="늦은 답", engine=self.name, model="fake", confidence=0.9, low_confidence=False)
        if isinstance(outcome, Exception):
            raise outcome
        return stt.Recognition(text=outcome, engine=self.name, model="fake", confidence=0.8,
                               low_confidence=self.name == "weak")


@pytest.fixture
def clip(tmp_path):
    path = tmp_path / "clip.wav"
    ffmpeg.run(["-v", "error", "-f", "lavfi", "-i", "sine=f=300:d=1", str(path)])
    return path


@pytest.fixture
def quick(settings, monkeypatch):
    settings.STT_RETRIES = 3
    settings.STT_BACKOFF_SECONDS = 0.05
    settings.STT_TIMEOUT_SECONDS = 5
    sleeps = []
    real_sleep = time.sleep
    # Only the back-off's sleeps are recorded: subprocess and thread pools sleep a millisecond now and then.
    monkeypatch.setattr(stt.time, "sleep", lambda s: (s >= 0.05 and sleeps.append(s), real_sleep(min(s, 0.01))))
    return sleeps


def test_a_transient_error_is_tried_three_times_with_a_doubling_back_off(clip, quick):
    engine = Scripted("whisper", [stt.EngineError("HTTP 503"), stt.EngineError("HTTP 503"), "안녕하세요"])
    result = stt.transcribe(clip, [engine])
    assert (result.text, result.engine, result.meta["attempts"]) == ("안녕하세요", "whisper", 3)
    assert quick == [0.05, 0.1]
    assert result.chain.startswith("highpass=f=200,lowpass=f=3800")


def test_a_permanent_error_is_not_retried_and_the_next_engine_answers(clip, quick):
    first = Scripted("whisper", [stt.EngineError("torch is not installed", permanent=True)])
    second = Scripted("weak", ["오늘 회사에서"])
    result = stt.transcribe(clip, [first, second])
    assert (first.calls, second.calls) == (1, 1)
    assert result.engine == "weak" and result.low_confidence
    assert "whisper: torch is not installed" in result.meta["fallback_reason"]
    assert quick == []


def test_engines_are_asked_in_the_order_stt_engines_lists_them(settings):
    settings.STT_ENGINES = ["vosk", "whisper"]
    assert [engine.name for engine in stt.engines_from_settings()] == ["vosk", "whisper"]
    settings.STT_ENGINES = ["whisper", "google"]
    with pytest.raises(stt.TranscriptionError) as error:
        stt.engines_from_settings()
    assert error.value.permanent and "google" in error.value.message


def test_a_try_that_hangs_past_the_timeout_counts_as_a_failed_try(clip, quick, settings):
    settings.STT_TIMEOUT_SECONDS = 0.2
    engine = Scripted("whisper", [2.0, "두 번째는 제때"])
    started = time.monotonic()
    result = stt.transcribe(clip, [engine])
    assert time.monotonic() - started < 1.5, "the caller does not wait for the hung try"
    assert (result.text, result.meta["attempts"], engine.calls) == ("두 번째는 제때", 2, 2)


def test_when_every_engine_times_out_the_error_says_so(clip, quick, settings):
    settings.STT_TIMEOUT_SECONDS = 0.1
    engine = Scripted("whisper", [0.5, 0.5, 0.5])
    with pytest.raises(stt.TranscriptionError) as error:
        stt.transcribe(clip, [engine])
    assert error.value.timed_out and not error.value.permanent and engine.calls == 3
    assert "whisper: no transcript within" in error.value.message


def test_an_engine_crash_mid_decoding_is_a_bad_response_tried_again(clip, quick):
    engine = Scripted("whisper", [RuntimeError("shape mismatch"), "다시 하니 됐다"])
    assert stt.transcribe(clip, [engine]).text == "다시 하니 됐다"


def test_hearing_no_speech_is_not_retried_and_fails_permanently_when_no_engine_hears_any(clip, quick):
    first, second = Scripted("whisper", ["  "]), Scripted("weak", [""])
    with pytest.raises(stt.TranscriptionError) as error:
        stt.transcribe(clip, [first, second])
    assert (first.calls, second.calls) == (1, 1)
    assert error.value.permanent and not error.value.timed_out and "heard no speech" in error.value.message


def test_audio_that_cannot_be_extracted_fails_before_any_engine(tmp_path, quick):
    engine = Scripted("whisper", ["안 불림"])
    (tmp_path / "empty.mp4").write_bytes(b"")
    with pytest.raises(stt_audio.AudioError):
        stt.transcribe(tmp_path / "empty.mp4", [engine])
    assert engine.calls == 0


@pytest.mark.parametrize(("reference", "hypothesis", "rate"), [
    ("안녕하세요", "안녕하세요", 0.0),
    ("안녕 하세요", "안녕하세요", 0.0),  # spacing is not counted: Korean spacing varies freely
    ("안녕하세요", "안영하세요", 0.2),
    ("안녕하세요", "안녕", 0.6),
    ("안녕", "안녕하세요", 1.5),
    ("", "", 0.0),
])
def test_character_error_rate_is_edits_over_reference_characters(reference, hypothesis, rate):
    assert stt.character_error_rate(reference, hypothesis) == pytest.approx(rate)
