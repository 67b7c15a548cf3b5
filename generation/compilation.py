"""Ranked compilations: building and ordering them, their moves, and their narration.

A person picks 2–10 posts (the admin, ``manage.py compilation create``), orders them (rank 1 is
the best and is told last), and approves; the gpu worker then writes the narration, speaks it and
renders the countdown (``generation.compile_render``). The narration is an intro ("오늘의 베스트
TOP 5"), each rank's condensed script (the person's, or ``compilation_script``'s: the LLM writer
with the compilation prompt, or the extractive writer at a shorter budget) and an outro; the whole
targets 45–90 s and never exceeds the Shorts limit of 180 s: written ranks are sized for the
middle of the target and trimmed until the spoken-length estimate fits its upper end.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from crawling.registry import site_name_ko
from generation.compilation_script import (
    MAX_SECONDS,
    TARGET_SECONDS,
    estimate_seconds,
    free_syllables,
    item_budget,
    item_write,
    syllables,
    trimmed,
)
from generation.models import Compilation, CompilationItem
from generation.mood import mood_of
from generation.render import TALL_THUMBNAIL
from generation.script import ScriptError, clean_title, split_sentences
from posts.lifecycle import InvalidTransition, Status
from posts.models import Post
from posts.services import lifecycle_move
from wagglebot.lib.stages import StageError, stage

log = logging.getLogger(__name__)

# Posts a person may rank: approved ones on their way, rendered or already published ones.
ELIGIBLE = (Status.APPROVED, Status.PROCESSING, Status.RENDERED, Status.UPLOADING, Status.UPLOADED)
WEEKLY_COUNT = 5
WEEKLY_TITLE = "이번 주 베스트 TOP {count}"
DEFAULT_OUTRO = "여러분의 원픽은 몇 위인가요? 댓글로 알려주세요."


class CompilationError(ValueError):
    """A compilation that cannot be built as asked (too few posts, ineligible ones)."""


def intro_text(count: int) -> str:
    return f"오늘의 베스트 TOP {count}"


def rank_lead(rank: int, post: Post) -> str:
    site = site_name_ko(post.site_code)
    return f"{rank}위, {site}." if site else f"{rank}위."


# Building and ordering ---------------------------------------------------------------------


def _eligible(posts: list[Post]) -> None:
    wrong = [f"post {post.pk} is {post.status}" for post in posts if post.status not in ELIGIBLE]
    if wrong:
        raise CompilationError("only approved, rendered or uploaded posts can be ranked: " + ", ".join(wrong))
    if len({post.pk for post in posts}) != len(posts):
        raise CompilationError("a post can appear only once in a compilation")


def compilation_create(*, posts: list[Post], title: str = "", by=None, suggestion: str | None = None) -> Compilation:
    """A DRAFT compilation ranking ``posts`` in the given order (the first is rank 1)."""
    if not Compilation.MIN_ITEMS <= len(posts) <= Compilation.MAX_ITEMS:
        raise CompilationError(f"a compilation ranks {Compilation.MIN_ITEMS}–{Compilation.MAX_ITEMS} posts, "
                               f"not {len(posts)}")
    _eligible(posts)
    with transaction.atomic():
        compilation = Compilation.objects.create(title=title or intro_text(len(posts)), created_by=by,
                                                 suggestion=suggestion)
        CompilationItem.objects.bulk_create(
            CompilationItem(compilation=compilation, post=post, rank=rank) for rank, post in enumerate(posts, 1))
    return compilation


def compilation_extend(*, compilation: Compilation, posts: list[Post]) -> int:
    """Add ``posts`` after the last rank of a DRAFT compilation; returns how many were added."""
    if compilation.status != Compilation.lifecycle.statuses.DRAFT:
        raise InvalidTransition(f"compilation {compilation.pk} is {compilation.status}: only a draft is edited")
    present = set(compilation.items.values_list("post_id", flat=True))
    new = [post for post in posts if post.pk not in present]
    _eligible(new)
    if len(present) + len(new) > Compilation.MAX_ITEMS:
        raise CompilationError(f"a compilation ranks at most {Compilation.MAX_ITEMS} posts")
    with transaction.atomic():
        CompilationItem.objects.bulk_create(
            CompilationItem(compilation=compilation, post=post, rank=rank)
            for rank, post in enumerate(new, len(present) + 1))
    return len(new)


def compilation_reorder(*, compilation: Compilation, post_ids: list[int]) -> None:
    """Rank the compilation's posts in the order of ``post_ids`` (the first becomes rank 1)."""
    items = {item.post_id: item for item in compilation.items.all()}
    if sorted(post_ids) != sorted(items):
        raise CompilationError("the new order must name each of the compilation's posts once")
    with transaction.atomic():
        # Two passes: rank is unique per compilation, so no item may take a rank still held.
        offset = Compilation.MAX_ITEMS + 1
        for item in items.values():
            CompilationItem.objects.filter(pk=item.pk).update(rank=item.rank + offset)
        for rank, post_id in enumerate(post_ids, 1):
            CompilationItem.objects.filter(pk=items[post_id].pk).update(rank=rank)


