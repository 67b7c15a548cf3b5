"""Top banner, best-comment card and thumbnails, drawn with Pillow in the subtitle font.

Cards are panels (not full frames) so ffmpeg blends only the panel's pixels while it is shown.
The banner (community badge and title) stays for the whole short, so the title is on screen
without being read out.
"""

from __future__ import annotations

import functools
from pathlib import Path

from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw, ImageFont

from generation.subtitles import wrap_words

PANEL = (16, 16, 24, 215)
ACCENT = (255, 225, 0, 255)
WHITE = (255, 255, 255, 255)
MUTED = (200, 200, 210, 255)
THUMB_SIZE = (1280, 720)
TALL_THUMB_SIZE = (1080, 1920)
DARK = (16, 16, 24, 255)


def drawable(text: str, font_path: Path) -> str:
    """``text`` without the characters the font has no glyph for: an emoji in a post title
    would otherwise be drawn as a box on the card (and fail the QC glyph check)."""
    cmap = _cmap(str(font_path))
    return " ".join("".join(ch for ch in text if ch.isspace() or ord(ch) in cmap).split())


@functools.lru_cache(maxsize=4)
def _cmap(font_path: str) -> frozenset[int]:
    with TTFont(font_path, lazy=True) as font:
        return frozenset(font.getBestCmap())


def comment_header(author: str) -> str:
    """The author as the script gives it: already masked by ``pii.mask_nickname``, the one rule;
    masking here again turned "가*" into "가**" and made the card disagree with the script."""
    return f"베스트 댓글 · {author or '익명'}"


def title_card(title: str, font_path: Path, *, width: int = 960) -> Image.Image:
    return _panel([(title, 68, WHITE, 13, 4)], font_path, width, header=("오늘의 베스트", 40, ACCENT))


def banner(site: str, title: str, font_path: Path, *, width: int = 880, title_size: int = 60) -> Image.Image:
    """The persistent top panel: the community's Korean name on an amber badge, then the title."""
    pad, gap = 32, 18
    badge_font = ImageFont.truetype(str(font_path), 40)
    badge_text = site or "커뮤니티"
    left, top, right, bottom = badge_font.getbbox(badge_text)
    badge_w, badge_h = right - left + 40, bottom - top + 24
    # At 60 px twelve characters fill the 880 px panel; a larger title gets fewer per line.
    chars = 12 * 60 // title_size
    draw_title, title_h = _text_lines(title, title_size, WHITE, chars, 2 if title_size <= 60 else 3, font_path)
    image = Image.new("RGBA", (width, pad * 2 + badge_h + gap + title_h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, width - 1, image.height - 1), radius=32, fill=PANEL)
    draw.rounded_rectangle((pad, pad, pad + badge_w, pad + badge_h), radius=badge_h // 2, fill=ACCENT)
    draw.text((pad + 20 - left, pad + 12 - top), badge_text, font=badge_font, fill=DARK)
    draw_title(draw, pad, pad + badge_h + gap)
    return image


def comment_card(author: str, text: str, font_path: Path, *, width: int = 960) -> Image.Image:
    header = (comment_header(author), 40, ACCENT)
    return _panel([(text, 52, WHITE, 16, 5)], font_path, width, header=header)


def card_texts(title: str, best_comment: dict | None, site: str = "") -> str:
    """Every character the cards draw (for the font coverage check)."""
    text = f"오늘의 베스트 {site or '커뮤니티'} {title}"
    if best_comment:
        text += f" {comment_header(best_comment.get('author', ''))} {best_comment.get('text', '')}"
    return text


def thumbnail(title: str, font_path: Path, background: Path | None = None) -> Image.Image:
    """1280×720 JPEG-ready image: the title card over the first image (or a dark gradient)."""
    canvas = cover(Image.open(background), THUMB_SIZE) if background else _gradient(THUMB_SIZE)
    canvas = canvas.convert("RGBA")
    card = title_card(title, font_path, width=1100)
    if card.height > THUMB_SIZE[1] - 40:
        card.thumbnail((1100, THUMB_SIZE[1] - 40))
    canvas.alpha_composite(card, ((THUMB_SIZE[0] - card.width) // 2, (THUMB_SIZE[1] - card.height) // 2))
    return canvas.convert("RGB")


def thumbnail_tall(site: str, title: str, font_path: Path, background: Path | None = None) -> Image.Image:
    """1080×1920 for Shorts: the banner, larger, over the first image (or the gradient)."""
    canvas = cover(Image.open(background), TALL_THUMB_SIZE) if background else _gradient(TALL_THUMB_SIZE)
    canvas = canvas.convert("RGBA")
    card = banner(site, title, font_path, width=880, title_size=84)
    canvas.alpha_composite(card, (40, (TALL_THUMB_SIZE[1] - card.height) // 2 - 160))  # inside the safe area
    return canvas.convert("RGB")


def _panel(blocks, font_path: Path, width: int, *, header) -> Image.Image:
    pad = 48
    rendered = [_text_lines(*header, 30, 1, font_path)]
    rendered += [_text_lines(text, size, color, chars, lines, font_path) for text, size, color, chars, lines in blocks]
    height = pad * 2 + sum(h for _, h in rendered) + 24 * (len(rendered) - 1)
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, width - 1, height - 1), radius=36, fill=PANEL)
    y = pad
    for draw_lines, block_height in rendered:
        draw_lines(draw, pad, y)
        y += block_height + 24
    return image


def _text_lines(text: str, size: int, color, chars: int, max_lines: int, font_path: Path):
    font = ImageFont.truetype(str(font_path), size)
    lines = [" ".join(line) for line in wrap_words(text.split(), chars)] or [""]
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], lines[max_lines - 1] + "..."]
    step = round(size * 1.3)

    def draw_lines(draw: ImageDraw.ImageDraw, x: int, y: int) -> None:
        for number, line in enumerate(lines):
            draw.text((x, y + number * step), line, font=font, fill=color)

    return draw_lines, step * len(lines)


def cover(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Scale to fill ``size``, the overflow cut off around the centre: only the part of the image
    that is kept is resampled (a 4:3 photo under the 9:16 thumbnail: 42 % of what scaling it whole
    and cropping drew)."""
    image = image.convert("RGB")
    scale = max(size[0] / image.width, size[1] / image.height)
    width, height = size[0] / scale, size[1] / scale
    box = ((image.width - width) / 2, (image.height - height) / 2, (image.width + width) / 2,
           (image.height + height) / 2)
    return image.resize(size, Image.LANCZOS, box=box, reducing_gap=3.0)


def _gradient(size: tuple[int, int]) -> Image.Image:
    top, bottom = (40, 30, 90), (220, 90, 60)
    column = Image.new("RGB", (1, size[1]))
    for y in range(size[1]):
        f = y / max(size[1] - 1, 1)
        column.putpixel((0, y), tuple(round(a + (b - a) * f) for a, b in zip(top, bottom, strict=True)))
    return column.resize(size)
