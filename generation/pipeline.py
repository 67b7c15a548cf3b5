"""post → Short: clip → transcript → script → speech → render → QC → RENDERED, on the gpu cluster.

A post with a video clip has it fetched and probed first (``generation.clips``); when the clip has
sound and the post no usable transcript yet, STT hears it (``generation.stt``) and the transcript
is kept. A low-confidence transcript waits for a person: the post fails as TRANSCRIPT_UNCONFIRMED,
which the sweep never retries, and confirming the transcript on the post page queues it again.

``post_generate`` is the unit of work both the queued task and ``manage.py generate`` run. It
claims the post first, so a second delivery of the same task finds it no longer APPROVED and
does nothing. Each stage is logged and timed with ``stage()``; the error a library raises is
mapped to a failure kind of the lifecycle (``failure_for``), anything unexpected fails the post
as GENERATION_CRASHED, and the Short keeps what was made.
"""

from __future__ import annotations

import errno
import logging
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from crawling.registry import site_name_ko
from generation.clips import Clip, post_clip_fetch
from generation.images import post_images_fetch
from generation.models import Short, Transcript
from generation.normalize import clean
from generation.pii import Scrubber, mask_nickname
from generation.postcard import PostCard
from generation.qc import qc_check
from generation.render import TALL_THUMBNAIL, Rendered, RenderJob, render_short
from generation.script import ScriptError
from generation.stt import TranscriptionError
from generation.stt_audio import AudioError
from generation.tts import SpeechError
from posts.lifecycle import Failure
from posts.models import Post
from posts.services import post_fail, post_move
from wagglebot.lib.atomic import atomic_path
from wagglebot.lib.ffmpeg import FFmpegError, FFprobeError
from wagglebot.lib.stages import StageError, stage

log = logging.getLogger(__name__)


class QCError(StageError):
    """The rendered file failed quality checks."""


class DiskFullError(StageError):
    """A stage could not write: the disk is full. Retryable once space is freed."""


class TranscriptUnconfirmed(StageError):
    """The clip's transcript is low-confidence and no person has confirmed it yet."""


# Most specific first: (error type, failure when retryable, failure when permanent).
FAILURES: tuple[tuple[type[StageError], Failure, Failure], ...] = (
    (DiskFullError, Failure.DISK_FULL, Failure.DISK_FULL),
    (ScriptError, Failure.SCRIPT_FAILED, Failure.SCRIPT_INVALID),
    (SpeechError, Failure.TTS_FAILED, Failure.TTS_INVALID),
    (TranscriptUnconfirmed, Failure.TRANSCRIPT_UNCONFIRMED, Failure.TRANSCRIPT_UNCONFIRMED),
    (AudioError, Failure.AUDIO_EXTRACT_FAILED, Failure.AUDIO_INVALID),
    (TranscriptionError, Failure.STT_BAD_RESPONSE, Failure.STT_BAD_RESPONSE),
    (QCError, Failure.QC_FAILED, Failure.QC_FAILED),
    (FFprobeError, Failure.MEDIA_PROBE_FAILED, Failure.MEDIA_PROBE_FAILED),
    (FFmpegError, Failure.RENDER_FAILED, Failure.RENDER_INVALID),
)


def failure_for(exc: Exception) -> Failure:
    """The lifecycle's failure kind for an error raised while generating."""
    if isinstance(exc, TranscriptionError) and exc.timed_out:
        return Failure.STT_TIMEOUT
    for error_type, retryable, permanent in FAILURES:
        if isinstance(exc, error_type):
            return permanent if exc.permanent else retryable
    return Failure.GENERATION_CRASHED


def post_dir(post: Post) -> Path:
    return Path(settings.MEDIA_ROOT) / "posts" / str(post.pk)


def media_relative(path: Path) -> str:
    return str(Path(path).resolve().relative_to(Path(settings.MEDIA_ROOT).resolve()))


