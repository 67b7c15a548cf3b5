"""The offline voice's pace on real scripts: syllables per second and the share of silence.

Each fixture post gets its extractive script, spoken by espeak-ng as the demo speaks it. Run with
``-s`` to see the figures of every post.
"""

from __future__ import annotations

import array
import math
import re

import pytest

from generation.script import write_script
from generation.speech import synthesize
from generation.tts import SAMPLE_RATE
from tests.conftest import require_binary
from tests.generation.conftest import FIXTURE_POSTS

WINDOW_MS = 20
SILENCE_DBFS = -40  # a 20 ms window quieter than this is not speech
PAUSE_WINDOWS = 5  # a listener hears 100 ms of quiet as a pause; shorter is a stop consonant


def syllables(text: str) -> int:
    return len(re.findall(r"[가-힣]", text))


def silence_share(pcm: bytes) -> float:
    """Share of the runtime in pauses: runs of ≥ 100 ms whose 20 ms windows are below −40 dBFS."""
    samples = array.array("h", pcm)
    size = SAMPLE_RATE * WINDOW_MS // 1000
    windows = [samples[i : i + size] for i in range(0, len(samples) - size + 1, size)]
    floor = 32768 * 10 ** (SILENCE_DBFS / 20)
    quiet = [math.sqrt(sum(v * v for v in w) / len(w)) < floor for w in windows]
    runs = [len(run) for run in re.findall(r"q+", "".join("q" if q else "s" for q in quiet))]
    return sum(run for run in runs if run >= PAUSE_WINDOWS) / len(windows)


def pace(speech) -> tuple[float, float]:
    spoken = " ".join(s["text"] for s in speech.timings["sentences"])
    pcm = speech.audio_path.read_bytes()[44:]
    return syllables(spoken) / (speech.duration_ms / 1000), silence_share(pcm)


@pytest.fixture
def espeak_defaults(settings, extractive):
    """The demo's voice: espeak-ng with the shipped rate and gap settings."""
    require_binary("espeak-ng")
    settings.TTS_ENGINES = ["espeak"]


@pytest.mark.parametrize("entry", FIXTURE_POSTS, ids=[e["origin_id"] for e in FIXTURE_POSTS])
def test_espeak_narration_runs_at_6_to_7_syllables_a_second_with_little_silence(
    entry, fixture_post, espeak_defaults, tmp_path
):
    script = write_script(fixture_post(entry))
    speech = synthesize(script.sentences(), tmp_path)
    rate, silence = pace(speech)
    print(f"\n{entry['origin_id']}: {rate:.2f} syl/s, silence {silence:.1%} of {speech.duration_ms / 1000:.1f} s")
    assert 6.0 <= rate <= 7.0
    assert silence <= 0.08


def test_silence_share_counts_quiet_windows():
    loud = array.array("h", [8000, -8000] * (SAMPLE_RATE // 2)).tobytes()  # 1 s
    quiet = bytes(SAMPLE_RATE * 2 // 4)  # 0.25 s of digital silence
    stop = bytes(SAMPLE_RATE * 2 // 20)  # 50 ms: a stop consonant's closure, not a pause
    assert silence_share(loud + quiet) == pytest.approx(0.2, abs=0.01)
    assert silence_share(loud + stop + loud) == 0
