#!/usr/bin/env python
"""Render ~50 s shorts from fixed inputs and print the ratios against a floor and moviepy.

Two layouts: the image story (five images whole over a blurred fill with a zoom, crossfades,
the best comment's card) and the text story (the post card scrolling over a background loop,
three comments read out, each card popping in). The image story is rendered three ways:

1. ours: ``generation.render.render_short`` (one ffmpeg filter graph, plus its audio-only
   loudness measurement pass, which also mixes the sound), as the pipeline runs it;
2. moviepy 2: the same slides (same pan), crossfades, cards, per-line captions and ducked BGM
   composited in Python, installed into a throwaway venv (never a project dependency);
3. floor: a bare ffmpeg encode of the same frame size, rate and length with no compositing:
   the frames and mastered sound our filter graph hands the encoder, written raw by an untimed
   render beforehand, encoded with the same video and audio encoder settings. The same frames,
   so the same encoding work; the audio is encoded too, since every render must. (Until
   2026-12 the floor decoded our H.264 inside its timing, ≈ 4 s CPU of its 22, and copied the
   audio instead of encoding it, ≈ 0.8 s: the ratio erred in our favour by about 15 %. Until
   2026-12-05 it encoded our finished short decoded: frames one lossy encode smoother than the
   ones ours encodes, 3 % fewer bits and 3-4 % less encoder CPU, erring against ours.)

The text story is rendered ours and floor (moviepy has no scrolling card to compare with).
All use the same ffmpeg binary and encoder settings. Last line, the image story:
``render ours/floor=<x.xx> moviepy/ours=<y.yy>`` on wall clock; the line before it gives the same
ratios on CPU time (user + system, this process and its children); the text story's line comes
before those. Ours and the floor run RUNS times in alternated pairs (ours first, then the floor
first, and so on: a machine slowing down or speeding up weighs on both), and each ratio is the
median of the pairs' ratios; the best run of each is printed beside it. moviepy runs once, against
the median of ours. Targets: ours ≤ 1.15× floor, moviepy ≥ 5× ours.

Until 2026-12-05 the ratios took the best run of each (fastest ours over fastest floor). On this
shared machine the same floor encode (the text story's) took 27.9 s of CPU in one bench run and
41.4 to 48.9 s in the next three, and one lucky floor run decided the ratio: three benches of
nearly the same code gave the image story 1.01, 1.19 and 1.22 that way, and 1.14, 1.19 and 1.14
as the median of their pairs.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wagglebot.settings")
os.environ.setdefault("ENV_FILE", "/dev/null")
os.environ.setdefault("DEBUG", "true")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from generation import cards  # noqa: E402
from generation.postcard import PostCard  # noqa: E402
from generation.render import AUDIO_ENCODER, HEIGHT, WIDTH, RenderJob, render_short  # noqa: E402
from generation.slideshow import fitted, slide_size  # noqa: E402
from generation.subtitles import sentence_words, wrap_words  # noqa: E402
from tests.generation.media import make_images, narration  # noqa: E402
from wagglebot.lib import ffmpeg  # noqa: E402

VENV = Path(tempfile.gettempdir()) / "wb-bench-moviepy"
# Pairs of ours and the floor, alternated; each ratio is the median of the pairs' (a shared VM's
# CPU time varied by 20 % between consecutive runs of the same render, and by 75 % between benches).
RUNS = int(os.environ.get("BENCH_RENDER_RUNS", "5"))
TITLE = "회식에서 부장님이 노래를 멈추지 않았던 날"
COMMENT = {"author": "노래방마스터", "text": "막내 용기가 정말 대단하네요 저라면 못 했을 듯"}
SENTENCES = [
    "어제 회사 회식에서 정말 황당한 일이 있었어요.",
    "부장님이 노래방 마이크를 잡으시더니 내려놓지를 않으셨거든요.",
    "다들 박수를 치면서 분위기를 맞췄는데 노래가 무려 삼십 분이나 이어졌습니다.",
    "결국 막내가 몰래 취소 버튼을 눌렀는데 그 순간 방 안이 얼어붙었어요.",
    "부장님은 아무 말 없이 다음 곡을 예약하셨고 모두가 웃음을 참느라 고생했습니다.",
    "다음 날 아침 부장님은 어제 너무 즐거웠다며 다음 회식도 노래방으로 하자고 하셨어요.",
    "팀원들은 서로 눈치만 보다가 아무도 반대하지 못했습니다.",
    "처음엔 다들 웃었지만 나중엔 진심으로 걱정이 되기 시작했어요.",
    "그래도 덕분에 팀 분위기는 예전보다 훨씬 가까워진 것 같습니다.",
    "여러분 회사에도 이런 분이 계신가요?",
]
# The text story: its last three sentences are comments read out.
COMMENTS = [
    {"author": "노래방마스터", "text": "막내 용기가 정말 대단하네요 저라면 못 했을 듯"},
    {"author": "회사원", "text": "저희 부장님도 똑같아요 마이크를 절대 안 놓으세요"},
    {"author": "익명", "text": "다음 회식은 노래방 말고 고깃집으로 가세요"},
]


def cpu_seconds() -> float:
    """User + system time of this process and its waited-for children (ffmpeg, moviepy)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(label: str, run) -> tuple[float, float]:
    """Wall and CPU seconds of ``run``: on a shared machine the CPU time is the steadier number."""
    started, cpu = time.monotonic(), cpu_seconds()
    run()
    seconds, cpu = time.monotonic() - started, cpu_seconds() - cpu
    print(f"{label:<8} {seconds:7.1f} s  cpu {cpu:7.1f} s", flush=True)
    return seconds, cpu


