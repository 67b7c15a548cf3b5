"""Strip the characters a reader cannot see from text that is spoken, drawn or published.

Format characters (Unicode category Cf: U+202E right-to-left override, U+200B/C zero-width space
and non-joiner, U+FEFF byte order mark, U+2060 word joiner, U+2066–2069 bidi isolates, U+200E…)
arrive in ordinary copy-pastes. The subtitle font has no glyph for them, so one such character
made a whole render fail QC on every retry; in a YouTube title a bidi override reorders the text.
Control characters (Cc) other than the line breaks and tabs a text may keep go too.
"""

from __future__ import annotations

import unicodedata

WHITESPACE_CONTROLS = "\t\n\r"


def strip_invisible(text: str, *, keep: str = WHITESPACE_CONTROLS) -> str:
    """``text`` without format characters, and without control characters other than ``keep``."""
    return "".join(ch for ch in text if ch in keep or unicodedata.category(ch) not in ("Cf", "Cc"))
