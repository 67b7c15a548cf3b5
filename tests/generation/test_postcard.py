from __future__ import annotations

import numpy as np
from django.conf import settings
from PIL import Image

from generation.postcard import MAX_HEIGHT, MAX_SCALE, SCALE_STEP, PostCard, fitted_post_card, post_card
from generation.qc import qc_check
from generation.render import RenderJob, render_short
from tests.generation.media import make_images, narration

LONG_BODY = " ".join(["어제 회식에서 부장님이 노래방 마이크를 잡으시더니 삼십 분 동안 내려놓지 않으셨어요."] * 20)


def card(**changes) -> PostCard:
    values = {"site": "네이트판", "title": "회식에서 부장님이 노래를 멈추지 않았던 날", "author": "노*****",
              "views": 12345, "likes": 678, "body": LONG_BODY, "images": []}
    return PostCard(**{**values, **changes})


def test_a_long_post_card_is_taller_than_a_screen_and_cut_at_the_limit(tmp_path):
    image = post_card(card(images=make_images(tmp_path, 3)), settings.RENDER_FONT_PATH, width=880)

    assert image.width == 880 and 1920 < image.height <= MAX_HEIGHT
    assert image.getpixel((10, 10)) == (250, 250, 252)  # the opaque paper


def test_a_card_held_to_a_height_ends_on_a_whole_line_above_its_padding():
    image = post_card(card(), settings.RENDER_FONT_PATH, width=880, max_height=700)

    bottom = image.crop((0, image.height - 40, image.width, image.height))
    assert image.height <= 700
    assert bottom.getcolors() == [(bottom.width * bottom.height, (250, 250, 252))]  # no line cut at the edge


def test_a_short_post_is_drawn_larger_to_fill_its_window_and_a_long_one_scrolls_at_its_own_size():
    short = card(body="점심시간 10분 전 우리 팀 단톡방 상황을 그려봤습니다. 결국 오늘도 김치찌개였습니다.")
    font = settings.RENDER_FONT_PATH

    plain, fitted = post_card(short, font, width=1000), fitted_post_card(short, font, width=1000, window=900)

    assert plain.height < 700
    assert plain.height * 1.2 < fitted.height <= 900  # larger, and never past the window
    scale = fitted.info["scale"]
    assert 1 < scale < MAX_SCALE  # the largest would not fit this window
    assert fitted.tobytes() == post_card(short, font, width=1000, scale=scale).tobytes()
    assert post_card(short, font, width=1000, scale=scale + SCALE_STEP).height > 900  # as large as fits
    long = fitted_post_card(card(), font, width=1000, window=1000)
    assert long.info["scale"] == 1 and long.tobytes() == post_card(card(), font, width=1000).tobytes()
    held = fitted_post_card(card(), font, width=1000, window=1000, cut=True)  # a compilation's: no scroll
    assert held.tobytes() == post_card(card(), font, width=1000, max_height=1000).tobytes()


def test_the_card_shows_counts_with_separators_and_the_masked_author():
    assert "조회 12,345 · 추천 678" in card().texts() and "노*****" in card().texts()


def test_a_post_without_images_is_told_over_its_scrolling_post_card(tmp_path, media_tools):
    sentences = ["오늘 회사에서 황당한 일이 있었어요.", "여러분이라면 어떻게 하실 건가요?"]
    audio, timings = narration(tmp_path / "voice", sentences)
    job = RenderJob(audio_path=audio, duration_ms=timings["duration_ms"], timings=timings, title="황당한 회식",
                    out_dir=tmp_path / "out", post_card=card(), site_name="네이트판")

    rendered = render_short(job)
    report = qc_check(rendered.video, narration_ms=job.duration_ms, font=rendered.font, text=rendered.text,
                      boxes=rendered.meta["boxes"])

    assert report.passed, report.reasons
    assert rendered.meta["visual"] == "post_card" and rendered.meta["scroll_px"] > 0
    assert "추천 678" in rendered.text
    frames = [tmp_path / f"f{n}.png" for n in (0, 1)]
    for second, path in zip((0.2, 4.0), frames, strict=True):
        _frame(rendered.video, second, path)
    box = next(b for b in rendered.meta["boxes"] if b["name"] == "post card")
    window = (box["x"], box["y"], box["x"] + box["w"], box["y"] + box["h"])
    first, later = (Image.open(p).convert("L").crop(window) for p in frames)
    assert first.tobytes() != later.tobytes()  # it scrolled
    rendered.discard()


