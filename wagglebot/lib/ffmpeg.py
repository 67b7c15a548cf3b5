"""Find and run ffmpeg/ffprobe, and pick the H.264 encoder once per worker process.

ffmpeg defaults to the imageio-ffmpeg wheel's static build (libx264, libass, NVENC in one
binary, the same on every machine); the wheel ships no ffprobe, so that one defaults to Debian's.
Every failure is an ``FFmpegError`` naming the setting or the tail of ffmpeg's own message, so a
FAILED post says why instead of "exit status 1".
"""

from __future__ import annotations

import functools
import json
import logging
import os
import subprocess
from pathlib import Path

from django.conf import settings

from wagglebot.lib.stages import StageError

log = logging.getLogger(__name__)
STDERR_TAIL = 1500
# A filter graph runs on one thread. With ffmpeg's default (a slice thread per core) its filters
# competed with the encoder's frame threads for the same cores: on 2 cores the bench short's graph
# took 0.9 s more CPU and the render 0.8 s more wall clock (bench/render.py).
GRAPH_THREADS = ("-filter_complex_threads", "1")


class FFmpegError(StageError):
    """ffmpeg (or ffprobe) could not run or exited with an error."""


class FFprobeError(FFmpegError):
    """ffprobe could not read a file: told apart so a QC probe is not reported as a render."""


def ffmpeg_path() -> str:
    configured = settings.FFMPEG_PATH
    if configured:
        return _executable(configured, "FFMPEG_PATH")
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def ffprobe_path() -> str:
    return _executable(settings.FFPROBE_PATH, "FFPROBE_PATH")


def _executable(path: str | Path, setting: str) -> str:
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise FFmpegError(f"{setting}={str(path)!r} is not an executable file; set {setting}", permanent=True)
    return str(path)


def run(
    args: list[str], *, timeout: float | None = None, what: str = "ffmpeg", cwd: Path | None = None
) -> subprocess.CompletedProcess:
    """Run ffmpeg with ``args``; a non-zero exit raises with the end of its stderr."""
    return run_binary(ffmpeg_path(), ["-hide_banner", "-nostdin", *GRAPH_THREADS, *args], timeout=timeout, what=what,
                      cwd=cwd)


def run_binary(
    binary: str, args: list[str], *, timeout: float | None, what: str, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    try:
        done = subprocess.run(
            [binary, *args], capture_output=True, text=True, errors="replace", timeout=timeout,
            stdin=subprocess.DEVNULL, cwd=cwd,
        )
    except subprocess.TimeoutExpired as exc:
        raise FFmpegError(f"{what} timed out after {timeout:.0f} s") from exc
    except OSError as exc:
        raise FFmpegError(f"{what} could not start ({binary}): {exc}", permanent=True) from exc
    if done.returncode != 0:
        raise FFmpegError(f"{what} exited with {done.returncode}: {done.stderr[-STDERR_TAIL:].strip()}")
    return done


def probe(path: Path) -> dict:
    """ffprobe's streams and format of ``path`` as a dict."""
    args = ["-v", "error", "-print_format", "json", "-show_streams", "-show_format", str(path)]
    try:
        done = run_binary(ffprobe_path(), args, timeout=60, what="ffprobe")
    except FFmpegError as exc:
        raise FFprobeError(exc.message, permanent=exc.permanent) from exc
    return json.loads(done.stdout)


def video_encoder() -> tuple[str, ...]:
    """Encoder arguments: NVENC when a one-frame encode works on this machine, else libx264.

    The probe runs once per worker process (at its first render) and is remembered; a GPU
    without the NVENC driver libraries, or a machine with no GPU, fails it in under a second.
    """
    choice = settings.RENDER_ENCODER
    if choice in ("auto", "h264_nvenc") and _nvenc_works():
        return ("-c:v", "h264_nvenc", "-preset", "p4", "-rc", "vbr", "-cq", str(settings.RENDER_X264_CRF), "-b:v", "0")
    if choice == "h264_nvenc":
        log.warning("RENDER_ENCODER=h264_nvenc but the NVENC probe failed; using libx264")
    return ("-c:v", "libx264", "-preset", settings.RENDER_X264_PRESET, "-crf", str(settings.RENDER_X264_CRF))


@functools.cache
def _nvenc_works() -> bool:
    args = ["-v", "error", "-f", "lavfi", "-i", "color=c=black:s=256x256:r=30", "-frames:v", "1",
            "-c:v", "h264_nvenc", "-f", "null", "-"]
    try:
        run(args, timeout=30, what="NVENC probe")
    except FFmpegError as exc:
        reason = exc.message.strip().splitlines()[-1][-200:] if exc.message.strip() else "no output"
        log.info("NVENC probe failed, encoding with libx264: %s", reason)
        return False
    log.info("NVENC probe succeeded, encoding with h264_nvenc")
    return True