def weekly_key(now: datetime) -> str:
    year, week, _ = timezone.localtime(now).isocalendar()
    return f"weekly-{year}-W{week:02d}"


def weekly_candidates(now: datetime) -> list[Post]:
    """The last 7 days' best-scored canonical posts a person may rank, best first. A post in the gpu
    worker or the upload at that minute (PROCESSING, UPLOADING) is approved all the same."""
    since = now - timedelta(days=7)
    recent = Q(source_published_at__gte=since) | Q(source_published_at__isnull=True, created_at__gte=since)
    return list(Post.objects.filter(recent, status__in=ELIGIBLE, duplicate_of__isnull=True)
                .order_by("-score", "pk")[:WEEKLY_COUNT])


def compilation_suggest_weekly(now: datetime | None = None) -> Compilation | None:
    """Draft "이번 주 베스트 TOP 5" for a person to approve; None when this week has its draft already
    or fewer than two posts qualify. Never approves: nothing is published without a person."""
    now = now or timezone.now()
    key = weekly_key(now)
    if Compilation.objects.filter(suggestion=key).exists():
        return None
    posts = weekly_candidates(now)
    if len(posts) < Compilation.MIN_ITEMS:
        log.info("weekly compilation %s: %d candidate(s), not drafted", key, len(posts))
        return None
    try:
        return compilation_create(posts=posts, title=WEEKLY_TITLE.format(count=len(posts)), suggestion=key)
    except IntegrityError:  # another delivery of the task drafted it meanwhile
        return None


# Moves --------------------------------------------------------------------------------------


def compilation_approve(*, compilation: Compilation, by, reason: str = "") -> None:
    count = compilation.items.count()
    if not Compilation.MIN_ITEMS <= count <= Compilation.MAX_ITEMS:
        raise CompilationError(f"compilation {compilation.pk} ranks {count} posts; "
                               f"{Compilation.MIN_ITEMS}–{Compilation.MAX_ITEMS} are needed")
    lifecycle_move(compilation, "approve", by=by, reason=reason)


def compilation_reject(*, compilation: Compilation, by, reason: str = "") -> None:
    lifecycle_move(compilation, "reject", by=by, reason=reason)


def compilation_reopen(*, compilation: Compilation, by) -> None:
    lifecycle_move(compilation, "reopen", by=by)


def compilation_rerender(*, compilation: Compilation, by) -> None:
    """Render again: a RENDERED one goes back to APPROVED, a FAILED one retries its phase."""
    move = "regenerate" if compilation.can("regenerate") else "retry"
    lifecycle_move(compilation, move, by=by, reason="re-render", fresh=move == "retry")


def compilation_schedule_upload(*, compilation: Compilation, by=None) -> None:
    lifecycle_move(compilation, "schedule_upload", by=by, reason="upload requested")


# Narration ----------------------------------------------------------------------------------


@dataclass
class Segment:
    """A stretch of the narration: the intro, one rank, or the outro."""

    kind: str  # "intro", "item", "outro"
    sentences: list[str]
    rank: int | None = None
    item: CompilationItem | None = None


@dataclass
class Narration:
    segments: list[Segment]
    mood: str = ""
    meta: dict = field(default_factory=dict)

    def sentences(self) -> list[str]:
        return [text for segment in self.segments for text in segment.sentences]

    def estimate(self) -> float:
        return estimate_seconds(self.sentences())


def narration_write(compilation: Compilation) -> Narration:
    """The compilation's narration, writing (and saving) the script of ranks that have none.

    Unwritten ranks are written for the middle of the 45–90 s target, then shortened a sentence at
    a time, longest first, while the whole is over its upper end. Saved words (a person's, or an
    earlier render's) are kept whole up to the Shorts limit.
    """
    items = compilation.ranked()
    count = len(items)
    intro, outro = compilation.intro or intro_text(count), compilation.outro or DEFAULT_OUTRO
    leads = [rank_lead(item.rank, item.post) for item in items]
    budget = item_budget(count, [intro, *leads, outro])
    hard = free_syllables(count, [intro, *leads, outro], MAX_SECONDS - 5)
    segments, writers = [Segment("intro", [intro])], {}
    for item, lead in zip(items, leads, strict=True):
        if item.narration.strip():
            lines, writer = trimmed(split_sentences(item.narration, min_syllables=1) or [item.narration], hard), "saved"
        else:
            lines, writer = item_write(item.post, rank=item.rank, count=count, budget=budget)
        if not lines:
            raise ScriptError(f"rank {item.rank} (post {item.post_id}) has nothing to narrate", permanent=True)
        writers[item.rank] = writer
        segments.append(Segment("item", [lead, *lines], rank=item.rank, item=item))
    segments.append(Segment("outro", [outro]))
    text = " ".join(f"{item.post.title} {item.post.content[:500]}" for item in items)
    narration = Narration(segments, mood=mood_of(text))
    narration_fit(narration, {rank for rank, writer in writers.items() if writer != "saved"})
    for segment in narration.segments:
        if segment.item and writers[segment.rank] != "saved":
            segment.item.narration = " ".join(segment.sentences[1:])
            segment.item.save(update_fields=["narration"])
    narration.meta = {"estimate_s": round(narration.estimate(), 1), "item_budget": budget, "writers": writers}
    if narration.estimate() > MAX_SECONDS:
        raise ScriptError(f"the narration would last about {narration.estimate():.0f} s, over {MAX_SECONDS:.0f} s",
                          permanent=True)
    return narration


