"""The offline voice's pace on real scripts: syllables per second and the share of silence.

Each fixture post gets its extractive script, spoken by espeak-ng as the demo speaks it. Run with
``-s`` to see the figures of every post.
"""

from __future__ import annotations

import numpy as np
import pytest

from generation.qc import narration_pace, silence_share
from generation.render import spoken_text
from generation.script import write_script
from generation.speech import synthesize
from tests.conftest import require_binary
from tests.generation.conftest import FIXTURE_POSTS


def pace(speech) -> tuple[float, float]:
    """QC's own measure of the narration (generation.qc.narration_pace)."""
    return narration_pace(speech.audio_path, spoken_text(speech.timings))


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
    rate = 16_000
    loud = np.tile(np.array([8000, -8000], np.int16), rate // 2)  # 1 s
    quiet = np.zeros(rate // 4, np.int16)  # 0.25 s of digital silence
    stop = np.zeros(rate // 20, np.int16)  # 50 ms: a stop consonant's closure, not a pause
    assert silence_share(np.concatenate([loud, quiet]), rate) == pytest.approx(0.2, abs=0.01)
    assert silence_share(np.concatenate([loud, stop, loud]), rate) == 0
    # a pause at each end: 2 × 12 whole 20 ms windows of 75
    assert silence_share(np.concatenate([quiet, loud, quiet]), rate) == pytest.approx(24 / 75)
