from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from generation.qc import qc_check
from wagglebot.lib import ffmpeg

NANUM = Path("/usr/share/fonts/truetype/nanum/NanumGothicBold.ttf")


def encode(path: Path, *, size: str = "1080x1920", audio: str = "sine=frequency=440:sample_rate=48000",
           volume: str = "0.5", seconds: float = 2.0, video: str = "null") -> Path:
    ffmpeg.run(["-f", "lavfi", "-i", f"testsrc2=s={size}:r=30", "-f", "lavfi", "-i", audio,
                "-vf", video, "-af", f"volume={volume}", "-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast",
                "-pix_fmt", "yuv420p", "-c:a", "aac", "-ar", "48000", "-movflags", "+faststart", "-y", str(path)])
    return path


def loud_as_target(path: Path) -> Path:
    """Re-normalise the test tone to the QC target, so only the planted fault fails."""
    out = path.with_name("norm-" + path.name)
    ffmpeg.run(["-i", str(path), "-c:v", "copy", "-af", f"loudnorm=I={settings.RENDER_LOUDNESS_LUFS}:TP=-1.5",
                "-ar", "48000", "-c:a", "aac", "-movflags", "+faststart", "-y", str(out)])
    return out


def test_a_correct_file_passes(tmp_path, media_tools):
    video = loud_as_target(encode(tmp_path / "ok.mp4"))

    report = qc_check(video, narration_ms=2000, font=NANUM, text="한글 자막")

    assert report.passed, report.reasons
    assert report.measured["longest_still_s"] < 0.1  # testsrc2 moves on every frame


def test_qc_rejects_a_picture_frozen_for_four_seconds(tmp_path, media_tools):
    frozen = "trim=end=2,tpad=stop_mode=clone:stop_duration=4"
    video = loud_as_target(encode(tmp_path / "frozen.mp4", seconds=6.0, video=frozen))

    report = qc_check(video, narration_ms=6000, font=NANUM, text="한글 자막")

    assert not report.passed
    assert 3.9 <= report.measured["longest_still_s"] <= 4.1
    assert report.reasons == ["nothing visible changes for 4.0 s (at most 3 s)"]


def test_qc_rejects_the_wrong_frame_size(tmp_path, media_tools):
    video = loud_as_target(encode(tmp_path / "small.mp4", size="720x1280"))

    report = qc_check(video, narration_ms=2000, font=NANUM, text="한글")

    assert not report.passed
    assert report.reasons == ["frame is 720x1280, not 1080x1920"]


def test_qc_rejects_silent_audio(tmp_path, media_tools):
    video = encode(tmp_path / "silent.mp4", audio="anullsrc=r=48000:cl=mono")

    report = qc_check(video, narration_ms=2000, font=NANUM, text="한글")

    assert not report.passed
    assert len(report.reasons) == 1 and report.reasons[0].startswith("integrated loudness")


def test_qc_rejects_text_the_font_cannot_draw(tmp_path, media_tools, latin_only_font):
    video = loud_as_target(encode(tmp_path / "ok.mp4"))

    nanum = qc_check(video, narration_ms=2000, font=NANUM, text="강아지 🐶 최고")
    latin = qc_check(video, narration_ms=2000, font=latin_only_font, text="HELLO 안녕")

    assert nanum.reasons == ["font NanumGothicBold.ttf has no glyph for '🐶' (would show as tofu)"]
    assert latin.measured["missing_glyphs"] == "녕안"


def test_qc_rejects_a_duration_that_differs_from_the_narration(tmp_path, media_tools):
    video = loud_as_target(encode(tmp_path / "ok.mp4"))

    report = qc_check(video, narration_ms=2500, font=NANUM, text="한글")

    assert report.reasons == ["duration 2.00 s differs from the narration's 2.50 s"]


def test_qc_rejects_a_file_without_faststart(tmp_path, media_tools):
    video = loud_as_target(encode(tmp_path / "ok.mp4"))
    slow = tmp_path / "slow.mp4"
    subprocess.run([ffmpeg.ffmpeg_path(), "-v", "error", "-i", str(video), "-c", "copy", "-y", str(slow)], check=True)

    report = qc_check(slow, narration_ms=2000, font=NANUM, text="한글")

    assert report.reasons == ["moov atom is not at the start (no +faststart)"]


def voice_track(path: Path, *, speech_s: float, pause_s: float = 0.0) -> Path:
    """A stand-in voice: ``speech_s`` of tone, then ``pause_s`` of silence."""
    ffmpeg.run(["-f", "lavfi", "-i", f"sine=frequency=220:sample_rate=24000:duration={speech_s}",
                "-af", f"volume=0.3,apad=pad_dur={pause_s}", "-c:a", "pcm_s16le", "-y", str(path)])
    return path


SPOKEN = "어제 회사 회식에서 정말 황당한 일이"  # 15 syllables


def test_the_narrations_pace_and_pauses_are_measured_and_held_to_their_limits(tmp_path, media_tools):
    video = loud_as_target(encode(tmp_path / "ok.mp4"))
    brisk = voice_track(tmp_path / "brisk.wav", speech_s=2.0)
    stalled = voice_track(tmp_path / "stalled.wav", speech_s=2.0, pause_s=1.5)

    good = qc_check(video, narration_ms=2000, font=NANUM, text="한글", voice=brisk, spoken=SPOKEN)
    bad = qc_check(video, narration_ms=2000, font=NANUM, text="한글", voice=stalled, spoken=SPOKEN)

    assert good.passed, good.reasons
    assert good.measured["speech_syllables_per_s"] == 7.5 and good.measured["speech_silence_share"] == 0
    assert not bad.passed
    assert bad.measured["speech_syllables_per_s"] == pytest.approx(15 / 3.5, abs=0.01)
    assert bad.measured["speech_silence_share"] == pytest.approx(1.5 / 3.5, abs=0.01)
    assert any("syllables/s" in reason for reason in bad.reasons)
    assert any("pauses" in reason for reason in bad.reasons)
