"""A frame of a rendered short shows the Hangul caption, not tofu boxes.

The caption region of a real frame is compared, as a binary ink mask, with Pillow drawing the
same words in the configured font and in a font without Hangul (boxes): the frame must match
the Hangul drawing, and clearly better than the boxes.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

from generation.render import RenderJob, render_short
from tests.generation.media import narration
from wagglebot.lib import ffmpeg

CAPTION = "한글 자막 확인"
MASK_SIZE = (400, 80)


def ink(image: Image.Image) -> Image.Image:
    """Bright pixels (white or amber caption fill) cropped to their bounding box, at one size.

    The 3-pixel max filter forgives the stroke-width difference between libass (with outline)
    and Pillow; letter shapes still decide the overlap.
    """
    mask = image.convert("L").point(lambda v: 255 if v > 110 else 0)
    return mask.crop(mask.getbbox()).resize(MASK_SIZE).filter(ImageFilter.MaxFilter(3))


def drawn(text: str, font: Path) -> Image.Image:
    canvas = Image.new("L", (1400, 200), 0)
    ImageDraw.Draw(canvas).text((20, 20), text, font=ImageFont.truetype(str(font), 80), fill=255)
    return ink(canvas)


def overlap(a: Image.Image, b: Image.Image) -> float:
    both = ImageChops.logical_and(a.convert("1"), b.convert("1")).histogram()[-1]
    either = ImageChops.logical_or(a.convert("1"), b.convert("1")).histogram()[-1]
    return both / either


def test_a_rendered_frame_shows_the_hangul_caption(tmp_path, media_tools, settings, latin_only_font):
    settings.RENDER_BACKGROUNDS_DIR = tmp_path / "no-backgrounds"  # plain dark frame behind the caption
    audio, timings = narration(tmp_path / "voice", [CAPTION])
    job = RenderJob(audio_path=audio, duration_ms=timings["duration_ms"], timings=timings, title="자막 확인",
                    out_dir=tmp_path / "out")
    video, _ = render_short(job).finalize(job.out_dir)
    frame = tmp_path / "frame.png"
    ffmpeg.run(["-ss", f"{timings['duration_ms'] / 2000:.2f}", "-i", str(video), "-frames:v", "1", "-y", str(frame)])

    with Image.open(frame) as image:
        caption = ink(image.crop((0, 1100, 1080, 1750)))  # below the cards, where the subtitles sit

    hangul = overlap(caption, drawn(CAPTION, Path(settings.RENDER_FONT_PATH)))
    tofu = overlap(caption, drawn(CAPTION, latin_only_font))
    assert hangul > 0.6, f"caption matches the Hangul drawing only {hangul:.2f}"
    assert hangul - tofu > 0.3, f"Hangul {hangul:.2f} vs tofu {tofu:.2f}"
