from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image, ImageDraw

from generation.qc import qc_check
from generation.render import RenderJob, render_short
from generation.subtitles import Layout, ass_document, wrap_words
from tests.generation.media import FFPROBE, make_images, narration
from wagglebot.lib.ffmpeg import FFmpegError

SENTENCES = ["오늘 회사에서 황당한 일이 있었어요.", "여러분이라면 어떻게 하실 건가요?"]
COMMENT = {"author": "익명의댓글러", "text": "저라면 바로 퇴사합니다"}


def ffprobe(path: Path) -> dict:
    done = subprocess.run([FFPROBE, "-v", "error", "-print_format", "json", "-show_streams", "-show_format",
                           str(path)], check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


def render(tmp_path: Path, images: list[Path], sentences: list[str] = SENTENCES, mood: str = "") -> tuple:
    audio, timings = narration(tmp_path / "voice", sentences)
    job = RenderJob(audio_path=audio, duration_ms=timings["duration_ms"], timings=timings,
                    title="회사에서 있었던 황당한 일 🐶", out_dir=tmp_path / "out", images=images, best_comment=COMMENT,
                    mood=mood)
    return job, render_short(job)


def test_a_five_second_short_is_a_1080x1920_h264_aac_file_of_the_narration_length(tmp_path, media_tools):
    job, rendered = render(tmp_path, [], mood="tense")
    video, thumb = rendered.finalize(job.out_dir)

    info = ffprobe(video)
    v = next(s for s in info["streams"] if s["codec_type"] == "video")
    a = next(s for s in info["streams"] if s["codec_type"] == "audio")
    assert 4.0 < job.duration_ms / 1000 < 8.0
    assert (v["codec_name"], v["width"], v["height"], v["pix_fmt"], v["avg_frame_rate"]) == (
        "h264", 1080, 1920, "yuv420p", "30/1")
    assert (a["codec_name"], a["sample_rate"]) == ("aac", "48000")
    assert abs(float(info["format"]["duration"]) - job.duration_ms / 1000) <= 0.1
    assert video.name == "video.mp4" and not list(job.out_dir.glob(".render-*"))
    assert rendered.meta["visual"] == "background"
    assert rendered.meta["music"] == {"mood": "tense", "file": "tense-loop.m4a"}
    thumb_info = ffprobe(thumb)["streams"][0]
    assert (thumb_info["width"], thumb_info["height"]) == (1280, 720)


@pytest.mark.parametrize("count", [1, 7])
def test_a_slideshow_of_post_images_passes_qc(tmp_path, media_tools, count):
    job, rendered = render(tmp_path, make_images(tmp_path / "images", count))

    report = qc_check(rendered.video, narration_ms=job.duration_ms, font=rendered.font, text=rendered.text)

    assert report.passed, report.reasons
    assert rendered.meta["visual"] == "slideshow" and rendered.meta["images"] == count
    assert report.measured["longest_still_s"] <= 3
    assert abs(report.measured["loudness_lufs"] - -14) <= 1
    assert "🐶" not in rendered.text  # the emoji in the title was left off the card, not drawn as a box
    rendered.discard()


def test_a_missing_font_is_an_error_that_names_the_setting(tmp_path, media_tools, settings):
    settings.RENDER_FONT_PATH = str(tmp_path / "no-such-font.ttf")

    with pytest.raises(FFmpegError) as failure:
        render(tmp_path, [])

    assert failure.value.permanent
    assert "RENDER_FONT_PATH" in failure.value.message
    assert not (tmp_path / "out" / "video.mp4").exists()


def test_a_narration_over_sixty_seconds_is_refused_before_rendering(tmp_path, media_tools, settings):
    settings.RENDER_MAX_SECONDS = 2

    with pytest.raises(FFmpegError, match="over 2 s"):
        render(tmp_path, [])


def test_korean_lines_break_between_words_at_twelve_characters_at_most():
    words = ["어제", "회사", "회식에서", "부장님이", "갑자기", "노래를", "부르셨는데", "분위기가", "초토화되었습니다"]

    lines = wrap_words(words)

    assert [" ".join(line) for line in lines] == [
        "어제 회사 회식에서", "부장님이 갑자기 노래를", "부르셨는데 분위기가", "초토화되었습니다"]
    assert max(len(" ".join(line)) for line in lines) == 12
    assert [word for line in lines for word in line] == words  # every word whole, in order
    assert wrap_words(["가나다라마바사아자차카타파하가나"]) == [["가나다라마바사아자차카타파하가나"]]


def test_a_short_last_word_is_not_left_alone_on_its_line():
    assert wrap_words(["오늘의", "베스트", "TOP", "3"]) == [["오늘의", "베스트"], ["TOP", "3"]]
    assert wrap_words(["정말", "대단한", "일이었어요", "네?"]) == [["정말", "대단한"], ["일이었어요", "네?"]]
    # a longer last word stays where it fell, and so does a stray that cannot take its neighbour along
    assert wrap_words(["오늘의", "베스트", "TOP", "세번째"]) == [["오늘의", "베스트", "TOP"], ["세번째"]]
    assert wrap_words(["가나다라마바사아자차카", "3"]) == [["가나다라마바사아자차카"], ["3"]]
    assert wrap_words(["가나다라마바사아자", "3"], fits=lambda line: len(line) < 11) == [["가나다라마바사아자"], ["3"]]


def test_each_word_gets_a_karaoke_tag_of_its_duration():
    timings = {"duration_ms": 2000, "sentences": [{"text": "안녕 하세요 {\\b1}", "start_ms": 0, "end_ms": 2000,
               "words": [{"text": "안녕", "start_ms": 0, "end_ms": 700}, {"text": "하세요", "start_ms": 700,
                          "end_ms": 1500}, {"text": "{\\b1}", "start_ms": 1500, "end_ms": 2000}]}]}

    document = ass_document(timings, Layout(Path(settings.RENDER_FONT_PATH), 1080, 1920))

    dialogue = [line for line in document.splitlines() if line.startswith("Dialogue:")]
    assert dialogue == ["Dialogue: 1,0:00:00.00,0:00:02.00,Karaoke,,0,0,0,,{\\k70}안녕 {\\k80}하세요 {\\k50}(＼b1)"]


def test_a_long_capture_scrolls_down_in_the_rendered_short(tmp_path, media_tools):
    capture = tmp_path / "capture.png"
    image = Image.new("RGB", (720, 4000), "white")
    draw = ImageDraw.Draw(image)
    for y in range(0, 4000, 100):
        draw.rectangle((40, y, 680, y + 40), fill=(30, 30, 30))  # text-like lines all the way down
    image.save(capture)
    job, rendered = render(tmp_path, [capture, *make_images(tmp_path / "images", 1)])

    frames = [_gray_frame(rendered.video, second) for second in (1.1, 2.0)]  # after the punch-in

    assert rendered.meta["scrolled"] == 1
    assert frames[0] != frames[1]  # the capture moved (between banner and captions)
    report = qc_check(rendered.video, narration_ms=job.duration_ms, font=rendered.font, text=rendered.text)
    assert report.passed, report.reasons
    rendered.discard()


def _gray_frame(video: Path, second: float) -> bytes:
    from wagglebot.lib import ffmpeg

    done = subprocess.run([ffmpeg.ffmpeg_path(), "-v", "error", "-ss", str(second), "-i", str(video), "-frames:v", "1",
                           "-vf", "crop=1080:400:0:600,scale=108:40,format=gray", "-f", "rawvideo", "-"],
                          check=True, capture_output=True)
    return done.stdout


@pytest.mark.parametrize("read_out", [True, False], ids=["comments read out", "best comment"])
def test_a_held_slideshow_comes_out_frame_for_frame_as_one_drawn_every_frame(tmp_path, media_tools, monkeypatch,
                                                                              read_out):
    """Held, the slides are stacked only where something changes (generation.slideshow) and the
    last fps repeats them; every frame must be the one drawn frame by frame: the zoom, a scrolling
    capture, the crossfades, the punch-in, the captions' states, and the best comment's entrance
    or each read comment rising in and leaving."""
    from generation import render as render_module
    from wagglebot.lib import ffmpeg

    capture = tmp_path / "capture.png"
    image = Image.new("RGB", (720, 2600), "white")
    draw = ImageDraw.Draw(image)
    for y in range(0, 2600, 100):
        draw.rectangle((40, y, 680, y + 40), fill=(30, 30, 30))
    image.save(capture)
    images = [capture, *make_images(tmp_path / "images", 2)]  # the comments come over a zoom, not the scroll
    read = ["저라면 바로 퇴사합니다", "노래방은 이제 그만"]
    audio, timings = narration(tmp_path / "voice", [*SENTENCES, *read])
    comments = [{"author": author, "text": text} for author, text in zip(["익명", "회사원"], read, strict=True)]
    if read_out:
        timings["sentences"][2:] = [{**sentence, "comment": n} for n, sentence in enumerate(timings["sentences"][2:])]
    run, hashes, meta = ffmpeg.run, {}, {}

    def frames_listed_too(args, **kwargs):
        done = run(args, **kwargs)
        if kwargs.get("what") == "render":  # the same graph again, its frames hashed
            listed = run([*args[:args.index("-map")], "-map", "[vout]", "-t", args[args.index("-t") + 1],
                          "-f", "framemd5", "-", "-map", "[aout]", "-f", "null", "-"],
                         what="frames", cwd=kwargs["cwd"]).stdout
            hashes[held] = [line.split(",")[-1].strip() for line in listed.splitlines()
                            if line and not line.startswith("#")]
        return done

    monkeypatch.setattr(ffmpeg, "run", frames_listed_too)
    for held in (True, False):
        monkeypatch.setattr(render_module, "HELD_SLIDES", held)
        job = RenderJob(audio_path=audio, duration_ms=timings["duration_ms"], timings=timings, title="회사 이야기",
                        out_dir=tmp_path / f"out-{held}", images=images, best_comment=COMMENT,
                        comments=comments if read_out else [])
        meta[held] = render_short(job).meta

    assert meta[True]["held"] and not meta[False]["held"] and meta[True]["scrolled"] == 1
    assert meta[True].get("comments_read", 0) == (2 if read_out else 0)
    assert len(hashes[True]) == round(timings["duration_ms"] * 30 / 1000 + 0.5) > 150
    assert hashes[True] == hashes[False]
