"""The caption layer draws each caption state once, yet every frame matches what libass drew
into that frame directly: same words, same highlight, same frame."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from django.conf import settings

from generation.caption_layer import caption_layer, cue_changes, fills_only, in_band, state_starts, whitened
from generation.subtitles import Layout, ass_document, caption_cues
from tests.generation.test_captions import timed
from wagglebot.lib import ffmpeg

SIZE, FPS = (1080, 1920), 30


def timings() -> dict:
    first = timed("어제 회사 회식에서 정말 황당한 일이", 0,
                  [("어제", 0, 300), ("회사", 300, 620), ("회식에서", 620, 1100), ("정말", 1100, 1390),
                   ("황당한", 1390, 1800), ("일이", 1800, 2050)])
    second = timed("있었어요", 2300, [("있었어요", 2300, 2900)])
    return {"duration_ms": 3000, "sentences": [first, second]}


def layout(boxed: bool = True) -> Layout:
    return Layout(Path(settings.RENDER_FONT_PATH), *SIZE, boxed=boxed)


def test_states_change_at_cue_edges_and_at_every_karaoke_step():
    cues = caption_cues(timings(), layout())

    starts = state_starts(cues, 3000)

    # the first cue's words, highlighted in turn, then the second cue; 3000 is the end
    assert starts == [0, 300, 620, 1100, 1390, 1800, 2300]
    assert [cue.start_ms for cue in cues] == [0, 2300]
    # the alpha changes only where a cue begins or ends
    assert cue_changes(cues, starts) == [0, 2300]
    # a short ending at 2300 ms has its last frame at 2266.7 ms: the second cue is never seen
    assert state_starts(cues, 2300, 30)[-1] == 1800


def frames(path: Path, band: tuple[int, int, int, int]) -> np.ndarray:
    x, y, w, h = band
    raw = path.with_suffix(".rgb")
    ffmpeg.run(["-i", str(path), "-vf", f"crop={w}:{h}:{x}:{y}", "-f", "rawvideo", "-pix_fmt", "rgb24", "-y", str(raw)],
               what="decode")
    return np.fromfile(raw, np.uint8).reshape(-1, h, w, 3).astype(np.int16)


def short_words() -> dict:
    """Captions no wider than a word: the band still reaches the margins, which stay positive in it."""
    sentences = [timed("네", 0, [("네", 0, 900)]), timed("진짜요", 1200, [("진짜요", 1200, 2600)])]
    return {"duration_ms": 3000, "sentences": sentences}


@pytest.mark.parametrize(("spoken", "boxed"), [(timings, True), (short_words, True), (timings, False)])
def test_every_frame_matches_libass_drawing_into_it(tmp_path, spoken, boxed):
    (tmp_path / "fonts").mkdir()
    (tmp_path / "fonts" / "font.ttf").symlink_to(Path(settings.RENDER_FONT_PATH).resolve())
    cues = caption_cues(spoken(), layout(boxed))
    (tmp_path / "subs.ass").write_text(ass_document(spoken(), layout(boxed)), encoding="utf-8")
    base = ["-f", "lavfi", "-i", f"testsrc2=s={SIZE[0]}x{SIZE[1]}:r={FPS}:d=3,format=yuv420p"]
    out = ["-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv420p"]
    ffmpeg.run([*base, "-vf", "ass=filename=subs.ass:fontsdir=fonts", *out, "-y", "direct.mp4"],
               what="direct", cwd=tmp_path)
    layer = caption_layer(cues, layout(boxed), tmp_path, 3000, first=1, fps=FPS)
    ffmpeg.run([*base, *layer.inputs, "-filter_complex",
                layer.over("0:v"), "-map", "[vout]", *out, "-y", "layered.mp4"], what="layered", cwd=tmp_path)

    band = (layer.x, layer.y, 900, 400)
    direct, layered = frames(tmp_path / "direct.mp4", band), frames(tmp_path / "layered.mp4", band)

    assert direct.shape == layered.shape and len(direct) == 3 * FPS
    changed = [frame for frame in range(1, len(direct)) if np.abs(direct[frame] - direct[frame - 1]).max() > 64]
    assert len(changed) >= len(state_starts(cues, 3000)) - 1  # the highlight really moves in this clip
    differs = np.abs(direct - layered).max(axis=-1) > 48
    assert differs.sum(axis=(1, 2)).max() < 200, "a frame shows another state than libass drew"
    # measured: 0.05 boxed, 0.02 unboxed, 0.01 short words (0.48 when the layer was drawn premultiplied,
    # over zero light: libass and overlay each rounded, so the half-transparent box came out darker)
    assert np.abs(direct - layered).mean() < 0.2
    assert layer.states == len(state_starts(cues, 3000))


def test_the_band_document_keeps_each_lines_place_less_the_bands_offset():
    document = ass_document(timings(), layout())

    banded = in_band(document, SIZE, (36, 1294, 890, 256))

    assert "PlayResX: 890\nPlayResY: 256\n" in banded
    styles = [line for line in banded.splitlines() if line.startswith("Style:")]
    left, right, bottom = layout().margins
    assert all(line.split(",")[-4:-1] == [str(left - 36), str(right - (1080 - 926)), str(bottom - (1920 - 1550))]
               for line in styles)
    assert banded.split("[Events]")[1] == document.split("[Events]")[1]
    with pytest.raises(ValueError, match="margins"):
        in_band(document, SIZE, (300, 1294, 400, 256))  # narrower than the lines may be


def test_the_alpha_document_is_white_in_every_style_and_keeps_each_alpha():
    document = ass_document(timings(), layout()).replace("있었어요", "&H0000E1FF")  # text that spells a colour

    white = whitened(document)

    def style_colours(text: str) -> list[str]:
        return [c for line in text.splitlines() if line.startswith("Style:") for c in line.split(",") if c[:2] == "&H"]

    colours, originals = style_colours(white), style_colours(document)
    assert colours == [c[:4] + "FFFFFF" for c in originals] and "&H50FFFFFF" in colours
    assert white.split("[Events]")[1] == document.split("[Events]")[1]


def test_the_colour_document_draws_the_letters_fills_alone():
    document = ass_document(timings(), layout())

    fills = fills_only(document)

    # over black, the black box, outline and shadow change nothing: drawn or not, the frame test
    # above finds the same pixels
    styles = [line.split(",") for line in fills.splitlines() if line.startswith("Style:")]
    assert styles and all(style[16:18] == ["0", "0"] for style in styles)  # Outline, Shadow
    events = [line for line in fills.splitlines() if line.startswith("Dialogue:")]
    originals = [line for line in document.splitlines() if line.startswith("Dialogue:")]
    assert events == [line for line in originals if ",Box," not in line] and len(events) == len(originals) // 2
