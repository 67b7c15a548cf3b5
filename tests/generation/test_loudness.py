from __future__ import annotations

import re
from pathlib import Path

import pytest

from generation.render import MIX, RenderJob, _Graph, _loudness_measure
from wagglebot.lib import ffmpeg

# A quiet tone (gain alone reaches the target) and a tone under clicks the gain would push a
# few dB past the peak ceiling (a limiter must hold them).
QUIET = "0.05*sin(2*PI*440*t)"
CLICKY = "0.1*sin(2*PI*440*t)+0.4*lt(mod(n,9600),3)"
# Bursts at a quarter of the sample rate, sampled 45° off their crests: every sample is 3 dB under
# the wave's true peak, so the gain leaves the samples under the ceiling and the peaks between
# them over it.
BETWEEN = "0.05*sin(2*PI*440*t)+BURST*sin(2*PI*12000*t+PI/4)*lt(mod(n,9600),48)"


def voice(folder: Path, expr: str) -> Path:
    path = folder / "voice.wav"
    ffmpeg.run(["-f", "lavfi", "-i", f"aevalsrc='{expr}':s=48000:d=6", "-c:a", "pcm_s16le", "-y", str(path)])
    return path


def normalised(tmp_path: Path, expr: str) -> tuple[str, dict, dict]:
    """The render's own measurement (which writes the mix) and mastering of that mix over a voice
    with no BGM, measured again; and what the render measured."""
    job = RenderJob(audio_path=voice(tmp_path, expr), duration_ms=6000, timings={}, title="", out_dir=tmp_path)
    graph = _Graph(job, Path("unused.ttf"), tmp_path, 6.0)
    measured = _loudness_measure(graph)
    chain = graph._loudnorm(measured)
    out = tmp_path / "out.wav"
    ffmpeg.run(["-i", MIX, "-filter_complex", graph.mastered(measured), "-map", "[aout]", "-y", str(out)], cwd=tmp_path)
    done = ffmpeg.run(["-i", str(out), "-af", "ebur128=peak=true:framelog=quiet", "-f", "null", "-"])
    found = {k: float(re.search(rf"\b{k}:\s*(-?[\d.]+)", done.stderr).group(1)) for k in ("I", "Peak")}
    return chain, found, measured


@pytest.fixture
def no_bgm(settings, tmp_path):
    settings.RENDER_BGM_DIR = tmp_path / "no-bgm"


def test_a_quiet_mix_is_raised_to_the_target_by_a_plain_gain(tmp_path, no_bgm):
    chain, out, measured = normalised(tmp_path, QUIET)

    assert chain.startswith("volume=") and "alimiter" not in chain
    assert "input_tp" in measured  # plain gain only once the true peak is known to stay under the ceiling
    assert abs(out["I"] - -14) <= 0.5
    assert out["Peak"] <= -1.0


def test_peaks_the_gain_would_clip_are_limited_and_the_mix_still_meets_the_target(tmp_path, no_bgm):
    chain, out, measured = normalised(tmp_path, CLICKY)

    assert "alimiter" in chain
    assert "input_tp" not in measured  # the sample peak alone went past the ceiling: no true-peak pass
    assert abs(out["I"] - -14) <= 1
    assert out["Peak"] <= -1.0


def test_peaks_between_the_samples_are_measured_and_limited_when_the_samples_stay_under(tmp_path, no_bgm):
    chain, out, measured = normalised(tmp_path, BETWEEN.replace("BURST", "0.2"))

    gain = -14 - measured["input_i"]
    assert measured["input_peak"] + gain < -1.5 < measured["input_tp"] + gain  # the samples would pass
    assert measured["input_tp"] - measured["input_peak"] > 2
    assert "alimiter" in chain
    assert out["Peak"] <= -1.0  # held under by the measured distance between the samples and the peaks


def test_the_mix_is_written_once_in_float_at_the_narrations_length(tmp_path, no_bgm):
    """The loudness pass keeps its mix for the render: unclipped (32-bit float) and as long as the short."""
    loud = tmp_path / "loud.wav"  # a float voice peaking over full scale (as a mix of voice and effects can)
    ffmpeg.run(["-f", "lavfi", "-i", "aevalsrc='1.5*sin(2*PI*440*t)':s=48000:d=6", "-c:a", "pcm_f32le", "-y",
                str(loud)])
    job = RenderJob(audio_path=loud, duration_ms=6000, timings={}, title="", out_dir=tmp_path)
    graph = _Graph(job, Path("unused.ttf"), tmp_path, 6.0)

    measured = _loudness_measure(graph)

    stream = ffmpeg.probe(tmp_path / MIX)["streams"][0]
    assert stream["codec_name"] == "pcm_f32le" and stream["sample_rate"] == "48000"
    assert abs(float(stream["duration"]) - 6.0) < 0.01
    assert measured["input_peak"] > 0  # the tone peaks over full scale and the mix kept it
