"""Quality control of a rendered short, before it may replace anything at its final path.

Every check measures the real file (ffprobe, an EBU R128 scan) or the real font (its cmap), so
a render that "succeeded" but is silent, the wrong shape, or full of tofu boxes never reaches
YouTube. The report lists every failed check, not only the first.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path

from django.conf import settings
from fontTools.ttLib import TTFont

from wagglebot.lib import ffmpeg

WIDTH, HEIGHT, FPS = 1080, 1920, 30
DURATION_TOLERANCE_S = 0.1
AV_OFFSET_LIMIT_S = 0.040
LOUDNESS_TOLERANCE_LU = 1.0


@dataclass
class QCReport:
    passed: bool = True
    reasons: list[str] = field(default_factory=list)
    measured: dict = field(default_factory=dict)

    def require(self, ok: bool, reason: str) -> None:
        if not ok:
            self.passed = False
            self.reasons.append(reason)

    def to_dict(self) -> dict:
        return asdict(self)


def qc_check(video: Path, *, narration_ms: int, font: Path, text: str) -> QCReport:
    report = QCReport()
    info = ffmpeg.probe(video)
    streams = {s["codec_type"]: s for s in reversed(info.get("streams", []))}
    _check_video(report, streams.get("video"))
    _check_audio(report, streams.get("audio"))
    _check_timing(report, info, streams, narration_ms / 1000)
    if "audio" in streams:
        _check_loudness(report, video)
    _check_glyphs(report, font, text)
    _check_faststart(report, video)
    return report


def _check_video(report: QCReport, video: dict | None) -> None:
    report.require(video is not None, "no video stream")
    if video is None:
        return
    size = (video.get("width"), video.get("height"))
    fps = Fraction(video.get("avg_frame_rate") or "0/1") if video.get("avg_frame_rate") != "0/0" else Fraction(0)
    report.measured.update(size=f"{size[0]}x{size[1]}", fps=float(fps), video_codec=video.get("codec_name"),
                           pix_fmt=video.get("pix_fmt"))
    report.require(size == (WIDTH, HEIGHT), f"frame is {size[0]}x{size[1]}, not {WIDTH}x{HEIGHT}")
    report.require(abs(fps - FPS) < 0.01, f"frame rate is {float(fps):.3f}, not {FPS}")
    report.require(video.get("codec_name") == "h264", f"video codec is {video.get('codec_name')}, not h264")
    report.require(video.get("pix_fmt") == "yuv420p", f"pixel format is {video.get('pix_fmt')}, not yuv420p")


def _check_audio(report: QCReport, audio: dict | None) -> None:
    report.require(audio is not None, "no audio stream")
    if audio is None:
        return
    report.measured.update(audio_codec=audio.get("codec_name"), sample_rate=int(audio.get("sample_rate", 0)))
    report.require(audio.get("codec_name") == "aac", f"audio codec is {audio.get('codec_name')}, not aac")
    report.require(int(audio.get("sample_rate", 0)) == 48000, f"sample rate is {audio.get('sample_rate')}, not 48000")


def _check_timing(report: QCReport, info: dict, streams: dict, narration_s: float) -> None:
    duration = float(info.get("format", {}).get("duration", 0))
    report.measured.update(duration_s=round(duration, 3), narration_s=round(narration_s, 3))
    limit = settings.RENDER_MAX_SECONDS
    report.require(duration <= limit, f"duration {duration:.2f} s is over {limit:.0f} s")
    report.require(abs(duration - narration_s) <= DURATION_TOLERANCE_S,
                   f"duration {duration:.2f} s differs from the narration's {narration_s:.2f} s")
    if "video" in streams and "audio" in streams:
        offset = abs(float(streams["video"].get("start_time", 0)) - float(streams["audio"].get("start_time", 0)))
        report.measured["av_offset_ms"] = round(offset * 1000, 1)
        report.require(offset < AV_OFFSET_LIMIT_S, f"audio and video start {offset * 1000:.0f} ms apart")


def _check_loudness(report: QCReport, video: Path) -> None:
    done = ffmpeg.run(["-i", str(video), "-map", "0:a:0", "-af", "ebur128", "-f", "null", "-"],
                      timeout=120, what="loudness QC")
    found = re.search(r"Integrated loudness:\s*I:\s*(-?[\d.]+|-inf) LUFS", done.stderr)
    loudness = float(found.group(1)) if found else float("-inf")
    report.measured["loudness_lufs"] = loudness if loudness != float("-inf") else None
    target = settings.RENDER_LOUDNESS_LUFS
    report.require(abs(loudness - target) <= LOUDNESS_TOLERANCE_LU,
                   f"integrated loudness {loudness:.1f} LUFS is not {target:.0f} ± {LOUDNESS_TOLERANCE_LU:.0f}")


def missing_glyphs(font: Path, text: str) -> list[str]:
    with TTFont(font, lazy=True) as ttf:
        cmap = ttf.getBestCmap()
    return sorted({ch for ch in text if not ch.isspace() and ord(ch) not in cmap})


def _check_glyphs(report: QCReport, font: Path, text: str) -> None:
    missing = missing_glyphs(font, text)
    report.measured["missing_glyphs"] = "".join(missing)
    report.require(not missing, f"font {font.name} has no glyph for {' '.join(missing)!r} (would show as tofu)")


def _check_faststart(report: QCReport, video: Path) -> None:
    # +faststart puts the index (moov) before the media (mdat): playback starts before download ends.
    with open(video, "rb") as handle:
        head = handle.read(64 * 1024)
    moov, mdat = head.find(b"moov"), head.find(b"mdat")
    report.require(moov != -1 and (mdat == -1 or moov < mdat), "moov atom is not at the start (no +faststart)")
