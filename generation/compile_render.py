"""Render a ranked compilation: one ffmpeg graph counting down from rank N to 1.

The render plan cuts the narration at its segments (intro, each rank, outro) by the speech's
sentence timings. Each segment is a moving visual under one drawn overlay: the post's first image
zooms on its blurred fill as a slideshow slide does, or (no image: the post card, the intro and
the outro) the background clip plays; the overlay carries the community and title banner, the
rank badge and the post card, from the single-short building blocks (``cards``, ``postcard``,
``slideshow``). Something visible thus changes every few seconds in a segment of any length, as
QC's motion check requires of every short. ffmpeg joins the segments with wipe and slide
transitions (xfade) on the cuts, burns the karaoke captions of the whole narration over them, and
mixes one continuous mood loop ducked under the voice.

QC is the single short's, plus the countdown: the plan's ranks run N → 1 and the frame in the
middle of each rank's segment shows that rank's own drawing (``ranks_check``).
"""

from __future__ import annotations

import math
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from PIL import Image, ImageChops, ImageDraw, ImageFont, ImageStat

from crawling.registry import site_name_ko
from generation import cards
from generation.caption_layer import caption_layer
from generation.compilation import MAX_SECONDS, Narration
from generation.pii import Scrubber, mask_nickname
from generation.postcard import PostCard, fitted_post_card
from generation.qc import QCReport, qc_check
from generation.render import (
    CARD_GAP,
    CARD_TOP,
    CARD_WIDTH,
    FPS,
    HEIGHT,
    SAFE_BOTTOM,
    SAFE_LEFT,
    TALL_THUMBNAIL,
    WIDTH,
    Rendered,
    background_loop,
    count_inputs,
    font_path,
    music_for,
    spoken_text,
)
from generation.slideshow import SlideParts, fitted, slide_chain, slide_parts
from generation.subtitles import (
    BOX_PAD,
    FONT_SIZE,
    Cue,
    Layout,
    ass_document,
    caption_boxes,
    caption_cues,
    subtitle_text,
)
from wagglebot.lib import ffmpeg
from wagglebot.lib.ffmpeg import FFmpegError

TRANSITION_SECONDS = 0.4
TRANSITIONS = ("wipeleft", "slideleft", "wipeup", "slideup")
BADGE_SIZE = 200
# Below the post card: two caption lines with their box, and the Shorts controls under them.
SAFE_BOTTOM_MARGIN = HEIGHT - SAFE_BOTTOM + 2 * FONT_SIZE + 3 * BOX_PAD
BACKDROP = (29, 27, 46)
# Frames compared by the rank check are this small: enough to tell one drawing from another.
PROBE_SIZE = (54, 96)


@dataclass
class Part:
    """One segment of the render plan, with the drawing it shows."""

    kind: str
    start: float
    end: float
    rank: int | None = None
    post_id: int | None = None
    site: str = ""
    title: str = ""
    image: Path | None = None
    frame: str = ""  # the whole drawing at rest, which rank QC compares with the video
    overlay: str = ""  # what is drawn over the moving visual
    slide: SlideParts | None = None  # the image's zoom; None: the background clip plays

    def to_dict(self) -> dict:
        return {"kind": self.kind, "rank": self.rank, "post_id": self.post_id, "start": round(self.start, 3),
                "end": round(self.end, 3), "frame": self.frame}


def render_plan(narration: Narration, timings: dict, images: dict[int, list[Path]]) -> list[Part]:
    """Where each segment starts and ends, from the spoken sentences' timings."""
    spoken = timings.get("sentences") or []
    if len(spoken) != len(narration.sentences()):
        raise FFmpegError(f"{len(spoken)} sentences were spoken for {len(narration.sentences())} written",
                          permanent=True)
    parts, index = [], 0
    for segment in narration.segments:
        start = 0.0 if not parts else spoken[index]["start_ms"] / 1000
        if parts:
            parts[-1].end = start
        post = segment.item.post if segment.item else None
        parts.append(Part(segment.kind, start, 0.0, rank=segment.rank, post_id=post.pk if post else None,
                          site=site_name_ko(post.site_code) if post else "",
                          title=post.title if post else "",
                          image=(images.get(post.pk) or [None])[0] if post else None))
        index += len(segment.sentences)
    parts[-1].end = timings["duration_ms"] / 1000
    return parts


