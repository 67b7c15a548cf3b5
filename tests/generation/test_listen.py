"""The listen segment: a video short opens with its clip's own speech heard clean and captioned
from the transcript, cut between two utterances, then the narration and the comments."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generation import listen
from generation.listen import listen_plan, timings_shifted
from generation.render import RenderJob, render_short
from tests.generation.media import media_tools, narration  # noqa: F401  (a fixture)
from wagglebot.lib import ffmpeg

SEGMENTS = [{"start": 0.2, "end": 1.6, "text": "고양이가 아침마다"},
            {"start": 1.9, "end": 3.4, "text": "얼굴을 밟아요"},
            {"start": 3.6, "end": 9.5, "text": "그래서 일찍 일어나요"}]


def test_the_segment_ends_after_the_last_utterance_that_fits_and_a_breath():
    plan = listen_plan("고양이가 아침마다 얼굴을 밟아요 그래서 일찍 일어나요", SEGMENTS, clip_seconds=12, budget_s=40)

    assert (plan.ms, plan.timing) == (3700, "segments")  # 3.4 s + 0.3 s; the third ends past 8 s
    assert [(s["text"], s["start_ms"], s["end_ms"]) for s in plan.sentences] == [
        ("고양이가 아침마다", 200, 1600), ("얼굴을 밟아요", 1900, 3400)]


def test_a_correction_is_shown_in_place_of_what_was_heard_shared_out_by_utterance():
    plan = listen_plan("고양이가 아침에 얼굴을 밟아서 그래서 일찍 깨요", SEGMENTS, clip_seconds=12, budget_s=40)

    assert [s["text"] for s in plan.sentences] == ["고양이가 아침에", "얼굴을 밟아서"]


def test_the_shorts_length_budget_and_a_first_utterance_too_long_leave_it_out():
    assert listen_plan("고양이가 아침마다 얼굴을 밟아요", SEGMENTS[:2], clip_seconds=12, budget_s=2.0).ms == 1900
    assert listen_plan("고양이가 아침마다", SEGMENTS[:2], clip_seconds=12, budget_s=1.0) is None
    assert listen_plan("길게 한 번에", [{"start": 0, "end": 9, "text": "길게 한 번에"}], 12, 40) is None
    assert listen_plan("", SEGMENTS, clip_seconds=12, budget_s=40) is None


def test_without_the_engines_times_the_text_is_spread_over_the_clip():
    plan = listen_plan("하나 둘 셋 넷 다섯 여섯 일곱 여덟", None, clip_seconds=4, budget_s=40)

    assert plan.timing == "even"
    assert [s["text"] for s in plan.sentences] == ["하나 둘 셋 넷", "다섯 여섯 일곱 여덟"]
    assert plan.sentences[-1]["end_ms"] == 4000 and plan.ms == 4000


def test_the_narration_timings_move_past_the_segment_words_included():
    timings = {"duration_ms": 3000, "sentences": [
        {"text": "하나 둘", "start_ms": 0, "end_ms": 3000, "words": [{"text": "하나", "start_ms": 0, "end_ms": 1000}]}]}

    shifted = timings_shifted(timings, 1900)

    assert shifted["duration_ms"] == 4900
    assert (shifted["sentences"][0]["start_ms"], shifted["sentences"][0]["words"][0]["end_ms"]) == (1900, 2900)
    assert timings["sentences"][0]["start_ms"] == 0  # the speech's own timings are left as they were


def band_level(video: Path, start: float, end: float, band: str) -> float:
    done = ffmpeg.run(["-v", "info", "-ss", f"{start}", "-to", f"{end}", "-i", str(video), "-vn", "-af",
                       f"{band},astats=measure_overall=RMS_level:measure_perchannel=none", "-f", "null", "-"],
                      timeout=60, what="band level")
    level = re.findall(r"RMS level dB:\s*(-?[\d.]+|-inf)", done.stderr)[-1]
    return float(level) if level != "-inf" else -120.0


TONE = "bandpass=f=1000:width_type=h:w=60"  # the clip's sound
VOICE = ",".join(["lowpass=f=300"] * 4)  # espeak's voice, where the clip's tone is not


def test_a_video_short_opens_with_the_clip_heard_clean_and_captioned_then_the_narration(
    tmp_path, settings, monkeypatch, media_tools,  # noqa: F811
):
    settings.RENDER_BGM_DIR = settings.RENDER_SFX_DIR = tmp_path / "none"  # only the voice and the clip
    monkeypatch.setattr(listen, "LISTEN_MAX_SECONDS", 3.0)  # the second utterance ends past it
    clip = tmp_path / "tone.mp4"  # 4 s whose sound is a steady 1 kHz tone standing in for speech
    ffmpeg.run(["-v", "error", "-f", "lavfi", "-i", "testsrc=s=320x240:r=15:d=4", "-f", "lavfi", "-i",
                "sine=f=1000:d=4", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest",
                str(clip)], timeout=60)
    audio, timings = narration(tmp_path / "voice", ["고양이가 아침마다 얼굴을 밟아요."], pad_to_s=2.5)
    spoken = timings["sentences"][0]["words"][-1]["end_ms"] / 1000
    job = RenderJob(audio_path=audio, duration_ms=timings["duration_ms"], timings=timings, title="영상",
                    out_dir=tmp_path / "out", sentences=["고양이가 아침마다 얼굴을 밟아요."], site_name="클리앙",
                    clip=clip, clip_audio=True, clip_seconds=4.0,
                    transcript={"text": "고양이가 아침마다 얼굴을 밟아요", "segments": SEGMENTS[:2]})

    rendered = render_short(job)

    listened = 1.9  # the first utterance ends at 1.6 s, plus a breath
    assert rendered.meta["listen"] == {"ms": 1900, "timing": "segments", "captions": 1, "text": "고양이가 아침마다"}
    seconds = timings["duration_ms"] / 1000 + listened
    assert float(ffmpeg.probe(rendered.video)["format"]["duration"]) == pytest.approx(seconds, abs=0.2)
    clean = band_level(rendered.video, 0.3, 1.6, TONE)
    alone = band_level(rendered.video, seconds - 1.6, seconds - 0.4, TONE)  # after the voice: ducked level only
    assert clean - alone == pytest.approx(8.0, abs=1.5), (clean, alone)  # CLIP_VOLUME_DB, and nothing else
    voice_in_listen = band_level(rendered.video, 0.3, 1.6, VOICE)
    voice_after = band_level(rendered.video, listened + 0.2, listened + spoken, VOICE)
    assert voice_after - voice_in_listen > 30, (voice_in_listen, voice_after)
    events = [line for line in rendered.subtitles.read_text("utf-8").splitlines() if line.startswith("Dialogue: 1,")]
    assert events[0].startswith("Dialogue: 1,0:00:00.20,0:00:01.90,Karaoke")
    assert "고양이가" in events[0] and "아침마다" in events[0]
    assert events[1].startswith("Dialogue: 1,0:00:01.90,")  # the narration's first cue, moved past the clip
    rendered.discard()