def post_generate(post: Post) -> bool:
    """Make the post's short; True when it ended RENDERED, False when failed or not claimable."""
    try:
        post_move(post=post, move="claim_generation")
    except Post.InvalidTransition as exc:
        log.info("generate: post %s skipped: %s", post.pk, exc)
        return False
    short, _ = Short.objects.get_or_create(post=post)
    short.generation_meta = {"engines": {}, "stages": {}}
    try:
        _generate(post, short)
    except Exception as exc:  # a bug or an unforeseen tool failure still must not strand the post
        if not isinstance(exc, StageError):
            log.exception("generate: post %s crashed", post.pk)
        return _failed(post, short, failure_for(exc), getattr(exc, "message", f"{type(exc).__name__}: {exc}"))
    try:
        post_move(post=post, move="mark_rendered")
    except Post.InvalidTransition as exc:  # the lease sweep released it meanwhile; it will be redone
        log.warning("generate: post %s could not be marked rendered: %s", post.pk, exc)
        return False
    return True


def _failed(post: Post, short: Short, failure: Failure, message: str) -> bool:
    short.save()
    try:
        post_fail(post=post, failure=failure, message=message)
    except Post.InvalidTransition as exc:  # the lease sweep returned it meanwhile
        log.warning("generate: post %s could not be failed: %s", post.pk, exc)
    return False


@contextmanager
def _timed(short: Short, name: str, post: Post) -> Iterator[dict]:
    """stage() that also records the duration in generation_meta["stages"].

    The stage's name and start are written at once, alone, so the console's progress view can
    show what a post is doing while the worker holds it.
    """
    short.generation_meta["current"] = {"stage": name, "started_at": timezone.now().isoformat()}
    if short.pk:
        Short.objects.filter(pk=short.pk).update(generation_meta=short.generation_meta)
    with stage(name, post_id=post.pk) as info, _disk_full_at(name, post):
        yield info
    short.generation_meta["stages"][name] = info["duration_ms"]


@contextmanager
def _disk_full_at(name: str, post: Post) -> Iterator[None]:
    """Raise a full disk as DiskFullError naming the stage, whatever library it surfaced through.

    Without this an ENOSPC came out as the stage's own failure (a render or speech error) or a
    crash, and the sweep's retries were counted against the post instead of waiting for space.
    """
    try:
        yield
    except Exception as exc:
        path = _enospc_path(exc)
        if path is None:
            raise
        raise DiskFullError(f"disk full at {name}: {path or post_dir(post)}") from exc


def _enospc_path(exc: BaseException | None) -> str | None:
    """The path an ENOSPC in ``exc`` or its causes names ("" if none), or None when there is none."""
    while exc is not None:
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            return str(exc.filename or "")
        if "No space left on device" in str(exc):  # ffmpeg and other tools report it on stderr
            return ""
        exc = exc.__cause__ or exc.__context__
    return None


def _generate(post: Post, short: Short) -> None:
    from generation import gpu

    clip = None
    if post.videos:
        with _timed(short, "clip", post):
            clip = _clip(post, short)
    transcript = None
    if clip is not None and clip.has_audio:
        with _timed(short, "transcript", post):
            transcript = _transcript(post, short, clip)
    with _timed(short, "script", post):
        script = _script(post, short, transcript.narration_text() if transcript else "")
    gpu.free_if_needed(settings.RENDER_GPU_RESERVE_BYTES)
    with _timed(short, "speech", post):
        speech = _speech(post, short, script)
    gpu.free_if_needed(settings.RENDER_GPU_RESERVE_BYTES)
    with _timed(short, "images", post):
        images = post_images_fetch(post)
    with _timed(short, "render", post):
        rendered = render_short(_job(post, script, speech, images, short, clip, transcript))
    try:
        with _timed(short, "qc", post):
            listened = (rendered.meta.get("listen") or {}).get("ms", 0)  # the clip's speech before the narration
            _qc(short, rendered, speech.duration_ms + listened)
        with _disk_full_at("finalize", post):
            video, thumb = rendered.finalize(post_dir(post))
    finally:
        rendered.discard()
    short.video_path, short.thumbnail_path = media_relative(video), media_relative(thumb)
    short.tall_thumbnail_path = media_relative(thumb.with_name(TALL_THUMBNAIL))
    short.rendered_at = timezone.now()
    short.generation_meta["engines"]["render"] = rendered.meta
    short.save()


def _clip(post: Post, short: Short) -> Clip | None:
    clip, tried = post_clip_fetch(post)
    if tried:
        short.generation_meta["clips"] = tried
    return clip


