"""Synthesise the project's own music loops and sound effects into assets/ (deterministic).

    .venv/bin/python scripts/make_audio_assets.py

Every sound is computed here from sines, a seeded noise generator and envelopes: nothing is
sampled or downloaded, so the files are the project's own. A music loop is a whole number of
bars, and every note is written with wrap-around (its tail past the loop end is added to the
loop start), so the loop is exactly periodic: no fade, no level dip, no click at the loop point.
The chord pad under each loop is a chain of Hann windows at half overlap, which sum to a constant
level. Output: assets/bgm/<mood>-*.m4a (mono AAC) and assets/sfx/<name>.wav (mono 16-bit).
"""

from __future__ import annotations

import subprocess
import tempfile
import wave
from pathlib import Path

import numpy as np

SR = 48_000
ASSETS = Path(__file__).resolve().parent.parent / "assets"
NOTE = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


def hz(name: str) -> float:
    """'A4' → 440.0; 'Bb2', 'F#3' too."""
    pitch, octave = name[:-1], int(name[-1])
    semis = NOTE[pitch[0]] + pitch[1:].count("#") - pitch[1:].count("b")
    return 440.0 * 2 ** ((semis + 12 * (octave + 1) - 69) / 12)


class Loop:
    def __init__(self, bpm: float, bars: int, beats_per_bar: int = 4) -> None:
        self.beat = 60.0 / bpm
        self.bar = self.beat * beats_per_bar
        self.n = round(bars * self.bar * SR)
        self.out = np.zeros(self.n)

    def add(self, start_s: float, signal: np.ndarray) -> None:
        """Add ``signal`` at ``start_s``, wrapping what runs past the end to the start."""
        index = (round(start_s * SR) + np.arange(len(signal))) % self.n
        np.add.at(self.out, index, signal)

    def pad(self, chords: list[list[str]], level: float, bars_per_chord: int = 1) -> None:
        """One chord per ``bars_per_chord`` bars, Hann-windowed at half overlap: a constant bed."""
        span = self.bar * bars_per_chord
        length = round(2 * span * SR)
        window = np.hanning(length)
        t = np.arange(length) / SR
        for k, chord in enumerate(chords):
            tone = sum(tone_sine(hz(name), t, harmonics=(1.0, 0.3, 0.12)) for name in chord) / len(chord)
            self.add(k * span - span / 2, level * window * tone)


def tone_sine(freq: float, t: np.ndarray, harmonics: tuple[float, ...] = (1.0,)) -> np.ndarray:
    return sum(a * np.sin(2 * np.pi * freq * (h + 1) * t) for h, a in enumerate(harmonics))


def note(freq: float, seconds: float, *, decay: float, harmonics=(1.0, 0.4, 0.2), attack: float = 0.005) -> np.ndarray:
    t = np.arange(round(seconds * SR)) / SR
    envelope = np.minimum(t / attack, 1.0) * np.exp(-t / decay)
    envelope[-256:] *= np.linspace(1, 0, 256)  # ends at zero: no click where it stops
    return envelope * tone_sine(freq, t, harmonics)


def tick(rng: np.random.Generator, seconds: float = 0.04, decay: float = 0.008) -> np.ndarray:
    t = np.arange(round(seconds * SR)) / SR
    noise = np.diff(rng.standard_normal(len(t) + 1))  # first difference: brighter, hat-like
    return 0.5 * noise * np.exp(-t / decay)


def calm() -> Loop:
    loop = Loop(bpm=72, bars=8)
    chords = [["C3", "E3", "G3", "B3"], ["A2", "C3", "E3", "G3"], ["F2", "A2", "C3", "E3"], ["G2", "B2", "D3", "A3"]]
    loop.pad(chords * 2, level=0.30)
    melody = ["E5", "G5", "B4", "C5", "E5", "A4", "C5", "A4", "F5", "C5", "A4", "E5", "D5", "B4", "G4", "A4"]
    for n, name in enumerate(melody * 2):
        loop.add(n * loop.beat, 0.16 * note(hz(name), 2.5, decay=0.9, harmonics=(1.0, 0.15)))
    return loop


def upbeat() -> Loop:
    loop = Loop(bpm=120, bars=8)
    rng = np.random.default_rng(1)
    chords = [["C3", "E3", "G3"], ["A2", "C3", "E3"], ["F2", "A2", "C3"], ["G2", "B2", "D3"]]
    loop.pad(chords * 2, level=0.32)
    roots = ["C2", "A1", "F1", "G1"] * 2
    riff = ["C5", "E5", "G5", "E5", "A5", "G5", "E5", "D5"]
    for bar, root in enumerate(roots):
        for beat in range(4):
            at = (bar * 4 + beat) * loop.beat
            loop.add(at, 0.22 * note(hz(root), 0.3, decay=0.12, harmonics=(1.0, 0.5, 0.25, 0.12)))
            loop.add(at + loop.beat / 2, 0.25 * tick(rng))
        for step in range(8):
            if (bar + step) % 3 != 2:  # a skipping pattern rather than a wall of eighths
                loop.add(bar * loop.bar + step * loop.beat / 2,
                         0.10 * note(hz(riff[(bar + step) % 8]), 0.25, decay=0.07, harmonics=(1.0, 0.6, 0.3)))
    return loop


