"""TTS engines behind one interface, and the sentence cache in front of them.

An engine turns one spoken sentence into a ``Clip``: 48 kHz mono s16 PCM, decoded by ffmpeg from
whatever the engine produced, so its duration is measured rather than predicted, plus word timings
when the engine reports them (edge-tts WordBoundary events) or None. ``EngineError`` means "this
engine cannot speak now"; the caller moves on to the next engine in the chain.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
import time
import wave
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import edge_tts
from django.conf import settings

from wagglebot.lib import ffmpeg
from wagglebot.lib.stages import StageError


class SpeechError(StageError):
    """No speech: every engine failed, or nothing is speakable (permanent)."""


log = logging.getLogger(__name__)

SAMPLE_RATE = 48_000
EDGE_TICKS_PER_MS = 10_000  # edge-tts offsets and durations are in 100 ns units
ESPEAK_DEFAULT_WPM = 175


class EngineError(Exception):
    """The engine cannot synthesize right now (offline, blocked, missing binary, bad output)."""


@dataclass
class Clip:
    pcm: bytes
    words: list[dict] | None = None

    @property
    def samples(self) -> int:
        return len(self.pcm) // 2

    @property
    def duration_ms(self) -> int:
        return round(self.samples * 1000 / SAMPLE_RATE)


def decode(path: Path) -> bytes:
    """Any audio file → 48 kHz mono s16le PCM."""
    try:
        binary = ffmpeg.ffmpeg_path()
    except ffmpeg.FFmpegError as exc:  # every engine decodes with it: no engine can help
        raise SpeechError(exc.message, permanent=True) from exc
    command = [binary, "-v", "error", "-i", str(path), "-ac", "1", "-ar", str(SAMPLE_RATE),
               "-f", "s16le", "-acodec", "pcm_s16le", "-"]
    try:
        result = subprocess.run(command, capture_output=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise EngineError(f"ffmpeg could not decode {path.name}: {exc}") from exc
    if result.returncode != 0 or not result.stdout:
        raise EngineError(f"ffmpeg could not decode {path.name}: {result.stderr.decode(errors='replace')[-300:]}")
    return result.stdout


def rate_percent(rate: str) -> int:
    match = re.fullmatch(r"([+-]?\d+)%", rate.strip())
    if not match:
        raise EngineError(f"TTS rate {rate!r} is not like +10% or -5%")
    return int(match[1])


class Engine:
    name = ""

    def __init__(self, voice: str, rate: str = "+0%") -> None:
        self.voice = voice
        self.rate = rate

    def clip(self, text: str) -> Clip:
        raise NotImplementedError


class Espeak(Engine):
    """espeak-ng, offline: robotic but always there (the demo's and the tests' voice)."""

    name = "espeak"

    def clip(self, text: str) -> Clip:
        binary = shutil.which("espeak-ng")
        if binary is None:
            raise EngineError("espeak-ng is not installed")
        speed = round(ESPEAK_DEFAULT_WPM * (100 + rate_percent(self.rate)) / 100)
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "clip.wav"
            command = [binary, "-v", self.voice, "-s", str(speed), "-w", str(out), "--", text]
            try:
                result = subprocess.run(command, capture_output=True, timeout=60, check=False)
            except subprocess.TimeoutExpired as exc:
                raise EngineError("espeak-ng timed out") from exc
            if result.returncode != 0 or not out.exists():
                raise EngineError(f"espeak-ng failed: {result.stderr.decode(errors='replace')[-300:]}")
            return Clip(pcm=decode(out))


class EdgeTTS(Engine):
    """Microsoft Edge's online voices through edge-tts, with word boundaries."""

    name = "edge"

    def clip(self, text: str) -> Clip:
        retries = max(settings.TTS_EDGE_RETRIES, 1)
        for attempt in range(1, retries + 1):
            try:
                audio, words = asyncio.run(self._stream(text))
                return self._decoded(audio, words)
            except aiohttp.ClientResponseError as exc:
                if exc.status == 403:
                    # edge-tts already retried once with a corrected clock; a second 403 is a block.
                    raise EngineError(f"edge-tts refused the request (HTTP 403: {exc.message})") from exc
                reason = f"HTTP {exc.status}"
            except (TimeoutError, aiohttp.ClientError, edge_tts.exceptions.EdgeTTSException, OSError) as exc:
                reason = f"{type(exc).__name__}: {exc}".rstrip(": ")
            log.warning("edge-tts attempt %d/%d failed: %s", attempt, retries, reason)
            if attempt < retries:
                time.sleep(settings.TTS_EDGE_BACKOFF_SECONDS * 2 ** (attempt - 1))
        raise EngineError(f"edge-tts failed {retries} times, last: {reason}")

    async def _stream(self, text: str) -> tuple[bytes, list[dict]]:
        timeout = settings.TTS_EDGE_TIMEOUT_SECONDS
        communicate = edge_tts.Communicate(
            text, self.voice, rate=self.rate, boundary="WordBoundary",
            connect_timeout=timeout, receive_timeout=timeout,
        )
        audio, words = bytearray(), []
        async for event in communicate.stream():
            if event["type"] == "audio":
                audio += event["data"]
            elif event["type"] == "WordBoundary":
                start = event["offset"] / EDGE_TICKS_PER_MS
                end = (event["offset"] + event["duration"]) / EDGE_TICKS_PER_MS
                words.append({"text": event["text"], "start_ms": round(start), "end_ms": round(end)})
        return bytes(audio), words

    def _decoded(self, audio: bytes, words: list[dict]) -> Clip:
        if not audio:
            raise EngineError("edge-tts returned no audio")
        with tempfile.TemporaryDirectory() as folder:
            mp3 = Path(folder) / "clip.mp3"
            mp3.write_bytes(audio)
            return Clip(pcm=decode(mp3), words=words or None)


