"""Sentences → one narration WAV (48 kHz mono s16) with sentence and word timings.

Each sentence is normalised (``normalize``), synthesized on its own and measured after decoding,
so sentence timings are exact whatever the engine. Word timings come from the engine's events
(edge-tts WordBoundary, libespeak-ng word events) or, when the engine has none (the espeak-ng
CLI), are spread by syllable count inside the measured sentence. Engines are tried in the
``TTS_ENGINES`` order; a short spoken by a later engine than the first is a fallback
(``meta["fallback"]``, with the reason): ``short_voice_fell_back`` tells the publishing side to
hold it for a person.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Q

from generation.normalize import normalize
from generation.tts import (
    SAMPLE_RATE,
    Clip,
    ClipCache,
    Engine,
    EngineError,
    SpeechError,
    engines_from_settings,
    write_wav,
)
from wagglebot.lib.atomic import atomic_path

__all__ = ["Speech", "normalize", "short_voice_fell_back", "synthesize", "voice_fell_back"]

log = logging.getLogger(__name__)


@dataclass
class Speech:
    audio_path: Path
    duration_ms: int
    timings: dict
    meta: dict


def synthesize(sentences: list[str], out_dir: Path, *, comments: list[str] = ()) -> Speech:
    """Speak ``sentences``, then ``comments``, into ``out_dir/audio.wav`` (+ ``timings.json``).

    A comment's timing entry carries ``"comment": <its index in comments>`` so the render shows
    each comment's card while it is read; comments are read in the engine's second voice when it
    has one (``meta["comment_voice"]``). SpeechError when nothing can be spoken.
    """
    lines = [(normalize(text), None) for text in sentences] + [(normalize(text), n) for n, text in enumerate(comments)]
    lines = [(text, comment) for text, comment in lines if text]
    spoken = [text for text, _ in lines]
    if not spoken:
        raise SpeechError("nothing to speak after normalisation", permanent=True)
    try:
        engines = engines_from_settings()
    except EngineError as exc:
        raise SpeechError(str(exc), permanent=True) from exc
    failures: list[str] = []
    story = [text for text, comment in lines if comment is None]
    read = [text for text, comment in lines if comment is not None]
    for engine in engines:
        try:
            clips, cached = _clips(engine, story)
            comment_clips, comment_cached = _clips(engine.commenter(), read)
        except EngineError as exc:
            log.warning("TTS engine %s failed, trying the next one: %s", engine.name, exc)
            failures.append(f"{engine.name}: {exc}")
            continue
        meta = {
            "engine": engine.name, "voice": engine.voice, "rate": engine.rate,
            "wanted": engines[0].name, "fallback": engine is not engines[0],
            "comment_voice": engine.commenter().voice if read else None,
            "fallback_reason": "; ".join(failures), "cached_sentences": cached + comment_cached,
            "word_timings": "engine" if all(clip.words for clip in clips + comment_clips) else "spread",
        }
        return _assemble(lines, clips + comment_clips, Path(out_dir), meta)
    raise SpeechError("; ".join(failures))


def short_voice_fell_back(short) -> bool:
    """Whether ``short`` was spoken by a fallback engine rather than the first configured one."""
    speech = (short.generation_meta or {}).get("engines", {}).get("speech", {})
    # Before the flag was a bool it was the failure text: non-empty meant a fallback as well.
    return bool(speech.get("fallback"))


def voice_fell_back() -> Q:
    """The query form of ``short_voice_fell_back``, for Short querysets.

    Exclude posts through a subquery of these shorts, not with ``exclude(short__…)``: a missing
    key compares as NULL there and would exclude every short without speech meta.
    """
    return Q(generation_meta__engines__speech__fallback=True)


def cache_dir() -> Path:
    return Path(settings.TTS_CACHE_DIR or Path(settings.MEDIA_ROOT) / "tts-cache")


def _clips(engine: Engine, spoken: list[str]) -> tuple[list[Clip], int]:
    cache = ClipCache(cache_dir())
    clips, cached = [], 0
    for text in spoken:
        clip = cache.get(engine, text)
        if clip is None:
            clip = engine.clip(text)
            if clip.samples == 0:
                raise EngineError(f"{engine.name} produced no audio for {text!r}")
            cache.put(engine, text, clip)
        else:
            cached += 1
        clips.append(clip)
    return clips, cached


def _assemble(lines: list[tuple[str, int | None]], clips: list[Clip], out_dir: Path, meta: dict) -> Speech:
    gap = b"\0\0" * (SAMPLE_RATE * settings.TTS_SENTENCE_GAP_MS // 1000)
    pcm, sentences = bytearray(), []
    for n, ((text, comment), clip) in enumerate(zip(lines, clips, strict=True)):
        if n:
            pcm += gap
        start = _ms(len(pcm) // 2)
        pcm += clip.pcm
        end = _ms(len(pcm) // 2)
        words = _offset_words(clip.words, start, end) if clip.words else spread_words(text, start, end)
        sentences.append({"text": text, "start_ms": start, "end_ms": end, "words": words})
        if comment is not None:
            sentences[-1]["comment"] = comment
    duration = _ms(len(pcm) // 2)
    timings = {"duration_ms": duration, "sentences": sentences}
    out_dir.mkdir(parents=True, exist_ok=True)
    audio_path = out_dir / "audio.wav"
    with atomic_path(audio_path) as partial:
        write_wav(partial, bytes(pcm))
    with atomic_path(out_dir / "timings.json") as partial:
        partial.write_text(json.dumps(timings, ensure_ascii=False, indent=1), encoding="utf-8")
    return Speech(audio_path=audio_path, duration_ms=duration, timings=timings, meta=meta)


def _ms(samples: int) -> int:
    return round(samples * 1000 / SAMPLE_RATE)


def _offset_words(words: list[dict], start: int, end: int) -> list[dict]:
    """Engine word times are relative to the clip; clamp them into the measured sentence.

    A last word that ends with its clip (espeak's) ends with the sentence: the clip's length was
    rounded to milliseconds on its own and could miss the sentence's end by 1 ms.
    """
    placed = [
        {
            "text": word["text"],
            "start_ms": min(start + word["start_ms"], end),
            "end_ms": min(start + max(word["end_ms"], word["start_ms"]), end),
        }
        for word in words
    ]
    if abs(placed[-1]["end_ms"] - end) <= 1:
        placed[-1]["end_ms"] = end
    return placed


def spread_words(text: str, start: int, end: int) -> list[dict]:
    """Word times for engines without boundaries: the sentence's time shared by syllable count."""
    words = text.split()
    weights = [max(len(re.findall(r"[가-힣A-Za-z0-9]", word)), 1) for word in words]
    total, cursor, out = sum(weights), 0, []
    for word, weight in zip(words, weights, strict=True):
        word_start = start + round((end - start) * cursor / total)
        cursor += weight
        out.append({"text": word, "start_ms": word_start, "end_ms": start + round((end - start) * cursor / total)})
    return out
