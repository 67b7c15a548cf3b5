"""Captions show what the post wrote, timed by what the voice says, inside the Shorts safe area,
in the font file libass really draws with."""

from __future__ import annotations

import itertools
from pathlib import Path

from django.conf import settings
from PIL import Image

from generation.normalize import normalize
from generation.qc import libass_fonts, qc_check
from generation.render import TALL_THUMBNAIL, RenderJob, render_short
from generation.subtitles import Layout, ass_document, caption_boxes, caption_cues, safe_area
from tests.generation.media import narration
from wagglebot.lib import ffmpeg


def layout(boxed: bool = False) -> Layout:
    return Layout(Path(settings.RENDER_FONT_PATH), 1080, 1920, boxed=boxed)


def timed(text: str, start: int, words: list[tuple[str, int, int]]) -> dict:
    return {"text": text, "start_ms": start, "end_ms": words[-1][2],
            "words": [{"text": w, "start_ms": s, "end_ms": e} for w, s, e in words]}


def dialogues(document: str) -> list[str]:
    return [line.split(",,0,0,0,,")[1] for line in document.splitlines() if line.startswith("Dialogue: 1,")]


def test_captions_show_the_written_number_highlighted_for_as_long_as_its_spoken_words():
    written = "나는 20대 직장인"
    sentence = timed(normalize(written), 0, [("나는", 0, 400), ("이십", 400, 700), ("대", 700, 900),
                                             ("직장인", 900, 1500)])
    assert sentence["text"] == "나는 이십 대 직장인"

    document = ass_document({"duration_ms": 1500, "sentences": [sentence]}, layout(), [written])

    assert dialogues(document) == ["{\\k40}나는 {\\k50}20대 {\\k60}직장인"]


def test_engine_words_are_found_by_character_position_and_a_merged_word_shares_the_span():
    # espeak reported "이십 대" as one event: the two spoken words split its 300 ms by length.
    sentence = timed("나는 이십 대 직장인", 0, [("나는", 0, 400), ("이십 대", 400, 700), ("직장인", 700, 1500)])

    cues = caption_cues({"duration_ms": 1500, "sentences": [sentence]}, layout())

    starts = [(w.text, w.start_ms) for line in cues[0].lines for w in line]
    assert starts == [("나는", 0), ("이십", 400), ("대", 600), ("직장인", 700)]


def test_without_a_written_sentence_that_normalises_to_the_spoken_one_the_spoken_words_show():
    sentence = timed("백 명", 0, [("백", 0, 300), ("명", 300, 600)])

    document = ass_document({"duration_ms": 600, "sentences": [sentence]}, layout(), ["전혀 다른 문장"])

    assert dialogues(document) == ["{\\k30}백 {\\k30}명"]


def test_lines_hold_twelve_characters_at_most_two_per_cue_and_each_cue_lasts_until_the_next():
    written = ["동생이 게임기 숨겨놓은 장소를 드디어 찾았습니다 정말 어이가 없네요", "여러분 생각은 어떠세요?"]
    sentences, at = [], 0
    for text in written:
        words = normalize(text).split()
        spans = [(w, at + 300 * i, at + 300 * (i + 1)) for i, w in enumerate(words)]
        sentences.append(timed(normalize(text), at, spans))
        at = sentences[-1]["end_ms"] + 400  # a pause between sentences
    timings = {"duration_ms": at, "sentences": sentences}

    cues = caption_cues(timings, layout(), written)

    assert all(len(cue.lines) <= 2 for cue in cues)
    assert max(len(text) for cue in cues for text in cue.line_texts()) <= 12
    assert all(cue.end_ms == following.start_ms for cue, following in itertools.pairwise(cues))
    assert cues[-1].end_ms == timings["duration_ms"]
    assert [t for cue in cues for t in cue.line_texts()][:2] == ["동생이 게임기 숨겨놓은", "장소를 드디어"]


