"""Audio for speech recognition: a clip → mono 16 kHz s16 WAV, band-limited to speech, denoised.

Both STT engines were trained on 16 kHz speech. The 200 Hz high-pass removes hum and handling
noise and the 3.8 kHz low-pass the hiss above the speech band, which community clips (phone
recordings, music under the talk) are full of. Then the first denoiser this ffmpeg has:
``afftdn`` (FFT), else ``anlmdn`` (non-local means, much slower), else none. The filter chain
actually used is returned, so a transcript records how its audio was made.
"""

from __future__ import annotations

import functools
import logging
import re
from pathlib import Path

from wagglebot.lib import ffmpeg
from wagglebot.lib.stages import StageError

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
BAND = "highpass=f=200,lowpass=f=3800"
DENOISERS = ("afftdn", "anlmdn")
EXTRACT_TIMEOUT_SECONDS = 300


class AudioError(StageError):
    """No audio for recognition: ffmpeg failed (or, permanently, the clip has no audio stream)."""


@functools.cache
def available_filters() -> frozenset[str]:
    """The filter names this ffmpeg build lists in ``ffmpeg -filters``, read once per process."""
    try:
        done = ffmpeg.run(["-filters"], timeout=30, what="ffmpeg -filters")
    except ffmpeg.FFmpegError:
        return frozenset()  # the extraction itself will then report what is wrong with ffmpeg
    # Lines look like " TSC afftdn            A->A       Denoise audio samples using FFT."
    return frozenset(re.findall(r"^ [A-Z.]{2,3} +(\w+) +\S*->", done.stdout, flags=re.MULTILINE))


def filter_chains() -> list[str]:
    """The chains to try in order: with each denoiser this ffmpeg lists, then with none."""
    listed = available_filters()
    return [f"{BAND},{name}" for name in DENOISERS if name in listed] + [BAND]


def extract(clip: Path, out: Path) -> str:
    """Write ``clip``'s first audio stream to ``out`` as recognition audio; the chain used.

    A listed denoiser can still fail: the imageio-ffmpeg 9.0 build aborts in ``anlmdn`` on every
    input (malloc_consolidate), so a failed chain falls through to the next one.
    """
    failures = []
    for chain in filter_chains():
        args = ["-v", "error", "-i", str(clip), "-map", "0:a:0", "-vn", "-af", chain,
                "-ac", "1", "-ar", str(SAMPLE_RATE), "-c:a", "pcm_s16le", "-f", "wav", "-y", str(out)]
        try:
            ffmpeg.run(args, timeout=EXTRACT_TIMEOUT_SECONDS, what="audio extraction")
            return chain
        except ffmpeg.FFmpegError as exc:
            if "matches no streams" in exc.message:
                raise AudioError(f"{clip.name} has no audio stream", permanent=True) from exc
            if exc.permanent:  # ffmpeg itself cannot run
                raise AudioError(exc.message, permanent=True) from exc
            log.warning("audio extraction with %s failed, trying the next chain: %s", chain, exc.message[-300:])
            failures.append(exc)
    raise AudioError(failures[-1].message) from failures[-1]
