"""Speech synthesis: real espeak-ng audio measured with ffprobe, edge-tts at its stream seam."""

from __future__ import annotations

import array
import asyncio
import itertools
import json
import subprocess
import wave

import aiohttp
import edge_tts
import pytest

from generation.espeak import Synthesis
from generation.speech import spread_words, synthesize
from generation.tts import SAMPLE_RATE, TRIM_THRESHOLD, Clip, Espeak, SpeechError, paced_rate, trim_silence
from tests.conftest import require_binary

SENTENCES = [
    "결혼 3주 전인데 시어머니가 예식장을 바꾸재요 ㅋㅋ",
    "계약금 300만원은 알아서 하래요!!",
    "여러분 생각은 어떠세요?",
]
SPOKEN = [
    "결혼 삼 주 전인데 시어머니가 예식장을 바꾸재요",
    "계약금 삼백만 원은 알아서 하래요!",
    "여러분 생각은 어떠세요?",
]


def probe(path) -> dict:
    ffprobe = require_binary("ffprobe")
    out = subprocess.run(
        [ffprobe, "-v", "error", "-show_entries", "stream=codec_name,sample_rate,channels:format=duration",
         "-of", "json", str(path)],
        capture_output=True, check=True, text=True,
    ).stdout
    data = json.loads(out)
    return {**data["streams"][0], "duration_ms": float(data["format"]["duration"]) * 1000}