ENGINES: dict[str, type[Engine]] = {"edge": EdgeTTS, "espeak": Espeak}


def engines_from_settings() -> list[Engine]:
    voices = {"edge": settings.TTS_EDGE_VOICE, "espeak": settings.TTS_ESPEAK_VOICE}
    unknown = [name for name in settings.TTS_ENGINES if name not in ENGINES]
    if unknown or not settings.TTS_ENGINES:
        raise EngineError(f"TTS_ENGINES must list engines from {sorted(ENGINES)}, got {settings.TTS_ENGINES}")
    return [ENGINES[name](voices[name], settings.TTS_RATE) for name in settings.TTS_ENGINES]


class ClipCache:
    """Synthesized sentences by (engine, voice, rate, text): a re-render costs no TTS calls."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def key(self, engine: Engine, text: str) -> str:
        raw = "\0".join([engine.name, engine.voice, engine.rate, text])
        return hashlib.sha256(raw.encode()).hexdigest()

    def get(self, engine: Engine, text: str) -> Clip | None:
        base = self.folder / engine.name / self.key(engine, text)
        try:
            with wave.open(str(base.with_suffix(".wav")), "rb") as audio:
                pcm = audio.readframes(audio.getnframes())
            words = json.loads(base.with_suffix(".json").read_text())
        except (OSError, EOFError, wave.Error, json.JSONDecodeError):
            return None
        return Clip(pcm=pcm, words=words)

    def put(self, engine: Engine, text: str, clip: Clip) -> None:
        base = self.folder / engine.name / self.key(engine, text)
        base.parent.mkdir(parents=True, exist_ok=True)
        # Write, then rename: a crash never leaves a half clip that a later run would trust.
        write_wav(base.with_suffix(".wav.tmp"), clip.pcm)
        base.with_suffix(".json.tmp").write_text(json.dumps(clip.words))
        os.replace(base.with_suffix(".json.tmp"), base.with_suffix(".json"))
        os.replace(base.with_suffix(".wav.tmp"), base.with_suffix(".wav"))


def write_wav(path: Path, pcm: bytes) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(pcm)