def image_story(work: Path, audio: Path, timings: dict, images: list[Path]) -> RenderJob:
    return RenderJob(audio_path=audio, duration_ms=timings["duration_ms"], timings=timings, title=TITLE,
                     out_dir=work / "ours", images=images, best_comment=COMMENT)


def text_story(work: Path, audio: Path, timings: dict) -> RenderJob:
    """The post card (no images) with the last three sentences read as its comments."""
    sentences = timings["sentences"]
    read = [{**s, "comment": n} for n, s in enumerate(sentences[-len(COMMENTS):])]
    timings = {**timings, "sentences": [*sentences[:-len(COMMENTS)], *read]}
    card = PostCard(site="네이트판", title=TITLE, author="회*****", views=48213, likes=1290,
                    body=" ".join(SENTENCES[:-len(COMMENTS)] * 2))
    return RenderJob(audio_path=audio, duration_ms=timings["duration_ms"], timings=timings, title=TITLE,
                     out_dir=work / "ours-text", comments=COMMENTS, post_card=card, site_name="네이트판", seed=1)


def render_ours(job: RenderJob) -> None:
    render_short(job).finalize(job.out_dir)


@contextmanager
def graph_output_kept(frames: Path, sound: Path):
    """While open, each render also writes what its filter graph hands the encoder, raw: its
    frames (yuv420p) to ``frames`` and its mastered sound to ``sound``, by a second run of the
    same inputs and graph (for the floor; 4.7 GB of frames for a 50 s short)."""
    run = ffmpeg.run

    def also_raw(args, **kwargs):
        done = run(args, **kwargs)
        if kwargs.get("what") == "render":
            graph, length = args[:args.index("-map")], args[args.index("-t") + 1]
            run([*graph, "-map", "[vout]", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-r", "30", "-t", length, "-y",
                 str(frames), "-map", "[aout]", "-c:a", "pcm_s16le", "-t", length, "-y", str(sound)],
                timeout=kwargs.get("timeout"), what="floor frames", cwd=kwargs.get("cwd"))
        return done

    ffmpeg.run = also_raw
    try:
        yield
    finally:
        ffmpeg.run = run


def render_floor(work: Path, frames: Path, audio: Path) -> None:
    ffmpeg.run(["-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{WIDTH}x{HEIGHT}", "-framerate", "30",
                "-i", str(frames), "-i", str(audio), "-map", "0:v", "-map", "1:a", *ffmpeg.video_encoder(),
                "-pix_fmt", "yuv420p", "-r", "30", *AUDIO_ENCODER, "-movflags", "+faststart", "-y",
                str(work / "floor.mp4")], what="floor encode")


