"""The "listen" segment of a video short: the clip's own speech, heard clean, before the narration.

When the post's clip has sound and its transcript may be narrated (a person confirmed it, or the
engine was confident), the short opens with the clip's first seconds at their own level, the
narration silent, captioned from the transcript; the narration and the comments follow, every
timing shifted by the segment. The segment ends at a transcript segment boundary (an utterance
the engine heard), so no one is cut off mid-word, after at most LISTEN_MAX_SECONDS and within
the short's length budget: a listener hears what the narration then talks about, not the whole clip.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generation.render import RenderJob

LISTEN_MAX_SECONDS = 8.0
# Shorter than this is a blip before the narration rather than something to listen to.
LISTEN_MIN_SECONDS = 1.5
# A breath after the last word heard before the narration starts.
TAIL_SECONDS = 0.3
# Without the engine's segment times the text is spread evenly over the clip in chunks this long.
EVEN_CHUNK_WORDS = 4


@dataclass(frozen=True)
class Listen:
    ms: int
    # Caption sentences in the narration timings' format, in the clip's (and the short's) time.
    sentences: list[dict]
    timing: str  # "segments": the engine's utterance times; "even": spread over the clip

    @property
    def seconds(self) -> float:
        return self.ms / 1000

    def to_meta(self) -> dict:
        return {"ms": self.ms, "timing": self.timing, "captions": len(self.sentences),
                "text": " ".join(s["text"] for s in self.sentences)}


def job_with_listen(job: RenderJob, max_seconds: float) -> RenderJob:
    """The render job opening with the clip's own speech when it shows a clip with sound and a
    transcript with a whole utterance within the budget; its narration then starts after it."""
    shown = job.clip is not None and job.layout in ("auto", "video")  # as the render's clip_shown()
    if not (shown and job.clip_audio and job.transcript):
        return job
    budget = max_seconds - job.duration_ms / 1000
    listen = listen_plan(job.transcript.get("text", ""), job.transcript.get("segments"), job.clip_seconds, budget)
    if listen is None:
        return job
    return replace(job, listen=listen, duration_ms=job.duration_ms + listen.ms,
                   timings=timings_shifted(job.timings, listen.ms))


def listen_plan(text: str, segments: list[dict] | None, clip_seconds: float, budget_s: float) -> Listen | None:
    """The segment to open the short with, or None when there is no whole utterance to play.

    ``segments`` are the engine's utterances (``{"start", "end", "text"}``, seconds into the clip);
    ``text`` is what may be shown, a person's correction included, spread over them by word count.
    """
    limit = min(LISTEN_MAX_SECONDS, budget_s, clip_seconds)
    words = text.split()
    if not words or limit < LISTEN_MIN_SECONDS:
        return None
    timing = "segments" if segments else "even"
    spans = _spans(words, segments) if segments else _even_spans(words, clip_seconds)
    taken = []
    for span in spans:
        if span[1] > limit:
            break
        taken.append(span)
    if not taken:
        return None
    end = min(taken[-1][1] + TAIL_SECONDS, limit)
    if end < LISTEN_MIN_SECONDS:
        return None
    sentences = [{"text": said, "start_ms": round(start * 1000), "end_ms": round(stop * 1000)}
                 for start, stop, said in taken if said]
    return Listen(ms=round(end * 1000), sentences=sentences, timing=timing) if sentences else None


def _spans(words: list[str], segments: list[dict]) -> list[tuple[float, float, str]]:
    """(start, end, text) per engine segment, the shown words shared out as the heard ones were."""
    counts = [max(len(str(segment.get("text", "")).split()), 1) for segment in segments]
    total, done, cut, spans = sum(counts), 0, 0, []
    for segment, count in zip(segments, counts, strict=True):
        done += count
        upto = round(len(words) * done / total)
        spans.append((float(segment["start"]), float(segment["end"]), " ".join(words[cut:upto])))
        cut = upto
    return spans


def _even_spans(words: list[str], clip_seconds: float) -> list[tuple[float, float, str]]:
    """Chunks of a few words spread over the whole clip by their length."""
    chunks = [words[at:at + EVEN_CHUNK_WORDS] for at in range(0, len(words), EVEN_CHUNK_WORDS)]
    total, done, spans = sum(len(w) for w in words), 0, []
    for chunk in chunks:
        start = clip_seconds * done / total
        done += sum(len(w) for w in chunk)
        spans.append((start, clip_seconds * done / total, " ".join(chunk)))
    return spans


def timings_shifted(timings: dict, ms: int) -> dict:
    """The narration's timings moved ``ms`` later, as it plays after the listen segment."""
    shifted = copy.deepcopy(timings)
    shifted["duration_ms"] = int(shifted.get("duration_ms") or 0) + ms
    for sentence in shifted.get("sentences") or []:
        for timed in [sentence, *(sentence.get("words") or [])]:
            timed["start_ms"] = int(timed["start_ms"]) + ms
            timed["end_ms"] = int(timed["end_ms"]) + ms
    return shifted


def caption_timings(listen: Listen | None, timings: dict) -> dict:
    """What the captions show: the transcript over the listen segment, then the narration."""
    if listen is None:
        return timings
    return {**timings, "sentences": [*listen.sentences, *(timings.get("sentences") or [])]}