def samples(path, start_ms: int, end_ms: int) -> array.array:
    raw = path.read_bytes()[44:]
    pcm = array.array("h", raw)
    return pcm[start_ms * SAMPLE_RATE // 1000 : end_ms * SAMPLE_RATE // 1000]


@pytest.fixture
def espeak(settings):
    require_binary("espeak-ng")
    settings.TTS_ENGINES = ["espeak"]
    settings.TTS_ESPEAK_RATE = 235
    settings.TTS_SENTENCE_GAP_MS = 250
    return settings


def test_espeak_speaks_korean_into_a_48k_mono_wav_whose_length_matches_the_timings(espeak, tmp_path):
    speech = synthesize(SENTENCES, tmp_path / "out")
    info = probe(speech.audio_path)
    assert (info["codec_name"], info["sample_rate"], info["channels"]) == ("pcm_s16le", "48000", 1)
    assert abs(info["duration_ms"] - speech.duration_ms) <= 50
    assert speech.timings["duration_ms"] == speech.duration_ms
    assert [s["text"] for s in speech.timings["sentences"]] == SPOKEN
    assert speech.timings["sentences"][-1]["end_ms"] == speech.duration_ms
    assert speech.meta == {
        "engine": "espeak", "voice": "ko", "rate": "235", "wanted": "espeak", "fallback": False,
        "fallback_reason": "", "cached_sentences": 0, "word_timings": "engine", "comment_voice": None,
    }
    assert json.loads((tmp_path / "out" / "timings.json").read_text()) == speech.timings


def test_each_sentence_timing_is_the_measured_length_of_that_sentence_alone(espeak, tmp_path):
    speech = synthesize(SENTENCES, tmp_path / "out")
    for sentence in speech.timings["sentences"]:
        alone = Espeak("ko", "235").clip(sentence["text"])
        assert abs((sentence["end_ms"] - sentence["start_ms"]) - alone.duration_ms) <= 50
        voiced = samples(speech.audio_path, sentence["start_ms"], sentence["end_ms"])
        assert max(abs(v) for v in voiced) > 1000, "the sentence's span holds speech, not silence"
    first, second = speech.timings["sentences"][:2]
    gap = samples(speech.audio_path, first["end_ms"] + 5, second["start_ms"] - 5)
    assert second["start_ms"] - first["end_ms"] == 250 and max(abs(v) for v in gap) == 0


def test_espeak_clips_are_trimmed_to_the_speech(espeak, tmp_path):
    speech = synthesize(SENTENCES, tmp_path / "out")
    for sentence in speech.timings["sentences"]:
        span = samples(speech.audio_path, sentence["start_ms"], sentence["end_ms"])
        loud = [n for n, v in enumerate(span) if abs(v) > TRIM_THRESHOLD]
        assert loud[0] <= SAMPLE_RATE * 30 // 1000, "at most 30 ms of quiet before the speech"
        assert len(span) - loud[-1] <= SAMPLE_RATE * 30 // 1000, "and after it (the CLI leaves ~290 ms)"


def test_espeak_words_come_from_the_engines_word_events(espeak, tmp_path):
    speech = synthesize(SENTENCES, tmp_path / "out")
    assert speech.meta["word_timings"] == "engine"
    for sentence in speech.timings["sentences"]:
        words = sentence["words"]
        assert [w["text"] for w in words] == sentence["text"].split()
        assert 0 <= words[0]["start_ms"] - sentence["start_ms"] <= 30 and words[-1]["end_ms"] == sentence["end_ms"]
        assert all(a["start_ms"] <= b["start_ms"] and a["end_ms"] <= b["end_ms"] for a, b in itertools.pairwise(words))
        spread = spread_words(sentence["text"], sentence["start_ms"], sentence["end_ms"])
        assert [w["start_ms"] for w in words] != [w["start_ms"] for w in spread]


def test_synthesized_sentences_are_cached_by_engine_voice_rate_and_text(espeak, tmp_path, settings):
    first = synthesize(SENTENCES, tmp_path / "one")
    again = synthesize(SENTENCES, tmp_path / "two")
    assert again.meta["cached_sentences"] == 3
    assert again.audio_path.read_bytes() == first.audio_path.read_bytes()
    settings.TTS_ESPEAK_RATE = 260
    faster = synthesize(SENTENCES, tmp_path / "three")
    assert faster.meta["cached_sentences"] == 0


def test_syllable_spread_gives_longer_words_more_time():
    words = spread_words("가 나다라마바", 1000, 1600)
    assert words == [
        {"text": "가", "start_ms": 1000, "end_ms": 1100},
        {"text": "나다라마바", "start_ms": 1100, "end_ms": 1600},
    ]


# edge-tts, at its one seam: edge_tts.Communicate ------------------------------------------


@pytest.fixture
def recorded_mp3(tmp_path):
    """A 1.2 s MP3 in edge-tts' output format (24 kHz mono 48 kbit/s), as the service streams it."""
    ffmpeg = require_binary("ffmpeg")
    path = tmp_path / "recorded.mp3"
    subprocess.run(
        [ffmpeg, "-v", "error", "-f", "lavfi", "-i", "sine=frequency=220:duration=1.2", "-ac", "1", "-ar", "24000",
         "-b:a", "48k", str(path)],
        check=True,
    )
    return path.read_bytes()


class RecordedCommunicate:
    """Replays recorded stream events; ``failures`` are raised by the first calls instead."""

    calls: list[dict] = []
    failures: list[Exception] = []
    audio = b""

    def __init__(self, text, voice, **options) -> None:
        RecordedCommunicate.calls.append({"text": text, "voice": voice, **options})

    async def stream(self):
        if RecordedCommunicate.failures:
            raise RecordedCommunicate.failures.pop(0)
        words = self.calls[-1]["text"].split()
        audio = RecordedCommunicate.audio
        for n, chunk in enumerate(audio[i : i + 2048] for i in range(0, len(audio), 2048)):
            yield {"type": "audio", "data": chunk}
            if n < len(words):
                yield {"type": "WordBoundary", "offset": 1_000_000 + n * 3_000_000, "duration": 2_500_000,
                       "text": words[n]}
        await asyncio.sleep(0)


@pytest.fixture
def edge(monkeypatch, settings, recorded_mp3):
    RecordedCommunicate.calls, RecordedCommunicate.failures = [], []
    RecordedCommunicate.audio = recorded_mp3
    monkeypatch.setattr(edge_tts, "Communicate", RecordedCommunicate)
    settings.TTS_ENGINES = ["edge", "espeak"]
    settings.TTS_EDGE_VOICE = "ko-KR-InJoonNeural"
    settings.TTS_EDGE_RATE = "+10%"
    settings.TTS_EDGE_RETRIES = 3
    settings.TTS_EDGE_BACKOFF_SECONDS = 0
    settings.TTS_SENTENCE_GAP_MS = 100
    return RecordedCommunicate


def test_edge_tts_word_boundaries_become_word_timings(edge, tmp_path):
    speech = synthesize(["시어머니가 예식장을 바꾸재요.", "여러분 생각은 어떠세요?"], tmp_path)
    assert edge.calls[0] == {
        "text": "시어머니가 예식장을 바꾸재요.", "voice": "ko-KR-InJoonNeural", "rate": "+10%",
        "boundary": "WordBoundary", "connect_timeout": 30, "receive_timeout": 30,
    }
    first, second = speech.timings["sentences"]
    assert abs((first["end_ms"] - first["start_ms"]) - 1200) <= 50, "the decoded MP3 is measured"
    assert first["words"] == [
        {"text": "시어머니가", "start_ms": 100, "end_ms": 350},
        {"text": "예식장을", "start_ms": 400, "end_ms": 650},
        {"text": "바꾸재요.", "start_ms": 700, "end_ms": 950},
    ]
    assert second["start_ms"] == first["end_ms"] + 100
    assert second["words"][0] == {"text": "여러분", "start_ms": second["start_ms"] + 100,
                                  "end_ms": second["start_ms"] + 350}
    assert speech.meta["engine"] == "edge" and speech.meta["fallback"] is False
    assert abs(probe(speech.audio_path)["duration_ms"] - speech.duration_ms) <= 50


def test_edge_tts_403_falls_back_to_espeak_and_says_so(edge, tmp_path):
    require_binary("espeak-ng")
    edge.failures = [aiohttp.ClientResponseError(None, (), status=403, message="Invalid response status")]
    speech = synthesize(["여러분 생각은 어떠세요?"], tmp_path)
    assert len(edge.calls) == 1, "a 403 is a block, not retried"
    assert (speech.meta["engine"], speech.meta["wanted"], speech.meta["fallback"]) == ("espeak", "edge", True)
    assert "edge: edge-tts refused the request (HTTP 403" in speech.meta["fallback_reason"]
    assert speech.timings["sentences"][0]["end_ms"] == speech.duration_ms > 500


def test_edge_tts_timeouts_are_retried_then_fall_back(edge, tmp_path):
    require_binary("espeak-ng")
    edge.failures = [TimeoutError(), TimeoutError(), TimeoutError()]
    speech = synthesize(["여러분 생각은 어떠세요?"], tmp_path)
    assert len(edge.calls) == 3
    assert speech.meta["engine"] == "espeak"
    assert "failed 3 times, last: TimeoutError" in speech.meta["fallback_reason"]


def test_edge_tts_recovers_when_a_retry_succeeds(edge, tmp_path):
    edge.failures = [aiohttp.ServerDisconnectedError()]
    speech = synthesize(["여러분 생각은 어떠세요?"], tmp_path)
    assert len(edge.calls) == 2
    assert speech.meta["engine"] == "edge"


def test_tts_fails_with_the_reason_when_every_engine_fails(edge, tmp_path, settings):
    settings.TTS_ENGINES = ["edge"]
    edge.failures = [aiohttp.ClientResponseError(None, (), status=403, message="Forbidden")]
    with pytest.raises(SpeechError) as error:
        synthesize(["여러분 생각은 어떠세요?"], tmp_path)
    assert "HTTP 403" in error.value.message


def test_nothing_to_speak_fails_permanently(espeak, tmp_path):
    with pytest.raises(SpeechError) as error:
        synthesize(["ㅋㅋㅋㅋ", "😂😂"], tmp_path)
    assert error.value.permanent


def test_tts_decodes_with_the_ffmpeg_that_ffmpeg_path_names(espeak, tmp_path, settings):
    real = require_binary("ffmpeg")
    calls = tmp_path / "calls"
    wrapper = tmp_path / "my-ffmpeg"
    wrapper.write_text(f'#!/bin/sh\necho called >> "{calls}"\nexec "{real}" "$@"\n')
    wrapper.chmod(0o755)
    settings.FFMPEG_PATH = str(wrapper)

    speech = synthesize(["여러분 생각은 어떠세요?"], tmp_path / "out")

    assert speech.duration_ms > 0
    assert calls.read_text().count("called") == 1


def test_a_missing_ffmpeg_path_fails_tts_permanently_naming_the_setting(espeak, tmp_path, settings):
    settings.FFMPEG_PATH = str(tmp_path / "no-such-ffmpeg")
    with pytest.raises(SpeechError) as error:
        synthesize(["여러분 생각은 어떠세요?"], tmp_path / "out")
    assert error.value.permanent
    assert "FFMPEG_PATH" in error.value.message


def test_trimming_cuts_the_quiet_around_a_clip_and_moves_its_words_along():
    quiet, tone = bytes(SAMPLE_RATE * 2 * 300 // 1000), array.array("h", [4000, -4000] * (SAMPLE_RATE // 2)).tobytes()
    words = [{"text": "여러분", "start_ms": 300, "end_ms": 800}, {"text": "안녕", "start_ms": 800, "end_ms": 1300}]
    clip = trim_silence(Clip(pcm=quiet + tone + quiet, words=words))
    assert clip.duration_ms == 1000 + 2 * 20, "20 ms of the quiet kept on each side"
    assert clip.words == [
        {"text": "여러분", "start_ms": 20, "end_ms": 520},
        {"text": "안녕", "start_ms": 520, "end_ms": 1020},
    ]


def test_a_sentence_outside_the_pace_band_is_given_a_corrected_rate():
    def spoken(seconds: float) -> Synthesis:
        return Synthesis(pcm=array.array("h", [3000] * int(22050 * seconds)).tobytes(), sample_rate=22050,
                                words=[])

    sixteen = "가나다라 마바사아 자차카타 파하가나"
    assert paced_rate(sixteen, spoken(16 / 5.5), 235) == round(235 * 6.9 / 5.5), "5.5 syl/s: faster"
    assert paced_rate(sixteen, spoken(16 / 8.0), 235) == round(235 * 6.9 / 8.0), "8 syl/s: slower"
    assert paced_rate(sixteen, spoken(16 / 6.9), 235) == 235, "in the band: as configured"
    assert paced_rate(sixteen, spoken(16 / 2.0), 235) == 320, "never beyond espeak's usable range"
    assert paced_rate("여러분 안녕", spoken(2.0), 235) == 235, "too short to measure"


def test_comments_are_spoken_after_the_story_and_marked_in_the_timings(espeak, tmp_path):
    comments = ["저라면 바로 퇴사합니다", "ㅋㅋㅋ", "부장님 대단하시네요"]
    speech = synthesize(SENTENCES, tmp_path / "out", comments=comments)

    marks = [s.get("comment") for s in speech.timings["sentences"]]
    # The laugh normalises to nothing and is not spoken; the others keep their index.
    assert marks == [None] * len(SENTENCES) + [0, 2]


def test_a_last_word_that_ends_with_its_clip_ends_exactly_with_the_sentence():
    from generation.speech import _offset_words

    clip_words = [{"text": "가", "start_ms": 0, "end_ms": 400}, {"text": "나", "start_ms": 400, "end_ms": 999}]
    assert _offset_words(clip_words, 3011, 4011)[-1]["end_ms"] == 4011  # clip rounded to 999 ms on its own
    assert _offset_words(clip_words, 3011, 4500)[-1]["end_ms"] == 4010  # speech ended early: keep its end


def test_comments_are_read_in_the_engines_second_voice(edge, settings, tmp_path):
    settings.TTS_EDGE_VOICE, settings.TTS_EDGE_COMMENT_VOICE = "ko-KR-SunHiNeural", "ko-KR-InJoonNeural"

    speech = synthesize(["시어머니가 예식장을 바꾸재요."], tmp_path, comments=["저라면 바로 퇴사합니다"])

    assert [call["voice"] for call in edge.calls] == ["ko-KR-SunHiNeural", "ko-KR-InJoonNeural"]
    assert speech.meta["voice"] == "ko-KR-SunHiNeural" and speech.meta["comment_voice"] == "ko-KR-InJoonNeural"


def test_espeak_reads_a_comment_in_another_variant_than_the_story(espeak, settings, tmp_path):
    settings.TTS_ESPEAK_COMMENT_VOICE = "ko+f3"
    line = "부장님 정말 대단하시네요"

    speech = synthesize([line], tmp_path / "out", comments=[line])

    with wave.open(str(speech.audio_path)) as audio:
        pcm = audio.readframes(audio.getnframes())
    story, comment = ((s["start_ms"], s["end_ms"]) for s in speech.timings["sentences"])
    told, read = (pcm[start * 96:end * 96] for start, end in (story, comment))  # 48 kHz s16: 96 bytes a ms
    assert speech.meta["comment_voice"] == "ko+f3"
    assert told != read  # the same words, another voice
