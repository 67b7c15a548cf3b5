"""Quality control of a rendered short, before it may replace anything at its final path.

Every check measures the real file (ffprobe, an EBU R128 scan) or the real font (its cmap), so
a render that "succeeded" but is silent, the wrong shape, or full of tofu boxes never reaches
YouTube. The report lists every failed check, not only the first. Given the captions file, QC
also asks libass itself which font file it draws them with (a configured Bold file is worthless
when libass picks the family's Regular), and given the render's boxes, checks every caption and
card against the Shorts safe area. Given the voice track and what it says, it measures the
narration's pace: syllables a second and the share of it spent in pauses.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np
from django.conf import settings
from fontTools.ttLib import TTFont

from generation.subtitles import safe_area
from generation.tts import count_syllables
from wagglebot.lib import ffmpeg

WIDTH, HEIGHT, FPS = 1080, 1920, 30
DURATION_TOLERANCE_S = 0.1
AV_OFFSET_LIMIT_S = 0.040
LOUDNESS_TOLERANCE_LU = 1.0
# "Something visible changes at least every 3 s": a frame counts as changed once this share of
# its pixels (on a small grayscale copy) differs by more than CHANGE_LEVELS from the last frame
# that counted. Measured against that anchor rather than the previous frame, a slow zoom adds up
# to a change; noise from the encoder does not.
MAX_STILL_S = 3.0
CHANGE_LEVELS, CHANGE_SHARE = 12, 0.01
STILL_SIZE = (108, 192)
FONTSELECT_RE = re.compile(r"fontselect: \((.*?), (\d+), (\d+)\) -> (.*?), (\d+), (\S+)")
STYLE_RE = re.compile(r"^Style: ([^,]+),", re.MULTILINE)
# Music loop seams: 50 ms RMS windows within 0.3 s of the loop point, against the loop's mean
# level. The calm pad shipped before faded out and in, dropping to −85 dB at every repeat.
SEAM_RATE, SEAM_WINDOW_S, SEAM_SPAN_S, SEAM_DIP_LIMIT_DB = 16_000, 0.05, 0.3, 6.0
# The narration's pace: Hangul syllables of the spoken text a second of the voice track, and the
# share of the track in pauses (runs of at least 100 ms whose 20 ms windows are under −40 dBFS; a
# shorter quiet is a stop consonant). The targets are 6–7 syllables/s and at most 8 % (espeak-ng
# on the fixture posts: 6.4–6.7 and 3.5–7.2 %). QC fails a voice far off them, a stalled or broken
# clip, and leaves a neural voice, whose pace its configured rate sets, some margin.
PAUSE_WINDOW_MS, PAUSE_DBFS, PAUSE_WINDOWS = 20, -40, 5
MIN_SYLLABLES_PER_S, MAX_SYLLABLES_PER_S, MAX_SILENCE_SHARE = 5.0, 8.5, 0.12


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


def qc_check(video: Path, *, narration_ms: int, font: Path, text: str, subtitles: Path | None = None,
             boxes: list[dict] | None = None, music: Path | None = None,
             max_seconds: float | None = None, voice: Path | None = None, spoken: str = "") -> QCReport:
    """``max_seconds``: the longest the video may be (a compilation's limit); RENDER_MAX_SECONDS.
    ``voice``: the narration's own track (before music), ``spoken``: the text it speaks."""
    report = QCReport()
    info = ffmpeg.probe(video)
    streams = {s["codec_type"]: s for s in reversed(info.get("streams", []))}
    _check_video(report, streams.get("video"))
    _check_audio(report, streams.get("audio"))
    _check_timing(report, info, streams, narration_ms / 1000, max_seconds or settings.RENDER_MAX_SECONDS)
    if "audio" in streams:
        _check_loudness(report, video)
    _check_glyphs(report, font, text)
    _check_faststart(report, video)
    _check_motion(report, video)
    if subtitles is not None:
        _check_font_choice(report, subtitles, font)
    if boxes is not None:
        _check_safe_area(report, boxes)
    if music is not None:
        _check_loop_seam(report, music)
    if voice is not None:
        _check_pace(report, voice, spoken)
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


def _check_timing(report: QCReport, info: dict, streams: dict, narration_s: float, limit: float) -> None:
    duration = float(info.get("format", {}).get("duration", 0))
    report.measured.update(duration_s=round(duration, 3), narration_s=round(narration_s, 3))
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


def longest_still(video: Path) -> float:
    """Seconds of the longest stretch in which nothing visible changes."""
    width, height = STILL_SIZE
    args = [ffmpeg.ffmpeg_path(), "-v", "error", "-i", str(video), "-map", "0:v:0", "-vf",
            f"fps={FPS},scale={width}:{height}:flags=area,format=gray", "-f", "rawvideo", "-"]
    try:
        done = subprocess.run(args, capture_output=True, timeout=300, check=True)
    except (subprocess.SubprocessError, OSError) as exc:
        raise ffmpeg.FFmpegError(f"motion QC could not decode {video.name}: {exc}") from exc
    frames = np.frombuffer(done.stdout, np.uint8).reshape(-1, height, width).astype(np.int16)
    anchor, since, longest = frames[0], 0, 0
    for number in range(1, len(frames)):
        if (np.abs(frames[number] - anchor) > CHANGE_LEVELS).mean() >= CHANGE_SHARE:
            longest, anchor, since = max(longest, number - since), frames[number], number
    return max(longest, len(frames) - since) / FPS


def _check_motion(report: QCReport, video: Path) -> None:
    still = longest_still(video)
    report.measured["longest_still_s"] = round(still, 2)
    report.require(still <= MAX_STILL_S, f"nothing visible changes for {still:.1f} s (at most {MAX_STILL_S:.0f} s)")


def libass_fonts(subtitles: Path) -> list[dict]:
    """The font file libass picks for each style of ``subtitles``, from its own log.

    One frame of one line per style, rendered with the fonts folder beside the file (as the
    render does); libass logs "fontselect: (family, weight, italic) -> path, index, postscript".
    """
    styles = STYLE_RE.findall(subtitles.read_text(encoding="utf-8"))
    header = subtitles.read_text(encoding="utf-8").split("[Events]")[0]
    probe = subtitles.with_name("font-probe.ass")
    events = "".join(f"Dialogue: 0,0:00:00.00,0:00:01.00,{style},,0,0,0,,가A1\n" for style in styles)
    probe.write_text(f"{header}[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, "
                     f"Effect, Text\n{events}", encoding="utf-8")
    done = ffmpeg.run(["-v", "verbose", "-f", "lavfi", "-i", f"color=s={WIDTH}x{HEIGHT}:d=0.1",
                       "-vf", f"ass=filename={probe.name}:fontsdir=fonts", "-frames:v", "1", "-f", "null", "-"],
                      timeout=60, what="font selection probe", cwd=subtitles.parent)
    probe.unlink(missing_ok=True)
    return [{"family": m[1], "weight": int(m[2]), "path": m[4], "postscript": m[6]}
            for m in FONTSELECT_RE.finditer(done.stderr)]


def _check_font_choice(report: QCReport, subtitles: Path, font: Path) -> None:
    with TTFont(font, lazy=True) as ttf:
        postscript = ttf["name"].getDebugName(6)
    chosen = libass_fonts(subtitles)
    report.measured["libass_fonts"] = sorted({c["path"] for c in chosen})
    wrong = [c for c in chosen if not _same_font(c, font, postscript)]
    report.require(bool(chosen), "libass reported no font selection for the captions")
    for c in wrong:
        report.require(False, f"libass draws {c['family']} {c['weight']} with {c['path']}, not {font}")


def _same_font(chosen: dict, font: Path, postscript: str | None) -> bool:
    # A font loaded from the fonts folder has no system path; its PostScript name identifies it.
    path = Path(chosen["path"])
    if path.is_file():
        return path.resolve() == font.resolve()
    return chosen["postscript"] == postscript


def _check_safe_area(report: QCReport, boxes: list[dict]) -> None:
    left, top, right, bottom = safe_area(WIDTH, HEIGHT)
    outside = [b for b in boxes if b["x"] < left or b["y"] < top or b["x"] + b["w"] > right or b["y"] + b["h"] > bottom]
    report.measured["safe_area"] = {"box": [left, top, right, bottom], "checked": len(boxes), "outside": len(outside)}
    for b in outside:
        report.require(False, f"{b['name']} at x {b['x']}..{b['x'] + b['w']}, y {b['y']}..{b['y'] + b['h']} "
                              f"leaves the safe area x {left}..{right}, y {top}..{bottom}")


def loop_seam_dip(music: Path) -> float:
    """How many dB the music's level falls below its mean around the loop point, played as the
    render plays it (``-stream_loop``): the quietest 50 ms window near the seam."""
    samples = _mono(music, what="music loop decode", twice=True).astype(np.float64)
    seam, window, span = len(samples) // 2, round(SEAM_WINDOW_S * SEAM_RATE), round(SEAM_SPAN_S * SEAM_RATE)
    around = samples[max(seam - span, 0):seam + span]
    windows = around[:len(around) // window * window].reshape(-1, window)
    quietest = np.sqrt(np.mean(windows ** 2, axis=1)).min()
    mean = np.sqrt(np.mean(samples[:seam] ** 2))
    return round(float(_db(mean) - _db(quietest)), 1)


def _mono(path: Path, *, what: str, twice: bool = False) -> np.ndarray:
    """``path``'s sound as mono s16 samples at SEAM_RATE (``twice``: played through two times)."""
    with tempfile.TemporaryDirectory() as folder:
        pcm = Path(folder) / "sound.pcm"
        ffmpeg.run(["-v", "error", *(["-stream_loop", "1"] if twice else []), "-i", str(path), "-ac", "1",
                    "-ar", str(SEAM_RATE), "-f", "s16le", str(pcm)], timeout=60, what=what)
        return np.frombuffer(pcm.read_bytes(), "<i2")


def _db(rms: float) -> float:
    return 20 * np.log10(max(rms, 1e-3))  # under 1e-3 of one s16 step counts as silence, not −inf


def _check_loop_seam(report: QCReport, music: Path) -> None:
    dip = loop_seam_dip(music)
    report.measured["music_seam_dip_db"] = dip
    report.require(dip <= SEAM_DIP_LIMIT_DB, f"the music {music.name} dips {dip:.1f} dB at its loop point "
                                             f"(limit {SEAM_DIP_LIMIT_DB:.0f} dB)")


def silence_share(samples: np.ndarray, rate: int) -> float:
    """Share of ``samples`` (s16 levels) in pauses: runs of at least PAUSE_WINDOWS quiet windows."""
    size = rate * PAUSE_WINDOW_MS // 1000
    windows = samples[:len(samples) // size * size].astype(np.float64).reshape(-1, size)
    if not len(windows):
        return 0.0
    quiet = np.sqrt(np.mean(windows ** 2, axis=1)) < 32768 * 10 ** (PAUSE_DBFS / 20)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], quiet.astype(np.int8), [0]))))
    runs = edges[1::2] - edges[::2]  # lengths of the quiet runs
    return float(runs[runs >= PAUSE_WINDOWS].sum() / len(windows))


def narration_pace(voice: Path, spoken: str) -> tuple[float, float]:
    """Syllables a second of ``voice`` speaking ``spoken``, and the share of it in pauses."""
    samples = _mono(voice, what="narration decode")
    seconds = len(samples) / SEAM_RATE
    return (count_syllables(spoken) / seconds if seconds else 0.0), silence_share(samples, SEAM_RATE)


def _check_pace(report: QCReport, voice: Path, spoken: str) -> None:
    rate, silence = narration_pace(voice, spoken)
    report.measured.update(speech_syllables_per_s=round(rate, 2), speech_silence_share=round(silence, 3))
    report.require(MIN_SYLLABLES_PER_S <= rate <= MAX_SYLLABLES_PER_S,
                   f"the narration runs at {rate:.1f} syllables/s (QC accepts {MIN_SYLLABLES_PER_S:.1f}–"
                   f"{MAX_SYLLABLES_PER_S:.1f}; the target is 6–7: see TTS_EDGE_RATE or TTS_ESPEAK_RATE)")
    report.require(silence <= MAX_SILENCE_SHARE,
                   f"{silence:.0%} of the narration is pauses (QC accepts {MAX_SILENCE_SHARE:.0%}; the target is 8 %)")
