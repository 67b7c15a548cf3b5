"""The post itself as a card, drawn with Pillow from our own layout (never a screenshot of the
live site): community badge, masked nickname, view and like counts, title, a body excerpt and
the post's images. It is the main visual of a post with few images, scrolled when it is taller
than the window between the banner and the captions, and drawn larger (``fitted_post_card``)
when it is shorter, so a short post fills its window instead of leaving half of it empty.

Everything on it is shown publicly, so the caller passes text already scrubbed (``pii``) and a
masked nickname; this module only draws.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from generation.subtitles import wrap_words

PAPER = (250, 250, 252)
INK = (24, 24, 32)
MUTED = (110, 110, 125)
BADGE = (255, 225, 0)
RULE = (225, 225, 232)
PAD = 40
MAX_BODY_CHARS = 900
MAX_IMAGES = 3
MAX_IMAGE_HEIGHT = 900
MAX_HEIGHT = 6000  # a scroll of ~5 screens; longer bodies are cut, not squeezed
# A short post's card is drawn up to this much larger (text, padding and pictures alike).
MAX_SCALE = 1.5
SCALE_STEP = 0.05


@dataclass
class PostCard:
    site: str
    title: str
    author: str  # already masked
    views: int
    likes: int
    body: str  # already scrubbed
    images: list[Path] = field(default_factory=list)

    def texts(self) -> str:
        """Every character the card draws (for the font coverage check)."""
        return f"{self.site} {self.title} {self.author} {_counts(self.views, self.likes)} {self.excerpt()}"

    def excerpt(self) -> str:
        body = " ".join(self.body.split())
        return body if len(body) <= MAX_BODY_CHARS else body[:MAX_BODY_CHARS].rsplit(" ", 1)[0] + " ..."


def _counts(views: int, likes: int) -> str:
    return f"조회 {views:,} · 추천 {likes:,}"


def post_card(card: PostCard, font_path: Path, *, width: int, max_height: int = MAX_HEIGHT,
              scale: float = 1.0) -> Image.Image:
    """An opaque card ``width`` wide and as tall as its content, at most ``max_height``: the body
    stops at the last whole line that fits (with "..."), never cut through a line. ``scale``
    draws text, padding and pictures that much larger."""

    def px(value: float) -> int:
        return round(value * scale)

    def font(size: int) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(str(font_path), px(size))

    pad = px(PAD)
    inner, max_height = width - 2 * pad, min(max_height, MAX_HEIGHT)
    canvas = Image.new("RGB", (width, MAX_HEIGHT), PAPER)
    draw = ImageDraw.Draw(canvas)
    y = _header(draw, card, font, pad, px)
    y = _paragraph(draw, card.title, font(58), INK, pad, inner, y + px(24), max_lines=4)
    draw.line((pad, y + px(24), width - pad, y + px(24)), fill=RULE, width=px(3))
    body, top = font(44), y + px(52)
    room = (max_height - pad - top) // _line_step(body)
    if room > 0:
        y = _paragraph(draw, card.excerpt(), body, INK, pad, inner, top, max_lines=min(room, 40))
    else:
        y += px(24)
    for path in card.images[:MAX_IMAGES]:
        if y + px(200) > max_height:
            break
        y = _picture(canvas, path, pad, inner, y + px(32), max_height=px(MAX_IMAGE_HEIGHT))
    return canvas.crop((0, 0, width, min(y + pad, max_height)))


def fitted_post_card(card: PostCard, font_path: Path, *, width: int, window: int, cut: bool = False) -> Image.Image:
    """The card at its own size when it fills ``window`` (it scrolls; ``cut``: it ends on the last
    whole line that fits), else drawn as large as fits in it, up to ``MAX_SCALE``;
    ``info["scale"]`` says which."""
    image = post_card(card, font_path, width=width)
    if image.height >= window:
        if cut:
            image = post_card(card, font_path, width=width, max_height=window)
        image.info["scale"] = 1.0
        return image
    # Larger text wraps into more lines, so the height grows faster than the scale: step down.
    scale = round(math.floor(min(MAX_SCALE, window / image.height) / SCALE_STEP) * SCALE_STEP, 2)
    while scale > 1:
        larger = post_card(card, font_path, width=width, scale=scale)
        if larger.height <= window:
            larger.info["scale"] = scale
            return larger
        scale = round(scale - SCALE_STEP, 2)
    image.info["scale"] = 1.0
    return image


def _header(draw: ImageDraw.ImageDraw, card: PostCard, font, pad: int, px) -> int:
    badge_font, small = font(36), font(34)
    left, top, right, bottom = badge_font.getbbox(card.site or "커뮤니티")
    badge_h, y = bottom - top + px(20), pad
    draw.rounded_rectangle((pad, y, pad + right - left + px(36), y + badge_h), radius=badge_h // 2, fill=BADGE)
    draw.text((pad + px(18) - left, y + px(10) - top), card.site or "커뮤니티", font=badge_font, fill=INK)
    meta = f"{card.author or '익명'}  ·  {_counts(card.views, card.likes)}"
    draw.text((pad + right - left + px(60), y + px(10) - top), meta, font=small, fill=MUTED)
    return y + badge_h


def _paragraph(draw, text: str, font: ImageFont.FreeTypeFont, color, left: int, width: int, y: int, *,
               max_lines: int) -> int:
    lines = wrap_words(text.split(), limit=10_000, fits=lambda line: font.getlength(line) <= width)
    if len(lines) > max_lines:
        lines = [*lines[:max_lines - 1], [*lines[max_lines - 1], "..."]]
    step = _line_step(font)
    for number, line in enumerate(lines):
        draw.text((left, y + number * step), " ".join(line), font=font, fill=color)
    return y + step * len(lines)


def _line_step(font: ImageFont.FreeTypeFont) -> int:
    return round(font.size * 1.45)


def _picture(canvas: Image.Image, path: Path, left: int, width: int, y: int, *, max_height: int) -> int:
    with Image.open(path) as image:
        picture = image.convert("RGB")
    scale = min(width / picture.width, max_height / picture.height, 2.0)
    picture = picture.resize((max(round(picture.width * scale), 1), max(round(picture.height * scale), 1)),
                             Image.LANCZOS)
    canvas.paste(picture, (left + (width - picture.width) // 2, y))
    return y + picture.height
