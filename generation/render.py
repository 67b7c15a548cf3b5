"""Render a 9:16 short: one ffmpeg process, one filter graph, written beside its final path.

Visuals are the post's images as a zooming slideshow with crossfades (or a looped background
clip) that punches in over the first second, a top banner (community badge and title) for the
whole short, the best-comment card and karaoke captions of the written text, all inside the
Shorts safe area (their boxes go into the render meta for QC); audio is the narration over
the mood's music ducked under it, with a whoosh at sentence cuts and a pop as each comment card
pops in, mixed once by a first pass that measures it (ebur128) and scaled to
RENDER_LOUDNESS_LUFS in the render. The short goes to a private work folder first;
``Rendered.finalize()`` moves it into place after QC, so a crash or a failed check never leaves a
half file at ``video.mp4``.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from django.conf import settings

from generation import cards, sfx
from generation.caption_layer import caption_layer, state_starts
from generation.listen import Listen, caption_timings, job_with_listen
from generation.postcard import PostCard, fitted_post_card
from generation.slideshow import slideshow, stacked, strips_around
from generation.subtitles import (
    BOX_PAD,
    FONT_SIZE,
    Cue,
    Layout,
    ass_document,
    caption_boxes,
    caption_cues,
    font_family,
    safe_area,
    subtitle_text,
)
from wagglebot.lib import ffmpeg
from wagglebot.lib.ffmpeg import FFmpegError

WIDTH, HEIGHT, FPS = 1080, 1920, 30
SAFE_LEFT, SAFE_TOP, SAFE_RIGHT, SAFE_BOTTOM = safe_area(WIDTH, HEIGHT)
CARD_TOP, CARD_GAP = SAFE_TOP + 10, 24
CARD_WIDTH = SAFE_RIGHT - SAFE_LEFT
PUNCH_IN_SECONDS, PUNCH_IN_ZOOM = 1.0, 0.12
# A post with fewer images than this is told over its post card instead of a slideshow.
MIN_SLIDESHOW_IMAGES = 2
# The post card stays at its top this long, then scrolls to its end by this share of the story.
SCROLL_HOLD_SECONDS, SCROLL_END_SHARE = 1.5, 0.9
# A comment card rises this far into place over this long as its comment is read.
POP_RISE_PX, POP_SECONDS = 60, 0.25
TALL_THUMBNAIL = "thumbnail_shorts.jpg"
AUDIO_EXTENSIONS = {".m4a", ".mp3", ".ogg", ".opus", ".wav", ".flac"}
VIDEO_EXTENSIONS = {".mp4", ".mov", ".webm", ".mkv"}
# The slideshow held: a frame where something changes, repeated by the last fps (generation.slideshow).
HELD_SLIDES = True
# A background loop this short is replayed from memory (3 MB a frame at 1080x1920).
MEMORY_LOOP_SECONDS = 8.0
# ebur128's summary labels; its "Threshold" lines come after I and LRA, so these match first.
LOUDNESS_FIELDS = {"input_i": r"\bI", "input_lra": r"\bLRA", "input_peak": r"\bPeak"}
# The mixed sound (voice, ducked music, effects, the clip's own), written by the loudness pass
# and scaled by the render: the mix is made once, not once to measure and again to encode.
MIX = "mix.wav"
SILENCE_LUFS = -70.0  # ebur128 reports silence at its floor rather than -inf
TRUE_PEAK_DB, LOUDNESS_RANGE_LU = -1.5, 11
# alimiter holds sample peaks; at least this much lower (more where the measured true peak is further
# over the samples) keeps the peaks between samples under TRUE_PEAK_DB.
INTERSAMPLE_HEADROOM_DB = 0.5
# Effects sit this far under their files' −6 dBFS peaks: a cue, never louder than the voice.
SFX_VOLUME_DB = -10.0
WHOOSH_LEAD_SECONDS = 0.2  # half the whoosh: its swell peaks on the cut
# The clip's own sound before ducking: under the voice even between its words.
CLIP_VOLUME_DB = -8.0
# The default "twoloop" AAC search took half as long again as the whole audio graph.
AUDIO_ENCODER = ("-c:a", "aac", "-aac_coder", "fast", "-b:a", "160k", "-ar", "48000")


@dataclass
class RenderJob:
    audio_path: Path
    duration_ms: int
    timings: dict
    title: str
    out_dir: Path
    images: list[Path] = field(default_factory=list)
    best_comment: dict | None = None
    # Comments read out after the story; the timing sentences with "comment": n say when.
    comments: list[dict] = field(default_factory=list)
    seed: int = 0
    # The written sentences the narration was normalised from: the captions show these.
    sentences: list[str] = field(default_factory=list)
    site_name: str = ""
    # The post drawn as a card: the main visual when it has few images (None: the background).
    post_card: PostCard | None = None
    # The story's tone (generation.mood): the music loop is chosen among the files of this mood.
    mood: str = ""
    # Short.Layout: "auto" (a clip: the clip; few images: post card), "images", "post_card" or
    # "video", as a person chose.
    layout: str = "auto"
    # The post's clip (generation.clips): the "video" layout shows it, its sound ducked under the voice.
    clip: Path | None = None
    clip_audio: bool = False
    # The clip's narratable transcript ({"text", "segments"}) and length: what the short may open
    # with, heard clean (generation.listen).
    transcript: dict | None = None
    clip_seconds: float = 0.0
    # Set by render_short when it does open so; the timings and duration then include it.
    listen: Listen | None = None


@dataclass
class Rendered:
    """A finished render still in its work folder, waiting for QC."""

    video: Path
    thumbnail: Path
    workdir: Path
    text: str
    font: Path
    meta: dict
    music: Path | None = None
    # The narration's own track and the text it speaks (spoken forms): QC measures its pace.
    voice: Path | None = None
    spoken: str = ""

    @property
    def subtitles(self) -> Path:
        return self.workdir / "subs.ass"

    def finalize(self, out_dir: Path) -> tuple[Path, Path]:
        """Video and 16:9 thumbnail in place; the 9:16 one lands beside them as TALL_THUMBNAIL."""
        video, thumb = out_dir / "video.mp4", out_dir / "thumbnail.jpg"
        os.replace(self.thumbnail, thumb)
        os.replace(self.workdir / TALL_THUMBNAIL, out_dir / TALL_THUMBNAIL)
        os.replace(self.video, video)  # atomic on one filesystem: old file or new, never half
        self.discard()
        return video, thumb

    def discard(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)


def font_path() -> Path:
    path = Path(settings.RENDER_FONT_PATH)
    if not path.is_file():
        raise FFmpegError(
            f"subtitle font {str(path)!r} does not exist: set RENDER_FONT_PATH to a TTF/OTF font with Hangul "
            "(Debian package fonts-nanum installs /usr/share/fonts/truetype/nanum/)",
            permanent=True,
        )
    return path


def render_short(job: RenderJob) -> Rendered:
    font = font_path()
    seconds = job.duration_ms / 1000
    if seconds > settings.RENDER_MAX_SECONDS:
        raise FFmpegError(f"narration is {seconds:.1f} s, over {settings.RENDER_MAX_SECONDS:.0f} s",
                         permanent=True)
    job = job_with_listen(job, settings.RENDER_MAX_SECONDS)
    seconds = job.duration_ms / 1000
    job.out_dir.mkdir(parents=True, exist_ok=True)
    _remove_stale_workdirs(job.out_dir)
    workdir = Path(tempfile.mkdtemp(prefix=".render-", dir=job.out_dir))
    try:
        return _render(job, font, workdir, seconds)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise


def _remove_stale_workdirs(out_dir: Path) -> None:
    # Left by a worker killed mid-render; never the final files.
    for stale in out_dir.glob(".render-*"):
        shutil.rmtree(stale, ignore_errors=True)


def _render(job: RenderJob, font: Path, workdir: Path, seconds: float) -> Rendered:
    job = replace(job, title=cards.drawable(job.title, font), site_name=cards.drawable(job.site_name, font),
                  best_comment=_drawable_comment(job.best_comment, font),
                  comments=[_drawable_comment(c, font) for c in job.comments],
                  post_card=_drawable_card(job.post_card, font))
    (workdir / "fonts").mkdir()
    (workdir / "fonts" / font.name).symlink_to(font.resolve())
    layout = Layout(font, WIDTH, HEIGHT, boxed=bool(job.images or job.clip))  # a box keeps captions legible over photos
    captions = caption_timings(job.listen, job.timings)  # the transcript's over the listen segment
    (workdir / "subs.ass").write_text(ass_document(captions, layout, job.sentences), encoding="utf-8")
    cues = caption_cues(captions, layout, job.sentences)
    graph = _Graph(job, font, workdir, seconds)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=1) as pool:
        measuring = pool.submit(_loudness_measure, graph)  # an ffmpeg child, beside the Pillow work here
        graph.prepare_visuals(cues, layout)
        loudness = measuring.result()
    thumb = workdir / "thumbnail.jpg"
    with ThreadPoolExecutor(max_workers=1) as pool:
        drawing = pool.submit(_thumbnail_draw, job, font, thumb)  # beside the encode, not after it
        ffmpeg.run([*graph.arguments(loudness), "-y", "video.mp4"], timeout=settings.RENDER_TIMEOUT_SECONDS,
                   what="render", cwd=workdir)
        drawing.result()
    meta = {**graph.meta, "render_ms": round((time.monotonic() - started) * 1000), "loudness_in": loudness,
            "font_family": font_family(font), "listen": job.listen.to_meta() if job.listen else None}
    meta["boxes"] = graph.boxes + caption_boxes(cues, layout)
    text = f"{subtitle_text(captions, job.sentences)} {cards.card_texts(job.title, job.best_comment, job.site_name)}"
    text += "".join(f" {cards.card_texts('', c)}" for c in job.comments)
    if graph.meta.get("visual") == "post_card":
        text += f" {job.post_card.texts()}"
    return Rendered(video=workdir / "video.mp4", thumbnail=thumb, workdir=workdir, text=text, font=font, meta=meta,
                    music=graph.bgm, voice=job.audio_path, spoken=spoken_text(job.timings))


def spoken_text(timings: dict) -> str:
    """What the narration says, as spoken (numbers read out): the timings' sentences."""
    return " ".join(sentence.get("text", "") for sentence in timings.get("sentences") or [])


