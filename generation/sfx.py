"""Sound effects of a short as one track: each effect file placed at its cue times.

One WAV input for the render instead of an adelay branch per cue in the filter graph. The files
(whoosh.wav, pop.wav in RENDER_SFX_DIR) are the project's own, see assets/README.md.
"""

from __future__ import annotations

import math
import wave
from pathlib import Path

import numpy as np

RATE = 48_000


def sound_load(path: Path) -> np.ndarray | None:
    """A mono 48 kHz 16-bit WAV's samples, or None when the file is missing or of another format."""
    try:
        with wave.open(str(path), "rb") as sound:
            if (sound.getnchannels(), sound.getframerate(), sound.getsampwidth()) != (1, RATE, 2):
                return None
            return np.frombuffer(sound.readframes(sound.getnframes()), "<i2").astype(np.float64)
    except (OSError, EOFError, wave.Error):
        return None


def track_write(cues: dict[str, list[float]], folder: Path | str, seconds: float, path: Path) -> dict:
    """Write the track of ``cues`` ({effect name: [seconds]}) to ``path``; the cues it placed
    (an effect whose file is missing is left out), {} and no file when there is nothing to play."""
    sounds = {name: sound_load(Path(folder) / f"{name}.wav") if folder else None for name in cues}
    placed = {name: times for name, times in cues.items() if sounds[name] is not None and times}
    if not placed:
        return {}
    track = np.zeros(math.ceil(seconds * RATE))
    for name, times in placed.items():
        for at in times:
            begin = min(max(round(at * RATE), 0), len(track))
            piece = sounds[name][:len(track) - begin]
            track[begin:begin + len(piece)] += piece
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(np.clip(track, -32768, 32767).astype("<i2").tobytes())
    return placed
