from __future__ import annotations

import pytest

from wagglebot.lib import ffmpeg


def test_a_bad_ffmpeg_path_is_an_error_naming_the_setting(settings, tmp_path):
    settings.FFMPEG_PATH = str(tmp_path / "no-ffmpeg")

    with pytest.raises(ffmpeg.FFmpegError, match=r"FFMPEG_PATH=.*no-ffmpeg.*set FFMPEG_PATH") as failure:
        ffmpeg.run(["-version"])

    assert failure.value.permanent


def test_a_missing_ffprobe_is_an_error_naming_the_setting(settings, tmp_path):
    settings.FFPROBE_PATH = str(tmp_path / "no-ffprobe")

    with pytest.raises(ffmpeg.FFmpegError, match="FFPROBE_PATH"):
        ffmpeg.probe(tmp_path / "video.mp4")


def test_the_default_ffmpeg_is_the_wheels_static_build(settings):
    settings.FFMPEG_PATH = ""

    assert "imageio_ffmpeg" in ffmpeg.ffmpeg_path()
    assert "libx264" in ffmpeg.run(["-encoders"]).stdout


def test_an_ffmpeg_failure_carries_the_end_of_its_message():
    with pytest.raises(ffmpeg.FFmpegError, match=r"(?s)exited with .*no-such-input\.mp4"):
        ffmpeg.run(["-i", "no-such-input.mp4", "-f", "null", "-"])


def test_libx264_with_the_configured_preset_unless_the_nvenc_probe_succeeds(settings):
    settings.RENDER_ENCODER, settings.RENDER_X264_PRESET, settings.RENDER_X264_CRF = "auto", "faster", 21

    chosen = ffmpeg.video_encoder()

    if ffmpeg._nvenc_works():  # a lent GPU machine with the NVENC driver
        assert chosen[:2] == ("-c:v", "h264_nvenc")
    else:
        assert chosen == ("-c:v", "libx264", "-preset", "faster", "-crf", "21")
    settings.RENDER_ENCODER = "libx264"
    assert ffmpeg.video_encoder() == ("-c:v", "libx264", "-preset", "faster", "-crf", "21")