def moviepy_python() -> str:
    python = VENV / "bin" / "python"
    ready = python.exists() and subprocess.run([python, "-c", "import moviepy"], capture_output=True).returncode == 0
    if not ready:
        print(f"installing moviepy 2 into {VENV} (not timed) ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([python, "-m", "pip", "install", "-q", "moviepy>=2,<3"], check=True)
    return str(python)


def moviepy_spec(work: Path, audio: Path, timings: dict, images: list[Path], seconds: float) -> dict:
    """The same visual inputs ours uses: pre-sized slides, card PNGs, caption lines with times."""
    font = Path(settings.RENDER_FONT_PATH)
    size = slide_size(WIDTH, HEIGHT)
    slides = []
    for index, image in enumerate(images):
        path = work / f"mp-slide{index}.jpg"
        fitted(cards.Image.open(image), size).save(path, quality=92)
        slides.append(str(path))
    cards.title_card(TITLE, font).save(work / "mp-title.png")
    cards.comment_card(COMMENT["author"], COMMENT["text"], font).save(work / "mp-comment.png")
    return {
        "slides": slides, "size": [WIDTH, HEIGHT], "seconds": seconds, "fade": settings.RENDER_CROSSFADE_SECONDS,
        "title": str(work / "mp-title.png"), "comment": str(work / "mp-comment.png"),
        "comment_start": timings["sentences"][-1]["start_ms"] / 1000, "captions": _caption_lines(timings),
        "font": str(font), "audio": str(audio), "bgm": str(next(Path(settings.RENDER_BGM_DIR).glob("*.m4a"))),
        "encoder": list(ffmpeg.video_encoder()), "ffmpeg": ffmpeg.ffmpeg_path(), "out": str(work / "moviepy.mp4"),
    }


def _caption_lines(timings: dict) -> list[dict]:
    lines = []
    for sentence in timings["sentences"]:
        words = sentence_words(sentence)
        index = 0
        for line in wrap_words([w.text for w in words]):
            chunk = words[index:index + len(line)]
            index += len(line)
            lines.append({"text": " ".join(line), "start": chunk[0].start_ms / 1000, "end": chunk[-1].end_ms / 1000})
    return lines


MOVIEPY_SCRIPT = r'''
import json, os, sys
spec = json.loads(sys.argv[1])
os.environ["IMAGEIO_FFMPEG_EXE"] = spec["ffmpeg"]
from moviepy import AudioFileClip, CompositeAudioClip, CompositeVideoClip, ImageClip, TextClip, afx, vfx
W, H = spec["size"]; D = spec["seconds"]; n = len(spec["slides"]); T = spec["fade"]
L = (D + (n - 1) * T) / n
clips = []
for k, path in enumerate(spec["slides"]):
    clip = ImageClip(path).with_start(k * (L - T)).with_duration(L)
    dx, dy = clip.w - W, clip.h - H
    if k % 2:
        pos = lambda t, dx=dx, dy=dy: (-dx * (1 - min(1, t / L)), -dy * (0.75 - 0.5 * min(1, t / L)))
    else:
        pos = lambda t, dx=dx, dy=dy: (-dx * min(1, t / L), -dy * (0.25 + 0.5 * min(1, t / L)))
    clip = clip.with_position(pos)
    clips.append(clip.with_effects([vfx.CrossFadeIn(T)]) if k else clip)
clips.append(ImageClip(spec["title"]).with_start(0).with_duration(3).with_position(("center", 230)))
clips.append(ImageClip(spec["comment"]).with_start(spec["comment_start"])
             .with_duration(D - spec["comment_start"]).with_position(("center", 230)))
for line in spec["captions"]:
    text = TextClip(font=spec["font"], text=line["text"], font_size=80, color="white", stroke_color="black",
                    stroke_width=6, method="label")
    clips.append(text.with_start(line["start"]).with_duration(max(line["end"] - line["start"], 0.1))
                 .with_position(("center", H - 520)))
video = CompositeVideoClip(clips, size=(W, H)).with_duration(D)
voice = AudioFileClip(spec["audio"])
bgm = AudioFileClip(spec["bgm"]).with_effects([afx.AudioLoop(duration=D), afx.MultiplyVolume(0.25)])
video = video.with_audio(CompositeAudioClip([voice, bgm]).with_duration(D))
enc = spec["encoder"]
codec = enc[enc.index("-c:v") + 1]
rest = [a for i, a in enumerate(enc) if a != "-c:v" and (i == 0 or enc[i - 1] != "-c:v")]
video.write_videofile(spec["out"], fps=30, codec=codec, audio_codec="aac", audio_fps=48000,
                      ffmpeg_params=[*rest, "-pix_fmt", "yuv420p", "-movflags", "+faststart"], logger=None)
'''


def render_moviepy(python: str, spec: dict) -> None:
    subprocess.run([python, "-c", MOVIEPY_SCRIPT, json.dumps(spec)], check=True)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="wb-bench-render-"))
    audio, timings = narration(work / "voice", SENTENCES)
    seconds = timings["duration_ms"] / 1000
    images = make_images(work / "images", 5)
    encoder = " ".join(ffmpeg.video_encoder())
    print(f"inputs: {seconds:.1f} s narration, {len(images)} images, BGM; {WIDTH}x{HEIGHT} 30 fps, {encoder}")
    assert 45 <= seconds <= 60, f"narration is {seconds:.1f} s, not 45-60 s"
    python = moviepy_python()
    spec = moviepy_spec(work, audio, timings, images, seconds)
    text = ours_and_floor(work, text_story(work, audio, timings), "text")
    image = ours_and_floor(work, image_story(work, audio, timings, images), "images")
    moviepy = timed("moviepy", lambda: render_moviepy(python, spec))
    print(f"outputs in {work}")
    print(f"text story (post card, 3 comments read): cpu ours/floor={text.ratio(CPU):.2f} "
          f"render ours/floor={text.ratio(WALL):.2f} ({text.summary()})")
    print(f"image story: {image.summary()}")
    print(f"cpu ours/floor={image.ratio(CPU):.2f} moviepy/ours={moviepy[CPU] / image.ours_median(CPU):.2f}")
    print(f"render ours/floor={image.ratio(WALL):.2f} moviepy/ours={moviepy[WALL] / image.ours_median(WALL):.2f}")