def test_the_style_asks_for_bold_at_90_to_110_px_so_libass_draws_the_configured_bold_file(tmp_path):
    (tmp_path / "fonts").mkdir()
    document = ass_document({"duration_ms": 1000, "sentences": []}, layout())
    style = next(line for line in document.splitlines() if line.startswith("Style: Karaoke"))
    (tmp_path / "subs.ass").write_text(document, encoding="utf-8")
    regular = document.replace(",-1,0,0,0,100,100", ",0,0,0,0,100,100")
    (tmp_path / "regular.ass").write_text(regular, encoding="utf-8")

    assert 90 <= int(style.split(",")[2]) <= 110
    assert {f["path"] for f in libass_fonts(tmp_path / "subs.ass")} == {settings.RENDER_FONT_PATH}
    assert {f["weight"] for f in libass_fonts(tmp_path / "regular.ass")} == {400}


def test_caption_boxes_over_images_stay_inside_the_safe_area():
    left, top, right, bottom = safe_area(1080, 1920)
    words = "가나다라마바 사아자차카 타파하가나다 라마바사아자차카타파하"
    sentence = timed(words, 0, [(w, 400 * i, 400 * (i + 1)) for i, w in enumerate(words.split())])

    boxes = caption_boxes(caption_cues({"duration_ms": 1600, "sentences": [sentence]}, layout(True)), layout(True))

    assert (left, top, right, bottom) == (40, 230, 920, 1536)
    assert boxes and all(b["x"] >= left and b["x"] + b["w"] <= right and b["y"] + b["h"] <= bottom for b in boxes)
    assert max(b["x"] + b["w"] for b in boxes) > right - 40  # the widest line uses the width it has


def test_a_rendered_short_passes_the_font_and_safe_area_checks_and_its_caption_ink_lies_in_its_box(
        tmp_path, media_tools, settings):
    settings.RENDER_BACKGROUNDS_DIR = tmp_path / "no-backgrounds"  # plain dark frame: bright pixels are text
    written = ["20대 직장인인데 156만원 받았어요"]
    audio, timings = narration(tmp_path / "voice", [normalize(s) for s in written])
    job = RenderJob(audio_path=audio, duration_ms=timings["duration_ms"], timings=timings, title="월급 이야기",
                    out_dir=tmp_path / "out", sentences=written, site_name="네이트판")
    rendered = render_short(job)
    report = qc_check(rendered.video, narration_ms=job.duration_ms, font=rendered.font, text=rendered.text,
                      subtitles=rendered.subtitles, boxes=rendered.meta["boxes"])
    frame = tmp_path / "frame.png"
    ffmpeg.run(["-ss", f"{job.duration_ms / 2000:.2f}", "-i", str(rendered.video), "-frames:v", "1", "-y", str(frame)])

    assert report.passed, report.reasons
    assert report.measured["libass_fonts"] == [settings.RENDER_FONT_PATH]
    assert report.measured["safe_area"]["outside"] == 0
    assert "20대" in rendered.text and "이십" not in rendered.text
    caption = next(b for b in rendered.meta["boxes"] if b["name"].startswith("caption"))
    with Image.open(frame) as image:
        below_cards = image.convert("L").crop((0, 1000, 1080, 1920)).point(lambda v: 255 if v > 150 else 0)
        x0, y0, x1, y1 = below_cards.getbbox()
    assert caption["x"] <= x0 and x1 <= caption["x"] + caption["w"]
    assert caption["y"] <= y0 + 1000 and y1 + 1000 <= caption["y"] + caption["h"]
    rendered.finalize(job.out_dir)
    with Image.open(job.out_dir / TALL_THUMBNAIL) as tall:
        assert tall.size == (1080, 1920)


def test_qc_rejects_a_box_in_the_right_hand_button_column(tmp_path, media_tools):
    video = tmp_path / "v.mp4"
    ffmpeg.run(["-f", "lavfi", "-i", "color=s=1080x1920:d=1:r=30", "-f", "lavfi", "-i", "sine=d=1:sample_rate=48000",
                "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-movflags", "+faststart", "-y", str(video)])

    report = qc_check(video, narration_ms=1000, font=Path(settings.RENDER_FONT_PATH), text="",
                      boxes=[{"name": "comment", "x": 100, "y": 400, "w": 900, "h": 300}])

    assert report.measured["safe_area"]["outside"] == 1
    assert "comment at x 100..1000, y 400..700 leaves the safe area x 40..920, y 230..1536" in report.reasons