def narration_fit(narration: Narration, ranks: set[int]) -> None:
    """Drop the last sentence of the longest of ``ranks`` while the whole is over the target;
    each keeps its lead and one sentence."""
    while narration.estimate() > TARGET_SECONDS[1]:
        shrinkable = [s for s in narration.segments if s.rank in ranks and len(s.sentences) > 2]
        if not shrinkable:
            return
        max(shrinkable, key=lambda s: sum(syllables(text) for text in s.sentences)).sentences.pop()


def source_credits(compilation: Compilation, *, titles: bool = True) -> str:
    """One line per rank crediting its source: the community's name and the post's address.

    Without ``titles`` each line is only rank, community and address: what a description too
    short for the titles must still carry.
    """
    return "\n".join(f"{item.rank}위 {clean_title(item.post.title) + ' — ' if titles else ''}"
                     f"{site_name_ko(item.post.site_code)} {item.post.url}"
                     for item in compilation.items.select_related("post").order_by("rank"))


# Generation (gpu cluster) -------------------------------------------------------------------


def compilation_dir(compilation: Compilation) -> Path:
    return Path(settings.MEDIA_ROOT) / "compilations" / str(compilation.pk)


def compilation_generate(compilation: Compilation) -> bool:
    """Narrate, speak, render and QC an approved compilation; True when it ended RENDERED.

    Claims it first, so a second delivery of the task finds it no longer APPROVED and does
    nothing; errors map to the lifecycle's failure kinds as a post's do (``failure_for``).
    """
    from generation.pipeline import failure_for

    try:
        lifecycle_move(compilation, "claim_generation")
    except InvalidTransition as exc:
        log.info("compile: compilation %s skipped: %s", compilation.pk, exc)
        return False
    compilation.generation_meta = {"stages": {}}
    try:
        _generate(compilation)
    except Exception as exc:  # an unforeseen failure still must not strand the compilation
        if not isinstance(exc, StageError):
            log.exception("compile: compilation %s crashed", compilation.pk)
        compilation.save()
        message = getattr(exc, "message", f"{type(exc).__name__}: {exc}")
        _move_or_log(compilation, "fail", failure=failure_for(exc), reason=message[:2000])
        return False
    return _move_or_log(compilation, "mark_rendered")


def _move_or_log(compilation: Compilation, move: str, **kwargs) -> bool:
    try:
        lifecycle_move(compilation, move, **kwargs)
    except InvalidTransition as exc:  # the lease sweep returned it meanwhile; it will be redone
        log.warning("compile: compilation %s could not %s: %s", compilation.pk, move, exc)
        return False
    return True


def _generate(compilation: Compilation) -> None:
    from generation.compile_render import compilation_qc, render_compilation
    from generation.images import post_images_fetch
    from generation.pipeline import QCError, media_relative
    from generation.speech import synthesize

    stages = compilation.generation_meta["stages"]
    folder = compilation_dir(compilation)
    with stage("script", compilation_id=compilation.pk) as info:
        narration = narration_write(compilation)
    stages["script"] = info["duration_ms"]
    with stage("speech", compilation_id=compilation.pk) as info:
        speech = synthesize(narration.sentences(), folder)
    stages["speech"] = info["duration_ms"]
    compilation.audio_path, compilation.timings = media_relative(speech.audio_path), speech.timings
    images = {segment.item.post_id: post_images_fetch(segment.item.post)
              for segment in narration.segments if segment.item}
    with stage("render", compilation_id=compilation.pk) as info:
        rendered = render_compilation(narration=narration, timings=speech.timings, audio=speech.audio_path,
                                      title=compilation.title, out_dir=folder, images=images, seed=compilation.pk)
    stages["render"] = info["duration_ms"]
    try:
        report = compilation_qc(rendered, speech.duration_ms)
        compilation.qc = report.to_dict()
        if not report.passed:
            raise QCError("; ".join(report.reasons))
        video, thumb = rendered.finalize(folder)
    finally:
        rendered.discard()
    compilation.video_path, compilation.thumbnail_path = media_relative(video), media_relative(thumb)
    compilation.tall_thumbnail_path = media_relative(thumb.with_name(TALL_THUMBNAIL))
    compilation.generation_meta["render"] = rendered.meta
    compilation.rendered_at = timezone.now()
    compilation.save()
