"""Refuse, in milliseconds, a narration the subtitle font cannot draw.

Without this check a character the font lacks was found by QC after the full render (36 s), and
as the failure was retryable the sweep rendered the same post again on every attempt. A font
that lacks a glyph today lacks it on the next attempt too, so the failure is permanent.
"""

from __future__ import annotations

import functools
from pathlib import Path

from django.conf import settings
from fontTools.ttLib import TTFont

from wagglebot.lib.ffmpeg import FFmpegError


class GlyphError(FFmpegError):
    """The subtitle font has no glyph for a character of the text (a render failure that would repeat)."""


def glyphs_check(text: str) -> None:
    """Raise ``GlyphError(permanent=True)`` when RENDER_FONT_PATH cannot draw ``text``.

    A missing font file is left to the render, which reports it as a configuration error."""
    font = Path(settings.RENDER_FONT_PATH)
    if not font.is_file():
        return
    cmap = _cmap(str(font))
    missing = sorted({ch for ch in text if not ch.isspace() and ord(ch) not in cmap})
    if missing:
        shown = " ".join(f"{ch} (U+{ord(ch):04X})" for ch in missing[:10])
        raise GlyphError(f"font {font.name} has no glyph for {shown}", permanent=True)


@functools.lru_cache(maxsize=4)
def _cmap(font: str) -> frozenset[int]:
    with TTFont(font, lazy=True) as ttf:
        return frozenset(ttf.getBestCmap())