def test_the_captions_over_the_post_card_story_stay_still_through_the_punch_in(tmp_path, media_tools):
    """The punch-in zooms the card and its background; the captions are drawn over them after it:
    the same cue stands at the same place all along, never zoomed."""
    sentences = ["오늘 회사에서 황당한 일이 있었어요.", "여러분이라면 어떻게 하실 건가요?"]
    audio, timings = narration(tmp_path / "voice", sentences)
    job = RenderJob(audio_path=audio, duration_ms=timings["duration_ms"], timings=timings, title="황당한 회식",
                    out_dir=tmp_path / "out", post_card=card(), site_name="네이트판")

    rendered = render_short(job)

    first_cue_ends = timings["sentences"][1]["start_ms"] / 1000
    assert first_cue_ends > 1.6
    boxes = []
    for n, second in enumerate((0.1, 0.9, 1.0, 1.5)):  # zooming, its last frame, the first after it, later
        _frame(rendered.video, second, tmp_path / f"c{n}.png")
        luma = np.asarray(Image.open(tmp_path / f"c{n}.png").convert("L"))
        # white and amber letters under the card, even zoomed (its edge reaches 1330); the background is dark
        rows, cols = np.nonzero(luma[1340:] > 170)
        assert len(rows) > 2000, f"no captions at {second} s"
        boxes.append((rows.min(), rows.max(), cols.min(), cols.max()))
    assert max(abs(a - b) for box in boxes for a, b in zip(box, boxes[0], strict=True)) <= 2, boxes
    rendered.discard()


def _frame(video, second: float, path) -> None:
    from wagglebot.lib import ffmpeg

    ffmpeg.run(["-ss", str(second), "-i", str(video), "-frames:v", "1", "-y", str(path)], what="frame grab")


def test_each_comment_read_out_pops_in_its_own_card_while_it_is_read(tmp_path, media_tools):
    comments = [{"author": "가*", "text": "저라면 바로 퇴사합니다"},
                {"author": "나**", "text": "부장님 노래 실력은 어땠나요"}]
    sentences = ["오늘 회사에서 황당한 일이 있었어요.", *(c["text"] for c in comments)]
    audio, timings = narration(tmp_path / "voice", sentences)
    for number, sentence in enumerate(timings["sentences"][1:]):
        sentence["comment"] = number  # as synthesize(..., comments=...) marks them
    job = RenderJob(audio_path=audio, duration_ms=timings["duration_ms"], timings=timings, title="황당한 회식",
                    out_dir=tmp_path / "out", comments=comments, sentences=sentences, site_name="네이트판")

    rendered = render_short(job)
    report = qc_check(rendered.video, narration_ms=job.duration_ms, font=rendered.font, text=rendered.text,
                      boxes=rendered.meta["boxes"])

    assert report.passed, report.reasons
    assert rendered.meta["comments_read"] == 2
    assert [b["name"] for b in rendered.meta["boxes"] if b["name"].startswith("comment")] == ["comment 1", "comment 2"]
    second_start = timings["sentences"][2]["start_ms"] / 1000
    before, during = tmp_path / "a.png", tmp_path / "b.png"
    _frame(rendered.video, 0.5, before)
    _frame(rendered.video, second_start + 0.5, during)
    box = next(b for b in rendered.meta["boxes"] if b["name"] == "comment 2")
    window = (box["x"], box["y"], box["x"] + box["w"], box["y"] + box["h"])
    shown = [Image.open(path).convert("L").crop(window).tobytes() for path in (before, during)]
    assert shown[0] != shown[1]
    rendered.discard()