def _transcript(post: Post, short: Short, clip: Clip) -> Transcript:
    """The clip's transcript to narrate from: a usable one, heard now if there is none yet.
    TranscriptUnconfirmed while the one there is waits for a person (it is not heard again)."""
    from generation import stt

    heard = list(post.transcripts.filter(source=clip.source[:500]).order_by("-pk"))
    if not heard:
        recognition = stt.transcribe(clip.path)
        heard = [Transcript.from_recognition(post, recognition, source=clip.source[:500])]
    transcript = next((t for t in heard if t.usable_for_narration()), None)
    short.generation_meta["engines"]["stt"] = {
        "engine": heard[0].engine, "model": heard[0].model, "confidence": heard[0].confidence,
        "chain": heard[0].chain, "transcript": heard[0].pk, "usable": transcript is not None,
    }
    if transcript is None:
        raise TranscriptUnconfirmed(
            f"the clip's {heard[0].engine} transcript (confidence {heard[0].confidence or 0:.2f}) "
            "waits for a person to confirm or correct it on the post page"
        )
    return transcript


def _script(post: Post, short: Short, heard: str = ""):
    from generation.script import script_from_text, write_script

    # A person's edited narration is kept: regenerating must not overwrite their words.
    if short.script_source == Short.ScriptSource.HUMAN and short.script.strip():
        script = script_from_text(short.script, post)
    else:
        script = write_script(post, transcript=heard)
    short.script, short.script_source, short.script_data = script.narration, script.source, script.to_dict()
    short.title, short.tags = script.title[:100], list(script.tags)
    short.description = _description(post, script)
    short.generation_meta["engines"]["script"] = dict(script.meta)
    short.save()
    return script


def _description(post: Post, script) -> str:
    tags = " ".join(f"#{tag.replace(' ', '')}" for tag in script.tags)
    return f"{script.narration}\n\n출처: {post.url}\n{tags}".strip()


def _speech(post: Post, short: Short, script):
    from generation.speech import synthesize

    folder = post_dir(post)
    folder.mkdir(parents=True, exist_ok=True)
    speech = synthesize(script.sentences(), folder, comments=[c["text"] for c in script.comments])
    # synthesize() owns out_dir and writes timings.json there; rewriting it here gave two formats.
    audio = _into_folder(Path(speech.audio_path), folder)  # Speech may be frozen: not reassigned
    short.audio_path, short.timings = media_relative(audio), speech.timings
    short.generation_meta["engines"]["speech"] = dict(speech.meta)
    short.save()
    return speech


def _into_folder(path: Path, folder: Path) -> Path:
    """The audio inside the post's folder (the media view serves only MEDIA_ROOT), copied if needed."""
    if path.resolve().is_relative_to(folder.resolve()):
        return path
    target = folder / f"audio{path.suffix}"
    with atomic_path(target) as partial:
        shutil.copyfile(path, partial)
    return target


def _job(post: Post, script, speech, images: list[Path], short: Short, clip: Clip | None = None,
         transcript: Transcript | None = None) -> RenderJob:
    return RenderJob(
        audio_path=Path(settings.MEDIA_ROOT) / short.audio_path, duration_ms=speech.duration_ms,
        timings=speech.timings,
        title=script.title or post.title, out_dir=post_dir(post), images=images,
        best_comment=script.best_comment, comments=script.comments, seed=post.pk, mood=script.mood,
        sentences=[*script.sentences(), *(c["text"] for c in script.comments)],
        site_name=site_name_ko(post.site_code), post_card=_post_card(post, script, images), layout=short.layout,
        clip=clip.path if clip else None, clip_audio=bool(clip and clip.has_audio),
        clip_seconds=clip.seconds if clip else 0.0,
        transcript={"text": transcript.narration_text(), "segments": transcript.meta.get("segments") or []}
        if transcript else None,
    )


def _post_card(post: Post, script, images: list[Path]) -> PostCard:
    # Shown on screen as it is: the body goes through the same scrubber as the narration.
    return PostCard(site=site_name_ko(post.site_code), title=script.title or post.title,
                    author=mask_nickname(post.author), views=post.views, likes=post.likes,
                    body=Scrubber().scrub(clean(post.content)), images=images)


def _qc(short: Short, rendered: Rendered, narration_ms: int) -> None:
    report = qc_check(rendered.video, narration_ms=narration_ms, font=rendered.font, text=rendered.text,
                      subtitles=rendered.subtitles, boxes=rendered.meta.get("boxes"), music=rendered.music,
                      voice=rendered.voice, spoken=rendered.spoken)
    short.qc = report.to_dict()
    short.save()
    if not report.passed:
        raise QCError("; ".join(report.reasons))
