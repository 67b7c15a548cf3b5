"""Music by mood: the tone classifier, the LLM's mood winning when valid, the shipped loops and
the QC of their loop seams."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from django.conf import settings

from generation.mood import MOODS, mood_of
from generation.qc import SEAM_DIP_LIMIT_DB, loop_seam_dip, qc_check
from generation.render import RenderJob, _Graph
from generation.script import write_script
from tests.generation.conftest import FIXTURE_POSTS
from tests.generation.media import media_tools, narration  # noqa: F401 (fixture)
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


def mixed(tmp_path: Path, audio: Path, seconds: float, name: str) -> np.ndarray:
    """The render's own audio chain (voice, music ducked under it), before loudness normalising."""
    job = RenderJob(audio_path=audio, duration_ms=round(seconds * 1000), timings={}, title="", out_dir=tmp_path,
                    mood="calm")
    workdir = tmp_path / name
    workdir.mkdir()
    graph = _Graph(job, NANUM, workdir, seconds)
    out = workdir / "mix.pcm"
    ffmpeg.run([*graph.audio_inputs(), "-filter_complex", graph.audio_chain("anull[aout]"), "-map", "[aout]",
                "-t", f"{seconds:.3f}", "-ac", "1", "-f", "s16le", str(out)])
    return np.frombuffer(out.read_bytes(), "<i2").astype(np.float64)


def test_the_music_is_ducked_under_the_voice(tmp_path, settings, media_tools):  # noqa: F811
    settings.RENDER_SFX_DIR = ""
    audio, timings = narration(tmp_path / "voice", ["오늘 회사에서 황당한 일이 있었어요."], pad_to_s=3.0)
    seconds = timings["duration_ms"] / 1000
    with_music = mixed(tmp_path, audio, seconds, "music")
    settings.RENDER_BGM_DIR = tmp_path / "no-music"
    voice = mixed(tmp_path, audio, seconds, "voice-only")
    music = with_music - voice  # amix without normalising adds: what is left is the music as mixed
    spoken = np.nonzero(np.abs(voice) > 300)[0][-1] / 48000 - 0.3  # espeak's last loud sample, less a margin

    def level(start: float, end: float) -> float:
        part = music[round(start * 48000):round(end * 48000)]
        return 20 * np.log10(np.sqrt(np.mean(part ** 2)))

    under_voice, alone = level(0.3, spoken), level(spoken + 1.2, seconds - 0.2)
    assert alone - under_voice >= 6, (under_voice, alone)
