"""TTS engines behind one interface, and the sentence cache in front of them.

An engine turns one spoken sentence into a ``Clip``: 48 kHz mono s16 PCM, decoded by ffmpeg from
whatever the engine produced and trimmed of the silence around the speech, so its duration is
measured rather than predicted, plus word timings from the engine's own events (edge-tts
WordBoundary, libespeak-ng word events) or None. ``EngineError`` means "this
engine cannot speak now"; the caller moves on to the next engine in the chain.
"""

from __future__ import annotations

import array
import asyncio
import hashlib
import json
import logging
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

from generation import espeak
from wagglebot.lib import ffmpeg
from wagglebot.lib.atomic import atomic_path
from wagglebot.lib.stages import StageError


class SpeechError(StageError):
    """No speech: every engine failed, or nothing is speakable (permanent)."""


log = logging.getLogger(__name__)

SAMPLE_RATE = 48_000
EDGE_TICKS_PER_MS = 10_000  # edge-tts offsets and durations are in 100 ns units
TRIM_THRESHOLD = 300  # about −40 dBFS: quieter samples at a clip's ends are not speech
TRIM_PAD_MS = 20  # kept around the speech so a soft onset or release is not clipped
# Each espeak sentence is re-spoken at a corrected rate when its syllables per second (over its
# voiced span) fall outside the band; short sentences are left alone.
PACE_BAND = (6.4, 7.4)
PACE_TARGET = 6.9
PACE_MIN_SYLLABLES = 8
ESPEAK_WPM_RANGE = (160, 320)
CACHE_VERSION = "2"  # bumped when a clip's content changes for the same engine, voice, rate, text


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


class Engine:
    name = ""

    def __init__(self, voice: str, rate: str, comment_voice: str = "") -> None:
        self.voice = voice
        self.rate = rate
        self.comment_voice = comment_voice

    def commenter(self) -> Engine:
        """The same engine in its second voice, which reads the comments (this one if it has none)."""
        if not self.comment_voice or self.comment_voice == self.voice:
            return self
        return type(self)(self.comment_voice, self.rate)

    def clip(self, text: str) -> Clip:
        """``text`` spoken, without the silence engines put before and after it."""
        return trim_silence(self.speak(text))

    def speak(self, text: str) -> Clip:
        raise NotImplementedError


class Espeak(Engine):
    """espeak-ng, offline: robotic but always there (the demo's and the tests' voice).

    The rate is espeak's words per minute (``-s``). Word timings come from libespeak-ng's word
    events; where the library cannot load, the CLI speaks and the words are spread instead.
    """

    name = "espeak"

    def speak(self, text: str) -> Clip:
        try:
            lib = espeak.library()
        except espeak.LibraryUnavailable as exc:
            log.warning("libespeak-ng unavailable, using the espeak-ng CLI: %s", exc)
            return self._speak_cli(text)
        base = self.words_per_minute()
        synthesis = self._synthesize(lib, text, base)
        paced = paced_rate(text, synthesis, base)
        if paced != base:
            synthesis = self._synthesize(lib, text, paced)
        with tempfile.TemporaryDirectory() as folder:
            raw = Path(folder) / "clip.wav"
            write_wav(raw, synthesis.pcm, synthesis.sample_rate)
            pcm = decode(raw)
        return Clip(pcm=pcm, words=words_from_events(text, synthesis.words, round(len(pcm) / 2 * 1000 / SAMPLE_RATE)))

    def _synthesize(self, lib: espeak.Library, text: str, words_per_minute: int) -> espeak.Synthesis:
        try:
            synthesis = lib.speak(text, self.voice, words_per_minute)
        except espeak.SynthError as exc:
            raise EngineError(str(exc)) from exc
        if not synthesis.pcm:
            raise EngineError(f"libespeak-ng produced no audio for {text!r}")
        return synthesis

    def words_per_minute(self) -> int:
        if not self.rate.isdigit():
            raise EngineError(f"TTS_ESPEAK_RATE {self.rate!r} is not words per minute like 220")
        return int(self.rate)

    def _speak_cli(self, text: str) -> Clip:
        binary = shutil.which("espeak-ng")
        if binary is None:
            raise EngineError("espeak-ng is not installed")
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "clip.wav"
            command = [binary, "-v", self.voice, "-s", str(self.words_per_minute()), "-w", str(out), "--", text]
            try:
                result = subprocess.run(command, capture_output=True, timeout=60, check=False)
            except subprocess.TimeoutExpired as exc:
                raise EngineError("espeak-ng timed out") from exc
            if result.returncode != 0 or not out.exists():
                raise EngineError(f"espeak-ng failed: {result.stderr.decode(errors='replace')[-300:]}")
            return Clip(pcm=decode(out))