def _thumbnail_draw(job: RenderJob, font: Path, path: Path) -> None:
    first = job.images[0] if job.images else None
    cards.thumbnail(job.title, font, first).save(path, "JPEG", quality=88)
    cards.thumbnail_tall(job.site_name, job.title, font, first).save(path.parent / TALL_THUMBNAIL, "JPEG", quality=88)


def _drawable_comment(comment: dict | None, font: Path) -> dict | None:
    if not comment:
        return None
    return {key: cards.drawable(comment.get(key, ""), font) for key in ("author", "text")}


def _drawable_card(card: PostCard | None, font: Path) -> PostCard | None:
    if card is None:
        return None
    fields = ("site", "title", "author", "body")
    return replace(card, **{key: cards.drawable(getattr(card, key), font) for key in fields})


def _loudness_measure(graph: _Graph) -> dict | None:
    """Integrated loudness, range and sample peak of the mix, measured on the audio alone, and its
    true peak where the gain's choice waits on it (``_needs_true_peak``); the mix is kept (``MIX``,
    32-bit float: nothing clips before the gain) for the render to scale.

    ebur128 rather than loudnorm's first pass: the same BS.1770 numbers in a fifth of the
    time, since loudnorm resamples everything to 192 kHz even when it only measures. The true
    peak oversamples the whole mix four times (0.3 s, 40 % of the pass): it is measured on its
    own, on the written mix, and only when it decides something.
    """
    args = [*graph.audio_inputs(), "-filter_complex", graph.audio_chain("ebur128=peak=sample:framelog=quiet[aout]"),
            "-map", "[aout]", "-t", f"{graph.seconds:.3f}", "-c:a", "pcm_f32le", "-y", MIX]
    done = ffmpeg.run(args, timeout=120, what="loudness measurement", cwd=graph.workdir)
    measured = _ebur128_summary(done.stderr, LOUDNESS_FIELDS)
    if measured is None or not measured["input_i"] > SILENCE_LUFS:
        return None  # silence: nothing to scale
    if _needs_true_peak(measured):
        done = ffmpeg.run(["-i", MIX, "-af", "ebur128=peak=true:framelog=quiet", "-f", "null", "-"], timeout=120,
                          what="true peak measurement", cwd=graph.workdir)
        peak = _ebur128_summary(done.stderr, {"input_tp": r"\bPeak"})
        if peak is None:
            return None
        measured.update(peak)
    return measured


