"""Audio for recognition: mono 16 kHz WAV through the speech band and the best denoiser there is."""

from __future__ import annotations

from pathlib import Path

import pytest

from generation import stt_audio
from tests.conftest import require
from tests.generation.media import FFPROBE
from wagglebot.lib import ffmpeg


@pytest.fixture
def clip(tmp_path, settings):
    """A 2 s stereo 44.1 kHz video with a tone and noise in its audio, as crawled clips come."""
    require(Path(FFPROBE).exists(), "ffprobe (Debian package ffmpeg)")
    settings.FFPROBE_PATH = FFPROBE
    path = tmp_path / "clip.mp4"
    ffmpeg.run(["-v", "error", "-f", "lavfi", "-i", "color=c=gray:s=64x64:d=2",
                "-f", "lavfi", "-i", "sine=f=440:d=2,aformat=channel_layouts=stereo",
                "-f", "lavfi", "-i", "anoisesrc=d=2:a=0.05",
                "-filter_complex", "[1:a][2:a]amix=inputs=2[a]", "-map", "0:v", "-map", "[a]",
                "-ar", "44100", "-ac", "2", "-c:v", "libx264", "-preset", "ultrafast", "-shortest", str(path)])
    return path


@pytest.fixture
def filters(monkeypatch):
    """The ``ffmpeg -filters`` seam: which filters this ffmpeg build claims to have."""

    def listing(names):
        monkeypatch.setattr(stt_audio, "available_filters", lambda: frozenset(names))

    return listing


def audio_stream(path) -> dict:
    streams = ffmpeg.probe(path)["streams"]
    assert [stream["codec_type"] for stream in streams] == ["audio"], "the video is dropped"
    return streams[0]


def test_a_clip_becomes_mono_16k_wav_through_band_filters_and_afftdn(clip, tmp_path):
    out = tmp_path / "speech.wav"
    chain = stt_audio.extract(clip, out)
    stream = audio_stream(out)
    assert (stream["channels"], stream["sample_rate"], stream["codec_name"]) == (1, "16000", "pcm_s16le")
    assert abs(float(stream["duration"]) - 2.0) < 0.1
    assert chain == "highpass=f=200,lowpass=f=3800,afftdn"


def test_the_real_ffmpeg_filter_list_is_read(settings):
    stt_audio.available_filters.cache_clear()
    try:
        names = stt_audio.available_filters()
    finally:
        stt_audio.available_filters.cache_clear()
    assert {"afftdn", "anlmdn", "highpass", "lowpass"} <= names
    assert "Filters" not in names and "TS" not in names


def test_without_afftdn_the_chain_falls_back_to_anlmdn_or_to_no_denoiser(clip, tmp_path, filters):
    # The bundled imageio-ffmpeg 9.0 aborts inside anlmdn on every input; Debian's ffmpeg 5.1 runs it.
    filters({"highpass", "lowpass", "anlmdn"})
    out = tmp_path / "speech.wav"
    assert stt_audio.extract(clip, out) in ("highpass=f=200,lowpass=f=3800,anlmdn", "highpass=f=200,lowpass=f=3800")
    assert (audio_stream(out)["channels"], audio_stream(out)["sample_rate"]) == (1, "16000")
    filters({"highpass", "lowpass"})
    assert stt_audio.extract(clip, out) == "highpass=f=200,lowpass=f=3800"
    assert (audio_stream(out)["channels"], audio_stream(out)["sample_rate"]) == (1, "16000")


def test_a_listed_denoiser_that_fails_falls_through_to_the_next(clip, tmp_path, filters, monkeypatch):
    monkeypatch.setattr(stt_audio, "DENOISERS", ("nosuchdenoiser", "afftdn"))
    filters({"highpass", "lowpass", "nosuchdenoiser", "afftdn"})
    assert stt_audio.extract(clip, tmp_path / "speech.wav") == "highpass=f=200,lowpass=f=3800,afftdn"


def test_a_clip_without_audio_fails_permanently(tmp_path, clip):
    silent = tmp_path / "silent.mp4"
    ffmpeg.run(["-v", "error", "-i", str(clip), "-an", "-c:v", "copy", str(silent)])
    with pytest.raises(stt_audio.AudioError) as error:
        stt_audio.extract(silent, tmp_path / "speech.wav")
    assert error.value.permanent and "no audio stream" in error.value.message


def test_an_unreadable_clip_fails_for_another_try(tmp_path, clip):
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(clip.read_bytes()[:2000])
    with pytest.raises(stt_audio.AudioError) as error:
        stt_audio.extract(broken, tmp_path / "speech.wav")
    assert not error.value.permanent