def render_compilation(*, narration: Narration, timings: dict, audio: Path, title: str, out_dir: Path,
                       images: dict[int, list[Path]], seed: int = 0) -> Rendered:
    font = font_path()
    seconds = timings["duration_ms"] / 1000
    if seconds > MAX_SECONDS:
        raise FFmpegError(f"narration is {seconds:.1f} s, over {MAX_SECONDS:.0f} s", permanent=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob(".render-*"):
        shutil.rmtree(stale, ignore_errors=True)
    workdir = Path(tempfile.mkdtemp(prefix=".render-", dir=out_dir))
    try:
        return _render(narration, timings, audio, cards.drawable(title, font), workdir, font, images, seed)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise


def _render(narration, timings, audio, title, workdir, font, images, seed) -> Rendered:
    parts = render_plan(narration, timings, images)
    seconds = timings["duration_ms"] / 1000
    boxes: list[dict] = []
    for number, part in enumerate(parts):
        _layers(part, number, narration, title, font, boxes, workdir)
    (workdir / "fonts").mkdir()
    (workdir / "fonts" / font.name).symlink_to(font.resolve())
    sentences = narration.sentences()
    layout = Layout(font, WIDTH, HEIGHT, boxed=True)
    (workdir / "subs.ass").write_text(ass_document(timings, layout, sentences), encoding="utf-8")
    music = music_for(settings.RENDER_BGM_DIR, narration.mood, seed)
    cues = caption_cues(timings, layout, sentences)
    ffmpeg.run([*_arguments(parts, audio, music, seconds, seed, cues, layout, workdir), "-y", "video.mp4"],
               timeout=settings.RENDER_TIMEOUT_SECONDS, what="compilation render", cwd=workdir)
    _thumbnails(parts, title, font, workdir)
    boxes += caption_boxes(cues, layout)
    texts = [subtitle_text(timings, sentences), title, "위", *(f"{p.site} {p.title}" for p in parts)]
    meta = {"plan": [part.to_dict() for part in parts], "boxes": boxes, "music": music.name if music else None,
            "mood": narration.mood, "encoder": ffmpeg.video_encoder()[1],
            "visuals": ["zoom" if part.slide else "background" for part in parts], **narration.meta}
    return Rendered(video=workdir / "video.mp4", thumbnail=workdir / "thumbnail.jpg", workdir=workdir,
                    text=" ".join(cards.drawable(t, font) for t in texts), font=font, meta=meta, music=music,
                    voice=audio, spoken=spoken_text(timings))


def _layers(part: Part, number: int, narration: Narration, title: str, font: Path, boxes: list[dict],
            workdir: Path) -> None:
    """Write the segment's overlay, its drawing at rest and (with an image) its slide's pieces."""
    part.frame, part.overlay = f"part{number}.png", f"over{number}.png"
    overlay = _overlay(part, narration, title, font, boxes)
    overlay.save(workdir / part.overlay)
    if part.image:
        with Image.open(part.image) as source:
            part.slide = slide_parts(source, (WIDTH, HEIGHT))
            still = fitted(source, (WIDTH, HEIGHT)).convert("RGBA")
        part.slide.backdrop.save(workdir / f"slide{number}-backdrop.ppm")
        part.slide.picture.save(workdir / f"slide{number}-picture.ppm")
    else:
        still = Image.new("RGBA", (WIDTH, HEIGHT), BACKDROP)
    still.alpha_composite(overlay)
    still.convert("RGB").save(workdir / part.frame)


def _overlay(part: Part, narration: Narration, title: str, font: Path, boxes: list[dict]) -> Image.Image:
    """What a segment draws over its visual: banner and rank badge (intro and outro: the title)."""
    canvas = Image.new("RGBA", (WIDTH, HEIGHT), (0, 0, 0, 0))
    if part.kind != "item":
        heading = f"TOP {len(narration.segments) - 2}" if part.kind == "intro" else "여러분의 원픽은?"
        card = cards.banner(heading, title, font, width=CARD_WIDTH, title_size=84)
        canvas.alpha_composite(card, (SAFE_LEFT, (HEIGHT - card.height) // 2 - 160))
        return canvas
    site, shown = cards.drawable(part.site, font), cards.drawable(part.title, font)
    banner = cards.banner(site, shown, font, width=CARD_WIDTH)
    canvas.alpha_composite(banner, (SAFE_LEFT, CARD_TOP))
    # The badge opens the row under the banner; the post card (when there is no image) follows it.
    badge, top = rank_badge(part.rank, font), CARD_TOP + banner.height + CARD_GAP
    canvas.alpha_composite(badge, (SAFE_LEFT, top))
    _box(boxes, part, "rank badge", SAFE_LEFT, top, badge.width, badge.height)
    _box(boxes, part, "banner", SAFE_LEFT, CARD_TOP, banner.width, banner.height)
    top += badge.height + CARD_GAP
    if not part.image:
        item = next(s.item for s in narration.segments if s.rank == part.rank)
        card = fitted_post_card(_post_card(item.post, font), font, width=CARD_WIDTH,
                                window=HEIGHT - top - SAFE_BOTTOM_MARGIN, cut=True).convert("RGBA")
        canvas.alpha_composite(card, (SAFE_LEFT, top))
        _box(boxes, part, "post card", SAFE_LEFT, top, card.width, card.height)
    return canvas


def _box(boxes: list[dict], part: Part, name: str, x: int, y: int, w: int, h: int) -> None:
    boxes.append({"name": f"{name} {part.rank}", "x": x, "y": y, "w": w, "h": h})


def _post_card(post, font: Path) -> PostCard:
    from generation.normalize import clean

    return PostCard(site=cards.drawable(site_name_ko(post.site_code), font), title=cards.drawable(post.title, font),
                    author=cards.drawable(mask_nickname(post.author), font), views=post.views, likes=post.likes,
                    body=cards.drawable(Scrubber().scrub(clean(post.content)), font))


def rank_badge(rank: int, font: Path) -> Image.Image:
    """The rank as a round amber badge ("3위"), the countdown's marker on every item."""
    image = Image.new("RGBA", (BADGE_SIZE, BADGE_SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((0, 0, BADGE_SIZE - 1, BADGE_SIZE - 1), fill=cards.ACCENT, outline=cards.DARK, width=8)
    text = f"{rank}위"
    size = 96 if rank < 10 else 80
    face = ImageFont.truetype(str(font), size)
    left, top, right, bottom = face.getbbox(text)
    draw.text(((BADGE_SIZE - (right - left)) / 2 - left, (BADGE_SIZE - (bottom - top)) / 2 - top), text,
              font=face, fill=cards.DARK)
    return image


def _arguments(parts: list[Part], audio: Path, music: Path | None, seconds: float, seed: int, cues: list[Cue],
               layout: Layout, workdir: Path) -> list[str]:
    inputs = ["-i", str(audio)] + (["-stream_loop", "-1", "-i", str(music)] if music else [])
    video = []
    for number, part in enumerate(parts):
        # Every segment but the last runs on under the next one's transition in.
        length = part.end - part.start + (TRANSITION_SECONDS if number < len(parts) - 1 else 0)
        video.append(_segment(part, number, length, inputs, seed))
    joined = "p0"
    for number, part in enumerate(parts[1:], 1):
        kind = TRANSITIONS[(number - 1) % len(TRANSITIONS)]
        video.append(f"[{joined}][p{number}]xfade=transition={kind}:duration={TRANSITION_SECONDS}:"
                     f"offset={part.start:.3f}[x{number}]")
        joined = f"x{number}"
    layer = caption_layer(cues, layout, workdir, round(seconds * 1000), first=count_inputs(inputs), fps=FPS)
    if layer:
        inputs += layer.inputs
        video.append(layer.over(joined))
    else:
        video.append(f"[{joined}]format=yuv420p[vout]")
    voice = "[0:a]aformat=sample_rates=48000:channel_layouts=stereo"
    tail = f"loudnorm=I={settings.RENDER_LOUDNESS_LUFS}:TP=-1.5:LRA=11,aresample=48000[aout]"
    if music:
        audio_graph = (f"{voice},asplit=2[voice][key];[1:a]aformat=sample_rates=48000:channel_layouts=stereo,"
                       f"volume={settings.RENDER_BGM_VOLUME_DB}dB[bgm];"
                       "[bgm][key]sidechaincompress=threshold=0.02:ratio=8:attack=20:release=400[ducked];"
                       f"[voice][ducked]amix=inputs=2:duration=first:dropout_transition=0:normalize=0,{tail}")
    else:
        audio_graph = f"{voice},{tail}"
    return [*inputs, "-filter_complex", ";".join([*video, audio_graph]), "-map", "[vout]", "-map", "[aout]",
            *ffmpeg.video_encoder(), "-pix_fmt", "yuv420p", "-r", str(FPS),
            "-c:a", "aac", "-aac_coder", "fast", "-b:a", "160k", "-ar", "48000",
            "-t", f"{seconds:.3f}", "-movflags", "+faststart"]


def _segment(part: Part, number: int, length: float, inputs: list[str], seed: int) -> str:
    """Segment ``number``'s graph, ending in ``[p<number>]``: its visual moving under its overlay.
    Appends the inputs it reads to ``inputs``."""
    stream, frames = count_inputs(inputs), math.ceil(length * FPS)
    if part.slide:
        inputs += ["-framerate", str(FPS), "-i", f"slide{number}-backdrop.ppm",
                   "-framerate", str(FPS), "-i", f"slide{number}-picture.ppm"]
        visual = slide_chain(stream, number, frames, part.slide, (WIDTH, HEIGHT), FPS, f"[u{number}]")
    else:
        clip, visual = background_loop(stream, seed + number, {}, label=f"u{number}", replay=False)
        inputs += ["-t", f"{length:.3f}", *clip]
        visual = visual.rstrip(";")
    inputs += ["-i", part.overlay]
    return (f"{visual};[u{number}][{count_inputs(inputs) - 1}:v]overlay=0:0,trim=end_frame={frames},"
            f"format=yuv420p,setsar=1[p{number}]")


def _thumbnails(parts: list[Part], title: str, font: Path, workdir: Path) -> None:
    """The top item (rank 1) on both thumbnails: its image, or the compilation's title card."""
    top = next(part for part in parts if part.rank == 1)
    cards.thumbnail(title, font, top.image).save(workdir / "thumbnail.jpg", "JPEG", quality=88)
    tall = cards.thumbnail_tall(f"1위 {top.site}", cards.drawable(top.title, font), font, top.image)
    tall.save(workdir / TALL_THUMBNAIL, "JPEG", quality=88)


def compilation_qc(rendered: Rendered, narration_ms: int) -> QCReport:
    report = qc_check(rendered.video, narration_ms=narration_ms, font=rendered.font, text=rendered.text,
                      subtitles=rendered.subtitles, boxes=rendered.meta["boxes"], music=rendered.music,
                      max_seconds=MAX_SECONDS, voice=rendered.voice, spoken=rendered.spoken)
    ranks_check(report, rendered.video, rendered.meta["plan"], rendered.workdir)
    return report


def ranks_check(report: QCReport, video: Path, plan: list[dict], workdir: Path) -> None:
    """The countdown runs N → 1, and mid-segment each rank's frame is its own drawing.

    The upper half (banner and badge; the captions are below) of the video frame in the middle
    of each segment is compared with every segment's drawing: the closest must be its own.
    """
    ranks = [entry["rank"] for entry in plan if entry["kind"] == "item"]
    report.require(ranks == sorted(ranks, reverse=True) and ranks[-1:] == [1],
                   f"the ranks run {ranks}, not a countdown to 1")
    drawings = [_probe(Image.open(workdir / entry["frame"])) for entry in plan]
    seen = []
    for number, entry in enumerate(plan):
        middle = (entry["start"] + TRANSITION_SECONDS + entry["end"]) / 2
        shot = workdir / f"probe{number}.png"
        ffmpeg.run(["-ss", f"{middle:.3f}", "-i", str(video), "-frames:v", "1", "-y", str(shot)],
                   timeout=60, what="rank QC")
        frame = _probe(Image.open(shot))
        distances = [ImageStat.Stat(ImageChops.difference(frame, d)).mean[0] for d in drawings]
        seen.append(min(range(len(plan)), key=distances.__getitem__))
    report.measured["rank_segments_seen"] = [plan[n]["rank"] or plan[n]["kind"] for n in seen]
    report.require(seen == list(range(len(plan))),
                   f"segments seen in order {seen}, planned {list(range(len(plan)))}")


def _probe(image: Image.Image) -> Image.Image:
    upper = image.convert("L").crop((0, 0, image.width, image.height // 2))
    return upper.resize(PROBE_SIZE, Image.BILINEAR)
