from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from generation.slideshow import MAX_UPSCALE, Piece, _slide, fitted, slide_parts, slide_starts, slideshow
from wagglebot.lib import ffmpeg

SMALL = (216, 384)


def test_slides_change_on_the_sentence_start_nearest_the_even_split():
    # 300 frames, 3 slides: even cuts at 100 and 200; sentences start at 40, 110, 185, 290.
    assert slide_starts([40, 110, 185, 290], 3, 300, 45) == [0, 110, 185]


def test_without_a_sentence_start_nearby_a_slide_changes_on_the_even_split():
    assert slide_starts([10], 3, 300, 45) == [0, 100, 200]


def test_slides_keep_a_minimum_length_even_when_sentences_crowd():
    starts = slide_starts([50, 52, 54], 3, 300, 45)
    assert all(b - a >= 45 for a, b in zip(starts, [*starts[1:], 300], strict=True))


def test_a_wide_image_is_shown_whole_over_its_blurred_copy():
    image = Image.new("RGB", (300, 200), (250, 20, 20))

    slide = fitted(image, (1188, 2112))

    # Upscaled by at most 2×: a 600×400 red picture in the middle, the darkened fill around it.
    assert MAX_UPSCALE == 2.0
    assert slide.getpixel((594, 1056))[0] > 240
    assert slide.getpixel((594 - 301, 1056))[0] < 130  # left of the picture: the darkened fill
    assert slide.getpixel((594 - 299, 1056))[0] > 240
    assert slide.getpixel((594, 1056 - 199))[0] > 240 and slide.getpixel((594, 1056 - 202))[0] < 130


def test_a_small_image_is_upscaled_at_most_twice_and_zooms_inside_its_window():
    parts = slide_parts(Image.new("RGB", (300, 200), (250, 20, 20)), (1080, 1920))

    assert parts.box == (240, 760, 600, 400) and parts.travel == 0  # 2× and centred, on even pixels
    assert parts.size == (660, 440)  # drawn with room for the zoom, by ffmpeg from the image itself
    assert parts.picture.size == (300, 200)
    # The fill is drawn small and darkened; the graph scales it up to the frame once.
    assert parts.backdrop.size == (90, 160) and parts.backdrop.getpixel((1, 1))[0] < 130


def test_a_long_capture_is_shown_at_full_width_and_scrolls_instead_of_shrinking():
    parts = slide_parts(Image.new("RGB", (720, 4000), "white"), (1080, 1920))

    assert parts.box == (0, 0, 1080, 1920)
    assert parts.size == (1080, 6000) and parts.travel == 6000 - 1920


def test_a_far_larger_image_is_averaged_down_by_a_whole_factor_before_ffmpeg_resamples_it():
    parts = slide_parts(Image.new("RGB", (3000, 2000)), SMALL)

    assert parts.size == (238, 158)  # 216×144 in the 216×384 frame, and room for the zoom
    assert parts.picture.size == (750, 500)  # a quarter: still over three times the size it is drawn


def test_a_slide_moves_only_its_picture_window_over_strips_of_the_still_backdrop():
    parts = slide_parts(Image.new("RGB", (800, 600)), (1080, 1920))

    chain = _slide(3, 0, 90, parts, (1080, 1920), 30, [Piece("[b0]", 0, 90)])

    x, y, w, h = parts.box
    assert (x, w) == (0, 1080) and h == 810
    assert f"crop=1080:{y}:0:0" in chain and f"crop=1080:{1920 - y - h}:0:{y + h}" in chain
    assert f"xstack=inputs=3:layout=0_0|0_{y + h}|0_{y}" in chain
    assert "[4:v]" in chain and "eval=frame" in chain  # the picture (the slide's second input) zooms per frame


def _slides_drawn(tmp_path, colours: list[tuple[int, int, int]], seconds: float,
                  ticks: set[int] | None = None) -> tuple[np.ndarray, dict]:
    """The slideshow piece of the graph alone, small (216×384), as RGB frames (a held one made
    constant-rate as the render does)."""
    images = _striped(tmp_path, colours)
    inputs, graph, chosen = slideshow(images, tmp_path, first=0, seconds=seconds, size=SMALL, fps=30, ticks=ticks)
    constant = ",fps=30,settb=AVTB" if ticks is not None else ""
    ffmpeg.run([*inputs, "-filter_complex", f"{graph}[base]format=rgb24{constant}[v]", "-map", "[v]",
                "-t", str(seconds), "-f", "rawvideo", "-y", "frames.rgb"], what="slides", cwd=tmp_path)
    frames = np.fromfile(tmp_path / "frames.rgb", np.uint8).reshape(-1, SMALL[1], SMALL[0], 3).astype(np.int16)
    return frames, chosen


