from __future__ import annotations

from PIL import Image

from generation.slideshow import MAX_UPSCALE, fitted, slide_starts


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
