"""Render test inputs and fixtures: espeak-ng narration with a timings dict in the speech
contract's shape, generated images, and a Latin-only font for the tofu checks.

Test modules import the fixtures from here (a conftest of our own would collide with the
script/speech tests' conftest in this folder).
"""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import pytest
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from PIL import Image, ImageDraw

from tests.conftest import require, require_binary

FFPROBE = "/usr/bin/ffprobe"


@pytest.fixture
def media_tools(settings):
    """espeak-ng, sox and ffprobe present; libx264 ultrafast keeps test renders short."""
    require_binary("espeak-ng")
    require_binary("sox")
    require(Path(FFPROBE).exists(), "ffprobe (Debian package ffmpeg)")
    settings.RENDER_X264_PRESET = "ultrafast"
    settings.RENDER_ENCODER = "libx264"


def narration(folder: Path, sentences: list[str], *, pad_to_s: float = 0.0) -> tuple[Path, dict]:
    """48 kHz mono WAV of the sentences plus timings: sentence times measured, words spread by length."""
    folder.mkdir(parents=True, exist_ok=True)
    clips, timing_sentences, at = [], [], 0
    for number, text in enumerate(sentences):
        raw, clip = folder / f"raw{number}.wav", folder / f"s{number}.wav"
        subprocess.run(["espeak-ng", "-v", "ko", "-w", str(raw), text], check=True)
        subprocess.run(["sox", str(raw), "-r", "48000", "-c", "1", "-b", "16", str(clip)], check=True)
        ms = _wav_ms(clip)
        timing_sentences.append({"text": text, "start_ms": at, "end_ms": at + ms, "words": _words(text, at, ms)})
        clips.append(str(clip))
        at += ms
    audio = folder / "audio.wav"
    subprocess.run(["sox", *clips, str(audio), *(["pad", "0", f"{pad_to_s}"] if pad_to_s else [])], check=True)
    total = _wav_ms(audio)
    if pad_to_s:
        timing_sentences[-1]["end_ms"] = total
    return audio, {"duration_ms": total, "sentences": timing_sentences}


def _wav_ms(path: Path) -> int:
    with wave.open(str(path)) as handle:
        return round(handle.getnframes() * 1000 / handle.getframerate())


def _words(text: str, start: int, ms: int) -> list[dict]:
    words, total, at = [], len(text.replace(" ", "")), start
    for word in text.split():
        span = ms * len(word) // total
        words.append({"text": word, "start_ms": at, "end_ms": at + span})
        at += span
    return words


def make_images(folder: Path, count: int) -> list[Path]:
    """Photos of different shapes (portrait, landscape, square) with shapes on them."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        size = [(800, 600), (1200, 1600), (640, 640)][index % 3]
        image = Image.new("RGB", size, (30 * index % 255, 90, 200 - 20 * index))
        draw = ImageDraw.Draw(image)
        for k in range(12):
            x, y = (k * 97 + index * 31) % size[0], (k * 61 + index * 17) % size[1]
            draw.ellipse((x, y, x + 120, y + 90), fill=((k * 40) % 255, (index * 50) % 255, 120))
        path = folder / f"{index:02d}.jpg"
        image.save(path, quality=90)
        paths.append(path)
    return paths


@pytest.fixture
def latin_only_font(tmp_path) -> Path:
    """A real TrueType font with glyphs for A-Z and space only: Hangul in it would be tofu."""
    names = [".notdef", "space", *[chr(c) for c in range(ord("A"), ord("Z") + 1)]]
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({32: "space", **{c: chr(c) for c in range(ord("A"), ord("Z") + 1)}})
    glyphs = {name: _box_glyph(name != "space") for name in names}
    builder.setupGlyf(glyphs)
    builder.setupHorizontalMetrics({name: (600, 0) for name in names})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "LatinOnly", "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=800, usWinAscent=800, usWinDescent=200)
    builder.setupPost()
    path = tmp_path / "latin-only.ttf"
    builder.save(str(path))
    return path


def _box_glyph(ink: bool):
    pen = TTGlyphPen(None)
    if ink:
        pen.moveTo((50, 0))
        pen.lineTo((50, 700))
        pen.lineTo((550, 700))
        pen.lineTo((550, 0))
        pen.closePath()
    return pen.glyph()
