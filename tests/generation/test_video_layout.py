"""The video layout: a post's clip on screen, looping under the narration, its sound ducked under the voice."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generation.render import RenderJob, _Graph, font_path, render_short
from tests.crawling.conftest import FIXTURES
from tests.generation.media import make_images, media_tools, narration  # noqa: F401  (a fixture)
from tests.generation.test_layouts import TIMINGS
from tests.generation.test_postcard import card
from wagglebot.lib import ffmpeg

CLIP = FIXTURES / "clien" / "videos" / "cat_morning.mp4"


@pytest.mark.parametrize(("images", "layout", "clip", "visual"), [
    (3, "auto", CLIP, "clip"),
    (0, "video", CLIP, "clip"),
    (3, "images", CLIP, "slideshow"),  # a person's choice wins over the clip
    (0, "post_card", CLIP, "post_card"),
    (0, "video", None, "post_card"),  # no clip to show: as automatic
])
def test_a_clip_is_shown_automatically_unless_a_person_chose_another_layout(tmp_path, images, layout, clip, visual):
    job = RenderJob(audio_path=tmp_path / "none.wav", duration_ms=6000, timings=TIMINGS, title="제목",
                    out_dir=tmp_path, images=make_images(tmp_path / "images", images), post_card=card(),
                    site_name="클리앙", layout=layout, clip=clip, clip_audio=clip is not None)
    graph = _Graph(job, font_path(), tmp_path, 6.0)
    graph.prepare_visuals()

    assert graph.meta["visual"] == visual


def band_level(video: Path, start: float, end: float) -> float:
    """RMS level (dB) of the 1 kHz band between ``start`` and ``end`` seconds."""
    done = ffmpeg.run(["-v", "info", "-ss", f"{start}", "-to", f"{end}", "-i", str(video), "-vn", "-af",
                       "bandpass=f=1000:width_type=h:w=60,astats=measure_overall=RMS_level:measure_perchannel=none",
                       "-f", "null", "-"], timeout=60, what="band level")
    return float(re.findall(r"RMS level dB:\s*(-?[\d.]+|-inf)", done.stderr)[-1])


def test_the_clips_sound_is_ducked_while_the_voice_speaks_and_the_clip_loops_to_the_end(
    tmp_path, settings, media_tools,  # noqa: F811
):
    settings.RENDER_BGM_DIR = settings.RENDER_SFX_DIR = tmp_path / "none"  # only the voice and the clip
    clip = tmp_path / "tone.mp4"  # a 2 s clip whose sound is a steady 1 kHz tone
    ffmpeg.run(["-v", "error", "-f", "lavfi", "-i", "testsrc=s=320x240:r=15:d=2", "-f", "lavfi", "-i",
                "sine=f=1000:d=2", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest",
                str(clip)], timeout=60)
    audio, timings = narration(tmp_path / "voice", ["고양이가 아침마다 얼굴을 밟아요."], pad_to_s=2.5)
    spoken = timings["sentences"][0]["words"][-1]["end_ms"] / 1000  # the pad comes after
    job = RenderJob(audio_path=audio, duration_ms=timings["duration_ms"], timings=timings, title="영상",
                    out_dir=tmp_path / "out", sentences=["고양이가 아침마다 얼굴을 밟아요."], site_name="클리앙",
                    clip=clip, clip_audio=True)

    rendered = render_short(job)

    seconds = timings["duration_ms"] / 1000
    under_voice = band_level(rendered.video, 0.3, min(spoken, 1.5))
    alone = band_level(rendered.video, seconds - 1.6, seconds - 0.4)  # past 2 s: the clip looped
    # Measured 6.1 dB with the ducking, -0.6 dB without it (the voice itself adds to the band).
    assert alone - under_voice > 4, (under_voice, alone)
    info = ffmpeg.probe(rendered.video)
    assert float(info["format"]["duration"]) == pytest.approx(seconds, abs=0.2)
    assert rendered.meta["visual"] == "clip"