def _striped(tmp_path, colours: list[tuple[int, int, int]]) -> list:
    images = []
    for number, colour in enumerate(colours):
        image = Image.new("RGB", (400, 300), colour)
        draw = ImageDraw.Draw(image)
        for x in range(0, 400, 40):  # stripes: the zoom shows as movement between frames
            draw.rectangle((x, 0, x + 12, 300), fill=(255, 255, 255))
        images.append(tmp_path / f"{number}.png")
        image.save(images[-1])
    return images


def test_slides_crossfade_and_each_keeps_zooming_across_its_pieces(tmp_path):
    frames, chosen = _slides_drawn(tmp_path, [(220, 20, 20), (20, 20, 220)], seconds=4)

    assert len(frames) == 120 and chosen["crossfade_s"] == 0.5
    # the red slide fades into the blue one over 15 frames, its share falling a step each frame
    balance = (frames[..., 0] - frames[..., 2]).mean(axis=(1, 2))  # red over blue, frame by frame
    fading = [n for n in range(1, 120) if balance[n] < balance[n - 1] - 5]
    first, last = fading[0] - 1, fading[-1]
    assert fading == list(range(first + 1, last + 1)) and last - first in (14, 15)
    assert balance[first] > 60 and balance[last] < -60
    assert abs(balance[(first + last) // 2] - (balance[first] + balance[last]) / 2) < 20  # halfway, half mixed
    # no jump where a slide's pieces meet (its tail, or the next one's head and body): the zoom goes
    # on across them, a pixel at a time (a zoom started over would move the stripes several)
    steps = np.abs(np.diff(frames, axis=0)).mean(axis=(1, 2, 3))
    outside = [steps[n] for n in range(119) if not first <= n < last]
    moving = [step for step in outside if step > 0.5]
    assert len(moving) >= 15 and max(outside) < 1.5 * np.median(moving)


def test_the_small_backdrop_fills_the_whole_frame_around_the_picture_darkened(tmp_path):
    image = tmp_path / "red.png"
    Image.new("RGB", (400, 300), (250, 20, 20)).save(image)
    inputs, graph, _ = slideshow([image], tmp_path, first=0, seconds=1, size=SMALL, fps=30)
    ffmpeg.run([*inputs, "-filter_complex", f"{graph}[base]format=rgb24[v]", "-map", "[v]", "-frames:v", "1",
                "-f", "rawvideo", "-y", "frame.rgb"], what="slide", cwd=tmp_path)
    frame = np.fromfile(tmp_path / "frame.rgb", np.uint8).reshape(SMALL[1], SMALL[0], 3).astype(np.int16)

    _, y, _, h = slide_parts(Image.open(image), SMALL).box
    fill = np.concatenate([frame[:y - 2], frame[y + h + 2:]])  # above and below the picture's window
    assert fill.shape[0] > SMALL[1] // 2  # the strips reach the frame's edges
    assert np.abs(fill - (112, 9, 9)).max() <= 6  # 0.45 of the image's red, everywhere
    assert frame[y + h // 2, SMALL[0] // 2, 0] > 240  # the picture itself at full brightness


def test_a_held_slideshow_draws_a_frame_only_where_it_changes_and_at_each_tick(tmp_path):
    colours, ticks = [(220, 20, 20), (20, 20, 220)], {7, 50, 51, 100}
    images = _striped(tmp_path, colours)
    inputs, graph, chosen = slideshow(images, tmp_path, first=0, seconds=4, size=SMALL, fps=30, ticks=ticks)
    listed = ffmpeg.run([*inputs, "-filter_complex", graph, "-map", "[base]", "-fps_mode", "passthrough",
                         "-f", "framemd5", "-"], what="held slides", cwd=tmp_path).stdout
    lines = listed.splitlines()
    numerator, denominator = next(line for line in lines if line.startswith("#tb 0:")).split()[-1].split("/")
    drawn = [round(int(line.split(",")[2]) * 30 * int(numerator) / int(denominator))
             for line in lines if line and not line.startswith("#")]
    assert chosen["held"] and "interleave" in graph
    assert drawn == sorted(set(drawn)) and ticks <= set(drawn)
    assert drawn[-1] == 120  # one past the end: the stream ends there, its last frame the one before
    assert len(drawn) < 60  # of 120 (44): the zoom's size stands still between its steps

    # made constant-rate, every frame is the frame drawn frame by frame
    held, _ = _slides_drawn(tmp_path, colours, 4, ticks)
    each, _ = _slides_drawn(tmp_path, colours, 4)
    assert held.shape == each.shape == (120, SMALL[1], SMALL[0], 3) and np.array_equal(held, each)
