"""post → Content: script → speech → render → QC → RENDERED, on the gpu cluster.

``post_generate`` is the unit of work both the queued task and ``manage.py generate`` run. It
claims the post first, so a second delivery of the same task finds it no longer APPROVED and
does nothing. Each stage is logged and timed with ``stage()``; the error a library raises is
mapped to a failure kind of the lifecycle (``failure_for``), anything unexpected fails the post
as GENERATION_CRASHED, and the Content keeps what was made.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from generation.images import post_images_fetch
from generation.qc import qc_check
from generation.render import Rendered, RenderJob, render_short
from generation.script import ScriptError
from generation.tts import SpeechError
from posts.lifecycle import Failure
from posts.models import Content, Post
from posts.services import post_fail, post_move
from wagglebot.lib.ffmpeg import FFmpegError, FFprobeError
from wagglebot.lib.stages import StageError, stage

log = logging.getLogger(__name__)


class QCError(StageError):
    """The rendered file failed quality checks."""


# Most specific first: (error type, failure when retryable, failure when permanent).
FAILURES: tuple[tuple[type[StageError], Failure, Failure], ...] = (
    (ScriptError, Failure.SCRIPT_FAILED, Failure.SCRIPT_INVALID),
    (SpeechError, Failure.TTS_FAILED, Failure.TTS_INVALID),
    (QCError, Failure.QC_FAILED, Failure.QC_FAILED),
    (FFprobeError, Failure.MEDIA_PROBE_FAILED, Failure.MEDIA_PROBE_FAILED),
    (FFmpegError, Failure.RENDER_FAILED, Failure.RENDER_INVALID),
)


def failure_for(exc: Exception) -> Failure:
    """The lifecycle's failure kind for an error raised while generating."""
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
    content, _ = Content.objects.get_or_create(post=post)
    content.generation_meta = {"engines": {}, "stages": {}}
    # A new render is a new file: an upload session or video id saved for the old one must not
    # be resumed or recorded for it.
    content.upload_meta = {key: value for key, value in content.upload_meta.items() if key != "session"}
    try:
        _generate(post, content)
    except Exception as exc:  # a bug or an unforeseen tool failure still must not strand the post
        if not isinstance(exc, StageError):
            log.exception("generate: post %s crashed", post.pk)
        return _failed(post, content, failure_for(exc), getattr(exc, "message", f"{type(exc).__name__}: {exc}"))
    try:
        post_move(post=post, move="mark_rendered")
    except Post.InvalidTransition as exc:  # the lease sweep released it meanwhile; it will be redone
        log.warning("generate: post %s could not be marked rendered: %s", post.pk, exc)
        return False
    return True


def _failed(post: Post, content: Content, failure: Failure, message: str) -> bool:
    content.save()
    try:
        post_fail(post=post, failure=failure, message=message)
    except Post.InvalidTransition as exc:  # the lease sweep returned it meanwhile
        log.warning("generate: post %s could not be failed: %s", post.pk, exc)
    return False


@contextmanager
def _timed(content: Content, name: str, post: Post) -> Iterator[dict]:
    """stage() that also records the duration in generation_meta["stages"]."""
    with stage(name, post_id=post.pk) as info:
        yield info
    content.generation_meta["stages"][name] = info["duration_ms"]


def _generate(post: Post, content: Content) -> None:
    from generation import gpu

    with _timed(content, "script", post):
        script = _script(post, content)
    gpu.free_if_needed(settings.RENDER_GPU_RESERVE_BYTES)
    with _timed(content, "speech", post):
        speech = _speech(post, content, script)
    gpu.free_if_needed(settings.RENDER_GPU_RESERVE_BYTES)
    with _timed(content, "images", post):
        images = post_images_fetch(post)
    with _timed(content, "render", post):
        rendered = render_short(_job(post, script, speech, images, content))
    try:
        with _timed(content, "qc", post):
            _qc(content, rendered, speech.duration_ms)
        video, thumb = rendered.finalize(post_dir(post))
    finally:
        rendered.discard()
    content.video_path, content.thumbnail_path = media_relative(video), media_relative(thumb)
    content.generation_meta["engines"]["render"] = rendered.meta
    content.save()


def _script(post: Post, content: Content):
    from generation.script import script_from_text, write_script

    # A person's edited narration is kept: regenerating must not overwrite their words.
    if content.script_source == Content.ScriptSource.HUMAN and content.script.strip():
        script = script_from_text(content.script, post)
    else:
        script = write_script(post)
    content.script, content.script_source, content.script_data = script.narration, script.source, script.to_dict()
    content.title, content.tags = script.title[:100], list(script.tags)
    content.description = _description(post, script)
    content.generation_meta["engines"]["script"] = dict(script.meta)
    content.save()
    return script


def _description(post: Post, script) -> str:
    tags = " ".join(f"#{tag.replace(' ', '')}" for tag in script.tags)
    return f"{script.narration}\n\n출처: {post.url}\n{tags}".strip()


def _speech(post: Post, content: Content, script):
    from generation.speech import synthesize

    folder = post_dir(post)
    folder.mkdir(parents=True, exist_ok=True)
    speech = synthesize(script.sentences(), folder)
    # synthesize() owns out_dir and writes timings.json there; rewriting it here gave two formats.
    audio = _into_folder(Path(speech.audio_path), folder)  # Speech may be frozen: not reassigned
    content.audio_path, content.timings = media_relative(audio), speech.timings
    content.generation_meta["engines"]["speech"] = dict(speech.meta)
    content.save()
    return speech


def _into_folder(path: Path, folder: Path) -> Path:
    """The audio inside the post's folder (the media view serves only MEDIA_ROOT), copied if needed."""
    if path.resolve().is_relative_to(folder.resolve()):
        return path
    target = folder / f"audio{path.suffix}"
    shutil.copyfile(path, target)
    return target


def _job(post: Post, script, speech, images: list[Path], content: Content) -> RenderJob:
    return RenderJob(
        audio_path=Path(settings.MEDIA_ROOT) / content.audio_path, duration_ms=speech.duration_ms,
        timings=speech.timings,
        title=script.title or post.title, out_dir=post_dir(post), images=images,
        best_comment=script.best_comment, seed=post.pk,
    )


def _qc(content: Content, rendered: Rendered, narration_ms: int) -> None:
    report = qc_check(rendered.video, narration_ms=narration_ms, font=rendered.font, text=rendered.text)
    content.qc = report.to_dict()
    content.save()
    if not report.passed:
        raise QCError("; ".join(report.reasons))