def tense() -> Loop:
    loop = Loop(bpm=96, bars=8)
    rng = np.random.default_rng(2)
    chords = [["A2", "E3", "Bb3"], ["A2", "E3", "C4"], ["F2", "C3", "B3"], ["E2", "B2", "G#3"]]
    loop.pad(chords * 2, level=0.40)
    for eighth in range(8 * 8):
        at = eighth * loop.beat / 2
        root = "A1" if (eighth // 16) % 2 == 0 else "F1"
        loop.add(at, 0.30 * note(hz(root), 0.25, decay=0.09, harmonics=(1.0, 0.7, 0.4, 0.2)))
        if eighth % 2:
            loop.add(at, 0.18 * tick(rng, decay=0.004))
    for bar in range(8):  # a high stab on the last beat of each bar
        loop.add((bar * 4 + 3) * loop.beat, 0.08 * note(hz("Bb5"), 1.0, decay=0.4, harmonics=(1.0, 0.2)))
    return loop


def heartfelt() -> Loop:
    loop = Loop(bpm=66, bars=8)
    chords = [["A2", "C3", "E3"], ["F2", "A2", "C3"], ["C3", "E3", "G3"], ["G2", "B2", "D3"]]
    loop.pad(chords * 2, level=0.30)
    arpeggios = [["A3", "E4", "A4", "C5"], ["F3", "C4", "F4", "A4"], ["C4", "G4", "C5", "E5"], ["G3", "D4", "G4", "B4"]]
    for bar in range(8):
        for step, name in enumerate(arpeggios[bar % 4] * 2):
            loop.add(bar * loop.bar + step * loop.beat / 2,
                     0.13 * note(hz(name), 3.0, decay=1.1, harmonics=(1.0, 0.35, 0.1)))
    return loop


def whoosh() -> np.ndarray:
    """Band-passed noise swept up and back down over 0.4 s: a cut's swoosh."""
    rng = np.random.default_rng(3)
    n = round(0.4 * SR)
    t = np.arange(n) / n
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1 / SR)
    out = np.zeros(n)
    for lo in range(0, n, 1200):  # short blocks, each filtered around a moving centre frequency
        centre = 600 + 3000 * np.sin(np.pi * lo / n)
        shaped = np.fft.irfft(spectrum * np.exp(-((freqs - centre) / (0.6 * centre)) ** 2), n)
        out[lo:lo + 1200] = shaped[lo:lo + 1200]
    envelope = np.sin(np.pi * t) ** 2
    return envelope * out / np.max(np.abs(out))


def pop() -> np.ndarray:
    """A 90 ms sine blip falling in pitch: a card popping in."""
    n = round(0.09 * SR)
    t = np.arange(n) / SR
    freq = 900 * np.exp(-t / 0.03) + 500
    phase = 2 * np.pi * np.cumsum(freq) / SR
    envelope = np.minimum(t / 0.002, 1.0) * np.exp(-t / 0.025)
    envelope[-128:] *= np.linspace(1, 0, 128)
    return envelope * np.sin(phase)


def pcm16(signal: np.ndarray, peak_db: float) -> bytes:
    scaled = signal / np.max(np.abs(signal)) * 10 ** (peak_db / 20)
    return (np.clip(scaled, -1, 1) * 32767).round().astype("<i2").tobytes()


def write_wav(path: Path, signal: np.ndarray, peak_db: float) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SR)
        out.writeframes(pcm16(signal, peak_db))


def write_m4a(path: Path, signal: np.ndarray) -> None:
    with tempfile.TemporaryDirectory() as folder:
        raw = Path(folder) / "loop.wav"
        write_wav(raw, signal, peak_db=-3.0)
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(raw), "-c:a", "aac", "-b:a", "48k",
                        "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact", str(path)], check=True)


MOODS = {"calm": calm, "upbeat": upbeat, "tense": tense, "heartfelt": heartfelt}
EFFECTS = {"whoosh": whoosh, "pop": pop}


def main() -> None:
    (ASSETS / "bgm").mkdir(parents=True, exist_ok=True)
    (ASSETS / "sfx").mkdir(parents=True, exist_ok=True)
    for mood, make in MOODS.items():
        loop = make()
        path = ASSETS / "bgm" / f"{mood}-loop.m4a"
        write_m4a(path, loop.out)
        print(f"{path.relative_to(ASSETS.parent)}: {loop.n / SR:.2f} s, {path.stat().st_size // 1024} KB")
    for name, make in EFFECTS.items():
        path = ASSETS / "sfx" / f"{name}.wav"
        write_wav(path, make(), peak_db=-6.0)
        print(f"{path.relative_to(ASSETS.parent)}: {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