def _needs_true_peak(measured: dict) -> bool:
    """Whether plain gain or gain and limiter waits on the mix's true peak: not when loudnorm
    takes a wide range, nor when the gain takes the sample peaks themselves past the ceiling
    (the true peak, between the samples, is never under them)."""
    gain = settings.RENDER_LOUDNESS_LUFS - measured["input_i"]
    return measured["input_lra"] <= LOUDNESS_RANGE_LU and measured["input_peak"] + gain <= TRUE_PEAK_DB


def _ebur128_summary(stderr: str, fields: dict[str, str]) -> dict | None:
    """The ``fields`` (key: label) of ebur128's summary in ``stderr``; None if one is missing or not finite."""
    found = {key: re.search(rf"{label}:\s*(-?[\d.]+|-inf)", stderr) for key, label in fields.items()}
    if not all(found.values()):
        return None
    values = {key: float(match.group(1)) for key, match in found.items()}
    return values if all(math.isfinite(v) for v in values.values()) else None


class _Graph:
    """The render's inputs and filter graph, numbered in the order inputs are added."""

    def __init__(self, job: RenderJob, font: Path, workdir: Path, seconds: float) -> None:
        self.job, self.font, self.workdir, self.seconds = job, font, workdir, seconds
        self.bgm = music_for(settings.RENDER_BGM_DIR, job.mood, job.seed)
        self.meta: dict = {"encoder": ffmpeg.video_encoder()[1], "bgm": self.bgm.name if self.bgm else None,
                           "music": {"mood": job.mood or None, "file": self.bgm.name if self.bgm else None}}
        self.boxes: list[dict] = []
        self.effects = self._effects_track()

    def audio_inputs(self) -> list[str]:
        args = ["-i", str(self.job.audio_path)]
        if self.bgm:
            args += ["-stream_loop", "-1", "-i", str(self.bgm)]
        if self.effects:
            args += ["-i", str(self.effects)]
        return args + self._clip_inputs()

    def render_inputs(self) -> list[str]:
        """The render's sound is the measured mix; a shown clip comes after it, for its picture."""
        return ["-i", MIX, *self._clip_inputs()]

    def _clip_inputs(self) -> list[str]:
        # Looped: a clip shorter than the narration plays again, sound and all.
        return ["-stream_loop", "-1", "-i", str(self.job.clip)] if self.clip_shown() else []

    def clip_shown(self) -> bool:
        """The "video" layout: chosen, or automatic, when the post has a clip."""
        return self.job.clip is not None and self.job.layout in ("auto", "video")

    def clip_input(self) -> int:
        """The clip's input number in the mix: the last of the audio inputs."""
        return count_inputs(self.audio_inputs()) - 1

    def _effects_track(self) -> Path | None:
        path = self.workdir / "sfx.wav"
        self.meta["sfx"] = sfx.track_write(_effect_cues(self.job, self.seconds), settings.RENDER_SFX_DIR,
                                           self.seconds, path)
        return path if self.meta["sfx"] else None

    def loudnorm_target(self) -> str:
        return f"I={settings.RENDER_LOUDNESS_LUFS}:TP={TRUE_PEAK_DB}:LRA={LOUDNESS_RANGE_LU}"

    def audio_chain(self, tail: str) -> str:
        """Voice, the music ducked under it (sidechain: the voice is the key), and the effects."""
        voice = "[0:a]aformat=sample_rates=48000:channel_layouts=stereo" + self._after_listen()
        clip_sound = self.clip_shown() and self.job.clip_audio
        if not self.bgm and not self.effects and not clip_sound:
            return f"{voice},{tail}"
        keys = int(bool(self.bgm)) + int(clip_sound)
        keyed = f"{voice},asplit={keys + 1}[voice]{''.join(f'[key{n}]' for n in range(keys))}"
        parts, mixed = [keyed if keys else f"{voice}[voice]"], ["[voice]"]
        if self.bgm:
            parts.append(f"[1:a]aformat=sample_rates=48000:channel_layouts=stereo,"
                         f"volume={settings.RENDER_BGM_VOLUME_DB}dB{self._silent_in_listen()}[bgm]")
            parts.append("[bgm][key0]sidechaincompress=threshold=0.02:ratio=8:attack=20:release=400[ducked]")
            mixed.append("[ducked]")
        if clip_sound:  # the clip's own sound, under the voice while it speaks and back up between
            parts.append(f"[{self.clip_input()}:a]aformat=sample_rates=48000:channel_layouts=stereo,"
                         f"{self._clip_volume()}[clip]")
            parts.append(f"[clip][key{keys - 1}]sidechaincompress=threshold=0.02:ratio=10:attack=20:release=300"
                         "[clipducked]")
            mixed.append("[clipducked]")
        if self.effects:
            parts.append(f"[{2 if self.bgm else 1}:a]aformat=sample_rates=48000:channel_layouts=stereo,"
                         f"volume={SFX_VOLUME_DB}dB[sfx]")
            mixed.append("[sfx]")
        parts.append(f"{''.join(mixed)}amix=inputs={len(mixed)}:duration=first:dropout_transition=0:normalize=0,{tail}")
        return ";".join(parts)

    def _after_listen(self) -> str:
        """The narration delayed past the listen segment (it also keys the ducking: none meanwhile)."""
        return f",adelay=delays={self.job.listen.ms}:all=1" if self.job.listen else ""

    def _silent_in_listen(self) -> str:
        # Music under the clip's own speech would be one more voice to hear through.
        return f",volume=0:enable='lt(t,{self.job.listen.seconds:.3f})'" if self.job.listen else ""

    def _clip_volume(self) -> str:
        """The clip's sound at its own level over the listen segment, CLIP_VOLUME_DB under after it."""
        if not self.job.listen:
            return f"volume={CLIP_VOLUME_DB}dB"
        under = 10 ** (CLIP_VOLUME_DB / 20)
        return f"volume='if(lt(t,{self.job.listen.seconds:.3f}),1,{under:.4f})':eval=frame"

    def prepare_visuals(self, cues: list[Cue] | None = None, layout: Layout | None = None) -> None:
        """Draw slides and cards into the work folder and build the video half of the graph
        (captioned when given the cues and their layout)."""
        first_visual = count_inputs(self.render_inputs())
        self.banner = cards.banner(self.job.site_name, self.job.title, self.font, width=CARD_WIDTH)
        self.visual_inputs, video = self._visuals(first_visual, cues or [])
        held = bool(self.meta.get("held"))
        video += self._punch_in(held)
        video += self._cards(first_visual + count_inputs(self.visual_inputs), self.visual_inputs)
        layer = caption_layer(cues, layout, self.workdir, round(self.seconds * 1000),
                              first=first_visual + count_inputs(self.visual_inputs), fps=FPS) if cues else None
        # Held, the frames drawn only where something changes are repeated into every frame last, and
        # timed in microseconds as the overlays time the unheld graph: the output's -t is compared in
        # the stream's time base, and in 1/30 s it rounds 50.109 s down onto the last frame.
        out, constant = ("held", f";[held]fps={FPS},settb=AVTB[vout]") if held else ("vout", "")
        if layer is None:
            self.video = f"{video}[v]format=yuv420p[{out}]{constant}"
            return
        self.visual_inputs += layer.inputs
        self.meta["caption_states"] = layer.states
        self.video = video + layer.over("v", out) + constant

    def _ticks(self, cues: list[Cue]) -> set[int]:
        """The frames where something drawn over the visuals changes: the captions (each state from
        the first frame at or after its start, as the overlay shows it), the punch-in's end, the
        comment card's entrance, each read comment's rise and its card's exit. A held slideshow
        has a frame at each (a time between two frames marks both: the overlays' ``enable`` and
        motion compare frame times in floating point)."""
        ticks = {-(-ms * FPS // 1000) for ms in state_starts(cues, round(self.seconds * 1000), FPS)}
        ticks.add(round(PUNCH_IN_SECONDS * FPS))

        def around(seconds: float) -> set[int]:
            frame = math.floor(seconds * FPS)
            return {frame, frame + 1}

        read = _comment_spans(self.job.timings, self.job.comments, self.seconds)
        for _, start, end in read:
            ticks.update(range(math.floor(round(start, 3) * FPS), math.floor((start + POP_SECONDS) * FPS) + 2))
            ticks |= around(round(end, 3))
        comment = self.job.best_comment
        if not read and comment and comment.get("text"):
            ticks |= around(round(_comment_start(self.job.timings, self.seconds), 2))
        return ticks

    def arguments(self, loudness: dict | None) -> list[str]:
        """The render, once the loudness pass has written the mix and measured it."""
        return [
            *self.render_inputs(), *self.visual_inputs, "-filter_complex", f"{self.video};{self.mastered(loudness)}",
            "-map", "[vout]", "-map", "[aout]",
            *ffmpeg.video_encoder(), "-pix_fmt", "yuv420p", "-r", str(FPS),
            *AUDIO_ENCODER,
            "-t", f"{self.seconds:.3f}", "-movflags", "+faststart",
        ]

    def mastered(self, loudness: dict | None) -> str:
        """The graph piece that brings the mix (input 0) to the target loudness, ending in [aout]."""
        return f"[0:a]{self._loudnorm(loudness)},aresample=48000[aout]"

    def _loudnorm(self, measured: dict | None) -> str:
        """The measured gain, with a peak limiter where the gain would clip; loudnorm if unmeasured.

        This is loudnorm's linear mode without its 192 kHz true-peak pass over every sample (the
        measurement already knows the true peak, or that the sample peak alone decides), plus a peak
        limiter where linear mode would give up (on speech over BGM and on clicks over a tone,
        measured as close to −14 LUFS as loudnorm's dynamic mode). A wide loudness range still goes
        through loudnorm, which also compresses it.
        """
        if not measured or measured["input_lra"] > LOUDNESS_RANGE_LU:
            return "loudnorm=" + self.loudnorm_target()
        gain = settings.RENDER_LOUDNESS_LUFS - measured["input_i"]
        # Unmeasured, the true peak is not needed: the sample peak alone is past the ceiling.
        peak = measured.get("input_tp", measured["input_peak"])
        if peak + gain <= TRUE_PEAK_DB:
            return f"volume={gain:.2f}dB"
        # alimiter holds samples: a mix whose true peak is measured further over its samples than
        # the usual headroom (quarter-rate bursts, 2.3 dB) has its samples held that much lower.
        between = peak - measured["input_peak"]
        ceiling = TRUE_PEAK_DB - max(INTERSAMPLE_HEADROOM_DB, between)
        return f"volume={gain:.2f}dB,alimiter=limit={ceiling:.2f}dB:level=false:attack=5:release=50"

    def _visuals(self, first: int, cues: list[Cue]) -> tuple[list[str], str]:
        """Inputs and graph of the visual under the cards, ending in [base]; a slideshow is held
        (HELD_SLIDES) at the ticks of the ``cues`` and cards drawn over it."""
        self.meta["layout"] = self.job.layout
        if self.clip_shown():
            return [], self._clip(count_inputs(self.render_inputs()) - 1)
        if self.job.post_card and self._card_layout():
            return self._post_card(first)
        if self.job.images:
            inputs, graph, chosen = slideshow(self.job.images, self.workdir, first=first, seconds=self.seconds,
                                              size=(WIDTH, HEIGHT), fps=FPS, timings=self.job.timings,
                                              ticks=self._ticks(cues) if HELD_SLIDES else None)
            self.meta.update(chosen)
            return inputs, graph
        return background_loop(first, self.job.seed, self.meta)

    def _card_layout(self) -> bool:
        """The post card unless a person asked for the images (and there are some)."""
        if self.job.layout == "images" and self.job.images:
            return False
        return self.job.layout == "post_card" or len(self.job.images) < MIN_SLIDESHOW_IMAGES

    def _post_card(self, first: int) -> tuple[list[str], str]:
        """The post card in the window between banner and captions, over the background, scrolling
        at one steady speed (whole pixels per frame move every frame) when it is taller, drawn
        larger when it is shorter."""
        inputs, chain = background_loop(first, self.job.seed, self.meta, label="bg")
        top = _even_up(CARD_TOP + self.banner.height + CARD_GAP)  # even: the window is stacked in yuv420p
        window = SAFE_BOTTOM - 2 * FONT_SIZE - 3 * BOX_PAD - top
        card = fitted_post_card(self.job.post_card, self.font, width=CARD_WIDTH, window=window)
        card.save(self.workdir / "postcard.ppm")
        view = min(card.height, window) // 2 * 2
        story_end = _story_end(self.job.timings, self.seconds)
        travel = card.height - view
        speed = travel / max(story_end * SCROLL_END_SHARE - SCROLL_HOLD_SECONDS, 1.0)
        frames = math.ceil(self.seconds * FPS)
        inputs += ["-framerate", str(FPS), "-i", "postcard.ppm"]
        chain += (f"[{first + 1}:v]scale=out_range=tv,format=yuv420p,loop=loop={frames - 1}:size=1:start=0,"
                  f"setpts=N/({FPS}*TB),crop={CARD_WIDTH}:{view}:0:"
                  f"y='min({travel},max(0,(t-{SCROLL_HOLD_SECONDS})*{speed:.4f}))':exact=1[card];")
        # The card stacked with the background's strips around its window: xstack copies, where an
        # overlay converted the opaque card to add an alpha plane and blended it, in every frame
        # (0.35 s of CPU over a 50 s short).
        box = (SAFE_LEFT, top, CARD_WIDTH, view)
        chain += stacked("[bg]null", "[card]null", "pc", strips_around((WIDTH, HEIGHT), box), box) + "[base];"
        self.boxes.append({"name": "post card", "x": SAFE_LEFT, "y": top, "w": CARD_WIDTH, "h": view})
        self.meta.update(visual="post_card", post_card_px=[card.width, card.height], scroll_px=travel,
                         post_card_scale=card.info["scale"])
        return inputs, chain

    def _clip(self, number: int) -> str:
        """The clip fitted inside the frame over a blurred, cropped fill of itself, as photos are.
        Its input loops, so a clip shorter than the narration plays again until the end."""
        self.meta.update(visual="clip", clip=self.job.clip.name, clip_audio=self.job.clip_audio)
        return (f"[{number}:v]fps={FPS},setsar=1,split=2[clipfill][clipfit];"
                f"[clipfill]scale={WIDTH // 4}:{HEIGHT // 4}:force_original_aspect_ratio=increase,"
                f"crop={WIDTH // 4}:{HEIGHT // 4},boxblur=10:2,scale={WIDTH}:{HEIGHT},setsar=1[clipbg];"
                f"[clipfit]scale={WIDTH}:{HEIGHT}:force_original_aspect_ratio=decrease,setsar=1[clipfg];"
                "[clipbg][clipfg]overlay=x=(W-w)/2:y=(H-h)/2,format=yuv420p[base];")

    def _punch_in(self, held: bool = False) -> str:
        """The first second zooms out from a close-up: a still first frame reads as a photo.
        ``held``: [base] has frames only where it changes (a tick marks the second's end), so it is
        cut by time, its first second made whole, and the two put back in order by timestamp."""
        frames = round(PUNCH_IN_SECONDS * FPS)
        if self.seconds < 2 * PUNCH_IN_SECONDS:
            return ""
        zoom = f"{1 + PUNCH_IN_ZOOM}-{PUNCH_IN_ZOOM}*on/{frames - 1}"
        opening, rest, joined = (f"trim=end_frame={frames}", f"trim=start_frame={frames},setpts=PTS-STARTPTS",
                                 "concat=n=2:v=1:a=0")
        if held:
            opening, rest, joined = (f"trim=end={PUNCH_IN_SECONDS},fps={FPS}",
                                     f"trim=start={PUNCH_IN_SECONDS},setsar=1", "interleave=nb_inputs=2")
        return (f"[base]split=2[open][rest];[open]{opening},"
                f"zoompan=z='{zoom}':x='iw/2-iw/zoom/2':y='ih/2-ih/zoom/2':d=1:s={WIDTH}x{HEIGHT}:fps={FPS},"
                f"setsar=1[opened];[rest]{rest}[after];[opened][after]{joined}[base];")

    def _cards(self, first: int, inputs: list[str]) -> str:
        banner = self.banner
        banner.save(self.workdir / "banner.png")
        inputs += ["-i", "banner.png"]
        self.boxes.append({"name": "banner", "x": SAFE_LEFT, "y": CARD_TOP, "w": banner.width, "h": banner.height})
        graph = f"[base][{first}:v]overlay=x={SAFE_LEFT}:y={CARD_TOP}[v]"
        read = _comment_spans(self.job.timings, self.job.comments, self.seconds)
        if read:
            return graph + self._read_comments(first + 1, inputs, read)
        comment = self.job.best_comment
        if comment and comment.get("text"):
            card = self._comment_card(comment)
            card.save(self.workdir / "comment.png")
            inputs += ["-i", "comment.png"]
            top = CARD_TOP + banner.height + CARD_GAP
            self.boxes.append({"name": "comment", "x": SAFE_LEFT, "y": top, "w": card.width, "h": card.height})
            start = _comment_start(self.job.timings, self.seconds)
            graph += f";[v][{first + 1}:v]overlay=x={SAFE_LEFT}:y={top}:enable='gte(t,{start:.2f})'[v]"
        return graph + ";"


    def _comment_card(self, comment: dict):
        card = cards.comment_card(comment.get("author", ""), comment["text"], self.font, width=CARD_WIDTH)
        # Opaque inside its rounded corners: over the white post card, its text showed through.
        card.putalpha(card.getchannel("A").point(lambda alpha: 255 if alpha else 0))
        return card

    def _read_comments(self, first: int, inputs: list[str], read: list[tuple[dict, float, float]]) -> str:
        """Each comment's card pops in (rising into place) as its comment is read."""
        top, graph = CARD_TOP + self.banner.height + CARD_GAP, ""
        for number, (comment, start, end) in enumerate(read):
            card = self._comment_card(comment)
            card.save(self.workdir / f"comment{number}.png")
            inputs += ["-i", f"comment{number}.png"]
            self.boxes.append({"name": f"comment {number + 1}", "x": SAFE_LEFT, "y": top, "w": card.width,
                               "h": card.height})
            rise = f"{POP_RISE_PX}*max(0,1-(t-{start:.3f})/{POP_SECONDS})"
            graph += (f";[v][{first + number}:v]overlay=x={SAFE_LEFT}:y='{top}+{rise}':"
                      f"enable='between(t,{start:.3f},{end:.3f})'[v]")
        self.meta["comments_read"] = len(read)
        return graph + ";"


def _effect_cues(job: RenderJob, seconds: float) -> dict[str, list[float]]:
    """Seconds of each effect: a pop where a comment card pops in, a whoosh at every other cut
    between sentences (the slides change there too); the whoosh's swell is centred on the cut."""
    read = _comment_spans(job.timings, job.comments, seconds)
    if read:
        pops = [start for _, start, _ in read]
    elif job.best_comment and job.best_comment.get("text"):
        pops = [_comment_start(job.timings, seconds)]
    else:
        pops = []
    cuts = [s["start_ms"] / 1000 for s in (job.timings.get("sentences") or [])[1:]]
    whooshes = [round(cut - WHOOSH_LEAD_SECONDS, 3) for cut in cuts if all(abs(cut - pop) > 0.05 for pop in pops)]
    return {"whoosh": [t for t in whooshes if t >= 0], "pop": [round(t, 3) for t in pops]}


def _comment_spans(timings: dict, comments: list[dict], seconds: float) -> list[tuple[dict, float, float]]:
    """(comment, start, end) for each comment read out: from its first word to the next one's."""
    starts = [(s["comment"], s["start_ms"] / 1000) for s in timings.get("sentences") or []
              if s.get("comment") is not None and s["comment"] < len(comments) and comments[s["comment"]]]
    if not starts:
        return []
    ends = [start for _, start in starts[1:]] + [seconds]
    return [(comments[n], start, end) for (n, start), end in zip(starts, ends, strict=True)]


def _comment_start(timings: dict, seconds: float) -> float:
    """The closer (last sentence) is where the best comment is asked about; show the card there."""
    sentences = timings.get("sentences") or []
    if len(sentences) >= 2:
        return sentences[-1]["start_ms"] / 1000
    return seconds * 0.6


def _story_end(timings: dict, seconds: float) -> float:
    """Where the narration of the post ends: the first comment read out, or the end."""
    for sentence in timings.get("sentences") or []:
        if sentence.get("comment") is not None:
            return sentence["start_ms"] / 1000
    return seconds


def background_loop(first: int, seed: int, meta: dict, label: str = "base",
                    replay: bool = True) -> tuple[list[str], str]:
    """Inputs and graph of one of the shipped background loops (picked by ``seed``), ending in ``label``.

    With ``replay``, a loop of up to MEMORY_LOOP_SECONDS is decoded and scaled to the frame once
    and its frames replayed from memory (``loop``): decoding and scaling it again on every pass
    took 2.1 s of CPU over a 50 s short, replaying 0.65 s, for about 600 MB while it renders
    (a compilation, with a background per rank, streams them). A longer clip streams, decoded and
    scaled frame by frame."""
    clip = _pick(settings.RENDER_BACKGROUNDS_DIR, VIDEO_EXTENSIONS, seed)
    memory = ""
    if clip:
        seconds = _seconds_of(clip) if replay else 0.0
        if 0 < seconds <= MEMORY_LOOP_SECONDS:
            inputs, memory = ["-i", str(clip)], f",loop=loop=-1:size={math.ceil(seconds * FPS)}"
        else:
            inputs = ["-stream_loop", "-1", "-i", str(clip)]
    else:  # no clip shipped or configured: a plain dark frame keeps the short renderable
        inputs = ["-f", "lavfi", "-i", f"color=c=0x1d1b2e:s={WIDTH}x{HEIGHT}:r={FPS}"]
    meta.update(visual="background", images=0, background=clip.name if clip else None)
    chain = (f"[{first}:v]scale={WIDTH}:{HEIGHT}:force_original_aspect_ratio=increase:out_range=tv,"
             f"crop={WIDTH}:{HEIGHT},fps={FPS},format=yuv420p,setsar=1{memory}[{label}];")
    return inputs, chain


def _even_up(value: int) -> int:
    return value + value % 2


def _seconds_of(clip: Path) -> float:
    """The clip's length, 0 when ffprobe cannot tell (it then streams)."""
    try:
        return float(ffmpeg.probe(clip).get("format", {}).get("duration") or 0)
    except (FFmpegError, ValueError):
        return 0.0


def music_for(folder: Path, mood: str, seed: int) -> Path | None:
    """A loop of ``mood`` (files named ``<mood>-*``), any loop when the folder has none of it."""
    files = sorted(p for p in Path(folder).glob("*") if p.suffix.lower() in AUDIO_EXTENSIONS) if folder else []
    matching = [p for p in files if mood and p.name.startswith(f"{mood}-")] or files
    return matching[seed % len(matching)] if matching else None


def _pick(folder: Path, extensions: set[str], seed: int) -> Path | None:
    files = sorted(p for p in Path(folder).glob("*") if p.suffix.lower() in extensions) if folder else []
    return files[seed % len(files)] if files else None


def count_inputs(args: list[str]) -> int:
    """How many inputs ``args`` opens: the number the next input gets in a filter graph."""
    return args.count("-i")