WALL, CPU = 0, 1  # in each run's (wall, CPU) seconds


@dataclass
class Pairs:
    """(wall, CPU) seconds of each run of ours and of the floor, paired by their index."""

    ours: list[tuple[float, float]]
    floor: list[tuple[float, float]]

    def ratio(self, kind: int) -> float:
        """The median of the pairs' ours/floor."""
        return statistics.median(o[kind] / f[kind] for o, f in zip(self.ours, self.floor, strict=True))

    def ours_median(self, kind: int) -> float:
        return statistics.median(o[kind] for o in self.ours)

    def summary(self) -> str:
        pairs = " ".join(f"{o[CPU] / f[CPU]:.2f}" for o, f in zip(self.ours, self.floor, strict=True))
        best = [min(run[kind] for run in runs) for runs in (self.ours, self.floor) for kind in (WALL, CPU)]
        return (f"{len(self.ours)} alternated pairs, cpu ours/floor {pairs}; medians: ours "
                f"{self.ours_median(WALL):.1f} s cpu {self.ours_median(CPU):.1f} s, floor "
                f"{statistics.median(f[WALL] for f in self.floor):.1f} s cpu "
                f"{statistics.median(f[CPU] for f in self.floor):.1f} s; best of each: cpu {best[1] / best[3]:.2f} "
                f"wall {best[0] / best[2]:.2f}")


def ours_and_floor(work: Path, job: RenderJob, label: str) -> Pairs:
    """RUNS pairs of ours and the floor on ours' frames, each pair in the other order from the last,
    after an untimed render that writes the frames (and warms the caches for both)."""
    frames, mixed = work / "floor-frames.yuv", work / "floor-audio.wav"
    with graph_output_kept(frames, mixed):
        render_ours(job)
    ours, floor = [timed(label, lambda: render_ours(job))], [timed("floor", lambda: render_floor(work, frames, mixed))]
    for index in range(1, RUNS):
        steps = [(ours, label, lambda: render_ours(job)), (floor, "floor", lambda: render_floor(work, frames, mixed))]
        for runs, name, run in steps if index % 2 == 0 else reversed(steps):
            runs.append(timed(name, run))
    frames.unlink()  # 4.7 GB
    return Pairs(ours, floor)


if __name__ == "__main__":
    main()