def paced_rate(text: str, synthesis: espeak.Synthesis, words_per_minute: int) -> int:
    """The rate that brings this sentence into the pace band, or ``words_per_minute`` if it is in.

    espeak's words per minute do not map to one syllable rate: a list read with commas or a run of
    one-syllable words comes out a third slower than plain prose at the same setting.
    """
    syllables = count_syllables(text)
    span = voiced_span(array.array("h", synthesis.pcm))
    if syllables < PACE_MIN_SYLLABLES or span is None:
        return words_per_minute  # too short to measure a pace
    rate = syllables * synthesis.sample_rate / (span[1] - span[0] + 1)
    if PACE_BAND[0] <= rate <= PACE_BAND[1]:
        return words_per_minute
    wanted = round(words_per_minute * PACE_TARGET / rate)
    return min(max(wanted, ESPEAK_WPM_RANGE[0]), ESPEAK_WPM_RANGE[1])


def count_syllables(text: str) -> int:
    return len(re.findall(r"[가-힣]", text))


def voiced_span(samples: array.array) -> tuple[int, int] | None:
    """First and last sample louder than the trim threshold; None for a silent clip."""
    first = next((n for n, v in enumerate(samples) if abs(v) > TRIM_THRESHOLD), None)
    if first is None:
        return None
    last = next(n for n in range(len(samples) - 1, -1, -1) if abs(samples[n]) > TRIM_THRESHOLD)
    return first, last


def words_from_events(text: str, events: list[tuple[int, int]], length_ms: int) -> list[dict] | None:
    """Word timings from (character position, ms) word events; None without events.

    espeak sometimes speaks a short word together with its neighbour and reports one event for
    both, drops the first word's event, or adds an event at position −1 at the very end. So events
    map to words by character position; the first word starts with the clip; any other word
    without an event shares the span of the word before it. A word ends where the next word with
    a later onset starts.
    """
    spans = [(match.start(), match.end(), match[0]) for match in re.finditer(r"\S+", text)]
    starts: list[int | None] = [None] * len(spans)
    for position, ms in events:
        index = next((n for n, (begin, end, _) in enumerate(spans) if begin <= position < end), None)
        if index is not None and starts[index] is None:
            starts[index] = min(ms, length_ms)
    if not spans or all(ms is None for ms in starts):
        return None
    filled, last = [], 0
    for ms in starts:
        last = max(last, ms) if ms is not None else last  # onsets never go backwards
        filled.append(last)
    ends = [next((later for later in filled[n + 1 :] if later > ms), length_ms) for n, ms in enumerate(filled)]
    return [
        {"text": word, "start_ms": start, "end_ms": end}
        for (_, _, word), start, end in zip(spans, filled, ends, strict=True)
    ]


def trim_silence(clip: Clip) -> Clip:
    """Cut the quiet before and after the speech, keeping a short pad; word times move along."""
    samples = array.array("h", clip.pcm)
    span = voiced_span(samples)
    if span is None:
        return clip
    first, last = span
    pad = SAMPLE_RATE * TRIM_PAD_MS // 1000
    begin, end = max(first - pad, 0), min(last + pad + 1, len(samples))
    pcm = clip.pcm[begin * 2 : end * 2]
    if not clip.words:
        return Clip(pcm=pcm, words=clip.words)
    shift, length = round(begin * 1000 / SAMPLE_RATE), round((end - begin) * 1000 / SAMPLE_RATE)
    words = [
        {**word, "start_ms": min(max(word["start_ms"] - shift, 0), length),
         "end_ms": min(max(word["end_ms"] - shift, 0), length)}
        for word in clip.words
    ]
    return Clip(pcm=pcm, words=words)


class EdgeTTS(Engine):
    """Microsoft Edge's online voices through edge-tts, with word boundaries."""

    name = "edge"

    def speak(self, text: str) -> Clip:
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
    voices = {
        "edge": (settings.TTS_EDGE_VOICE, settings.TTS_EDGE_RATE, settings.TTS_EDGE_COMMENT_VOICE),
        "espeak": (settings.TTS_ESPEAK_VOICE, str(settings.TTS_ESPEAK_RATE), settings.TTS_ESPEAK_COMMENT_VOICE),
    }
    unknown = [name for name in settings.TTS_ENGINES if name not in ENGINES]
    if unknown or not settings.TTS_ENGINES:
        raise EngineError(f"TTS_ENGINES must list engines from {sorted(ENGINES)}, got {settings.TTS_ENGINES}")
    return [ENGINES[name](*voices[name]) for name in settings.TTS_ENGINES]


class ClipCache:
    """Synthesized sentences by (engine, voice, rate, text): a re-render costs no TTS calls."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def key(self, engine: Engine, text: str) -> str:
        raw = "\0".join([CACHE_VERSION, engine.name, engine.voice, engine.rate, text])
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
        # Write, then rename: a crash or a full disk never leaves a half clip a later run would trust.
        with atomic_path(base.with_suffix(".wav")) as audio, atomic_path(base.with_suffix(".json")) as words:
            write_wav(audio, clip.pcm)
            words.write_text(json.dumps(clip.words))


def write_wav(path: Path, pcm: bytes, sample_rate: int = SAMPLE_RATE) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(pcm)
