"""Word timings from libespeak-ng's word events: where the karaoke highlight lands in the audio."""

from __future__ import annotations

import array
import statistics
import tempfile
from pathlib import Path

import pytest

from generation import espeak
from generation.speech import spread_words, synthesize
from generation.tts import SAMPLE_RATE, TRIM_THRESHOLD, decode, words_from_events, write_wav
from tests.conftest import require, require_binary

SENTENCES = [
    "결혼 3주 전인데 시어머니가 예식장을 바꾸재요.",
    "계약금 300만원은 알아서 하래요!",
    "남편은 엄마 말이 맞다고 하는데 저는 이해가 안 돼요.",
    "친구들은 다 그냥 넘어가라고 하더라고요.",
    "여러분 생각은 어떠세요?",
]
SNIPPET_MS = 60


@pytest.fixture
def library_spy(settings, monkeypatch):
    """espeak-ng by its library, each synthesis recorded as it is returned (nothing changed)."""
    require_binary("espeak-ng")
    try:
        espeak.library()
    except espeak.LibraryUnavailable as exc:
        require(False, f"libespeak-ng ({exc})")
    settings.TTS_ENGINES = ["espeak"]
    settings.TTS_ESPEAK_RATE = 235
    settings.TTS_SENTENCE_GAP_MS = 120
    made: dict[str, espeak.Synthesis] = {}
    real = espeak.Library.speak

    def speak(self, text, voice, words_per_minute):
        made[text] = real(self, text, voice, words_per_minute)  # the last one is the one spoken
        return made[text]

    monkeypatch.setattr(espeak.Library, "speak", speak)
    return made


def resampled(synthesis: espeak.Synthesis) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "raw.wav"
        write_wav(path, synthesis.pcm, synthesis.sample_rate)
        return decode(path)


def audible_onsets(synthesis: espeak.Synthesis, narration: bytes, after_ms: int) -> list[tuple[int, int]]:
    """(character position, ms in the narration) where each word event's sound is first heard.

    The word's first loud 60 ms in the engine's own audio are looked up byte for byte in the
    narration: the highlight is compared with where the word really is, whatever the speech stage
    cut or added around it.
    """
    audio = resampled(synthesis)
    samples = array.array("h", audio)
    onsets = []
    for position, ms in synthesis.words:
        if position < 0:
            continue  # espeak's stray end-of-text event: no word there
        start = ms * SAMPLE_RATE // 1000
        loud = next(n for n in range(start, len(samples)) if abs(samples[n]) > TRIM_THRESHOLD)
        snippet = audio[loud * 2 : (loud + SAMPLE_RATE * SNIPPET_MS // 1000) * 2]
        found = narration.find(snippet, after_ms * SAMPLE_RATE // 1000 * 2)
        assert found >= 0 and found % 2 == 0, "the engine's audio is in the narration unchanged"
        onsets.append((position, round(found // 2 * 1000 / SAMPLE_RATE)))
    return onsets


def word_at(text: str, position: int) -> int:
    """Index of the word holding character ``position``."""
    return len(text[: position + 1].split()) - 1


def first_sound_ms(narration: bytes, after_ms: int) -> int:
    samples = array.array("h", narration)
    start = after_ms * SAMPLE_RATE // 1000
    return round(next(n for n in range(start, len(samples)) if abs(samples[n]) > TRIM_THRESHOLD) * 1000 / SAMPLE_RATE)


def test_the_highlight_lands_within_80_ms_of_each_words_onset(library_spy, tmp_path):
    speech = synthesize(SENTENCES, tmp_path)
    narration = speech.audio_path.read_bytes()[44:]
    ours, spread = [], []
    for sentence in speech.timings["sentences"]:
        guessed = spread_words(sentence["text"], sentence["start_ms"], sentence["end_ms"])
        events = audible_onsets(library_spy[sentence["text"]], narration, sentence["start_ms"])
        onsets = {word_at(sentence["text"], position): onset for position, onset in reversed(events)}
        # A sentence's first word is where its sound starts, even when espeak reports no event for it.
        onsets.setdefault(0, first_sound_ms(narration, sentence["start_ms"]))
        for index, onset in onsets.items():
            ours.append(abs(sentence["words"][index]["start_ms"] - onset))
            spread.append(abs(guessed[index]["start_ms"] - onset))
    mean, worst = statistics.mean(ours), max(ours)
    print(f"\nhighlight vs audible word onset over {len(ours)} words: mean {mean:.0f} ms, max {worst} ms"
          f" (spread by syllables: mean {statistics.mean(spread):.0f} ms, max {max(spread)} ms)")
    assert len(ours) >= 20
    assert mean <= 80
    assert statistics.mean(spread) > mean, "the measure tells a guess from the engine's events"


def test_a_word_espeak_merges_into_its_neighbour_shares_its_span():
    text = "그 사람이 또 왔어요"
    # "또" has no event (spoken with the word before it); nor has "그", the first word.
    words = words_from_events(text, [(2, 40), (8, 700)], 1200)
    assert words == [
        {"text": "그", "start_ms": 0, "end_ms": 40},
        {"text": "사람이", "start_ms": 40, "end_ms": 700},
        {"text": "또", "start_ms": 40, "end_ms": 700},
        {"text": "왔어요", "start_ms": 700, "end_ms": 1200},
    ]


def test_espeaks_stray_end_of_text_event_is_no_word():
    words = words_from_events("여러분 생각은", [(0, 0), (4, 380), (-1, 900)], 900)
    assert [(w["start_ms"], w["end_ms"]) for w in words] == [(0, 380), (380, 900)]


def test_word_events_map_by_character_position_not_by_order():
    text = "계약금 삼백만 원은 알아서"
    # Two events inside one word (espeak splits a number): the first one is the word's onset.
    words = words_from_events(text, [(0, 0), (4, 550), (6, 800), (8, 1070), (11, 1300)], 1800)
    assert [(w["text"], w["start_ms"], w["end_ms"]) for w in words] == [
        ("계약금", 0, 550), ("삼백만", 550, 1070), ("원은", 1070, 1300), ("알아서", 1300, 1800),
    ]


def test_no_word_events_leave_the_words_to_the_spread():
    assert words_from_events("여러분 생각은", [], 900) is None


def test_without_the_library_the_cli_speaks_trimmed_and_words_are_spread(settings, monkeypatch, tmp_path):
    require_binary("espeak-ng")
    settings.TTS_ENGINES = ["espeak"]
    settings.TTS_ESPEAK_RATE = 235
    monkeypatch.setattr(espeak, "LIBRARY", "libespeak-ng-not-here.so.1")
    espeak.library.cache_clear()
    try:
        speech = synthesize(["여러분 생각은 어떠세요?"], tmp_path)
    finally:
        espeak.library.cache_clear()  # later tests load the real library again
    assert speech.meta["word_timings"] == "spread"
    [sentence] = speech.timings["sentences"]
    assert sentence["words"] == spread_words(sentence["text"], 0, speech.duration_ms)
    tail = array.array("h", speech.audio_path.read_bytes()[44:])[-SAMPLE_RATE * 30 // 1000 :]
    assert any(abs(v) > TRIM_THRESHOLD for v in tail), "the CLI's ~290 ms of trailing silence is cut"
