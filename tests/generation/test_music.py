"""Music by mood: the tone classifier, the LLM's mood winning when valid, the shipped loops and
the QC of their loop seams."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from generation.mood import MOODS, mood_of
from generation.qc import SEAM_DIP_LIMIT_DB, loop_seam_dip, qc_check
from generation.script import write_script
from tests.generation.conftest import FIXTURE_POSTS
from tests.generation.media import media_tools  # noqa: F401 (fixture)
from tests.generation.test_qc import NANUM, encode, loud_as_target
from wagglebot.lib import ffmpeg

LOOPS = sorted(Path(settings.RENDER_BGM_DIR).glob("*.m4a"))


@pytest.mark.parametrize(("text", "mood"), [
    ("동생이 게임기 숨겨놓은 장소 찾음 ㅋㅋㅋ 진짜 웃김", "upbeat"),
    ("할머니 생각나서 눈물 났어요 ㅠㅠ", "heartfelt"),
    ("새벽에 문이 열려 있었어요?! 소름 돋았습니다", "tense"),
    ("북한산 백운대 일출 보고 왔다", "calm"),
])
def test_the_mood_follows_the_posts_laughter_tears_and_alarm(text, mood):
    assert mood_of(text) == mood


def test_an_extractive_script_takes_its_mood_from_the_raw_post_with_its_laughter(fixture_post, extractive):
    game = next(e for e in FIXTURE_POSTS if "게임기" in e["title"])

    script = write_script(fixture_post(game))

    assert "ㅋ" not in script.narration  # cleaned away for the voice, still heard by the classifier
    assert script.mood == "upbeat"


@pytest.mark.parametrize("mood", sorted(MOODS))
def test_every_mood_has_a_small_loop_of_its_own(mood):
    loops = sorted(Path(settings.RENDER_BGM_DIR).glob(f"{mood}-*.m4a"))

    assert loops and all(loop.stat().st_size < 500_000 for loop in loops)


def faded_loop(path: Path) -> Path:
    """A 4 s chord that fades out and in again, as the calm pad shipped before did."""
    ffmpeg.run(["-f", "lavfi", "-i", "sine=frequency=220:sample_rate=48000:duration=4", "-af",
                "afade=t=in:d=0.5,afade=t=out:st=3.5:d=0.5", "-c:a", "aac", "-y", str(path)])
    return path


@pytest.mark.parametrize("loop", LOOPS, ids=[loop.name for loop in LOOPS])
def test_every_shipped_loop_keeps_its_level_across_the_loop_point(loop, media_tools):  # noqa: F811
    assert loop_seam_dip(loop) <= SEAM_DIP_LIMIT_DB


def test_a_loop_that_dips_at_its_seam_fails_qc(tmp_path, media_tools):  # noqa: F811
    video = loud_as_target(encode(tmp_path / "short.mp4"))
    faded = faded_loop(tmp_path / "faded.m4a")

    report = qc_check(video, narration_ms=2000, font=NANUM, text="", music=faded)
    clean = qc_check(video, narration_ms=2000, font=NANUM, text="", music=LOOPS[0])

    assert not report.passed and report.measured["music_seam_dip_db"] > 20
    assert any("loop point" in reason for reason in report.reasons)
    assert clean.passed, clean.reasons
