"""The post itself as a card, drawn with Pillow from our own layout (never a screenshot of the
live site): community badge, masked nickname, view and like counts, title, a body excerpt and
the post's images. It is the main visual of a post with few images, scrolled when it is taller
than the window between the banner and the captions.

Everything on it is shown publicly, so the caller passes text already scrubbed (``pii``) and a
masked nickname; this module only draws.
"""

from __future__ import annotations

import functools
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


def post_card(card: PostCard, font_path: Path, *, width: int, max_height: int = MAX_HEIGHT) -> Image.Image:
    """An opaque card ``width`` wide and as tall as its content, at most ``max_height``: the body
    stops at the last whole line that fits (with "..."), never cut through a line."""
    font = functools.partial(ImageFont.truetype, str(font_path))
    inner, max_height = width - 2 * PAD, min(max_height, MAX_HEIGHT)
    canvas = Image.new("RGB", (width, MAX_HEIGHT), PAPER)
    draw = ImageDraw.Draw(canvas)
    y = _header(draw, card, font, PAD)
    y = _paragraph(draw, card.title, font(58), INK, inner, y + 24, max_lines=4)
    draw.line((PAD, y + 24, width - PAD, y + 24), fill=RULE, width=3)
    body, top = font(44), y + 52
    room = (max_height - PAD - top) // _line_step(body)
    y = _paragraph(draw, card.excerpt(), body, INK, inner, top, max_lines=min(room, 40)) if room > 0 else y + 24
    for path in card.images[:MAX_IMAGES]:
        if y + 200 > max_height:
            break
        y = _picture(canvas, path, inner, y + 32)
    return canvas.crop((0, 0, width, min(y + PAD, max_height)))


def _header(draw: ImageDraw.ImageDraw, card: PostCard, font, y: int) -> int:
    badge_font, small = font(36), font(34)
    left, top, right, bottom = badge_font.getbbox(card.site or "커뮤니티")
    badge_h = bottom - top + 20
    draw.rounded_rectangle((PAD, y, PAD + right - left + 36, y + badge_h), radius=badge_h // 2, fill=BADGE)
    draw.text((PAD + 18 - left, y + 10 - top), card.site or "커뮤니티", font=badge_font, fill=INK)
    meta = f"{card.author or '익명'}  ·  {_counts(card.views, card.likes)}"
    draw.text((PAD + right - left + 60, y + 10 - top), meta, font=small, fill=MUTED)
    return y + badge_h


def _paragraph(draw, text: str, font: ImageFont.FreeTypeFont, color, width: int, y: int, *, max_lines: int) -> int:
    lines = wrap_words(text.split(), limit=10_000, fits=lambda line: font.getlength(line) <= width)
    if len(lines) > max_lines:
        lines = [*lines[:max_lines - 1], [*lines[max_lines - 1], "..."]]
    step = _line_step(font)
    for number, line in enumerate(lines):
        draw.text((PAD, y + number * step), " ".join(line), font=font, fill=color)
    return y + step * len(lines)


def _line_step(font: ImageFont.FreeTypeFont) -> int:
    return round(font.size * 1.45)


def _picture(canvas: Image.Image, path: Path, width: int, y: int) -> int:
    with Image.open(path) as image:
        picture = image.convert("RGB")
    scale = min(width / picture.width, MAX_IMAGE_HEIGHT / picture.height, 2.0)
    picture = picture.resize((max(round(picture.width * scale), 1), max(round(picture.height * scale), 1)),
                             Image.LANCZOS)
    canvas.paste(picture, (PAD + (width - picture.width) // 2, y))
    return y + picture.height
