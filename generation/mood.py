"""The tone of a story, for its music: a small deterministic classifier over the post's words.

The music folder holds loops named by mood (``<mood>-*.m4a``, see assets/README.md). The raw
title and body are classified, not the narration made from them: the cleaning before speech drops
the laughter (ㅋㅋ) and crying (ㅠㅠ) that say most about a Korean community post's tone, and an
extractive narration would count its sentences twice. An LLM writer may name a mood itself; a
valid one wins over this guess.
"""

from __future__ import annotations

import re

# Korean labels as the admin and the issue name them.
MOODS = {"calm": "잔잔", "upbeat": "유쾌", "tense": "긴장", "heartfelt": "뭉클"}
DEFAULT_MOOD = "calm"
SIGNALS = {
    "upbeat": re.compile(r"ㅋ{2,}|ㅎ{2,}|😂|🤣|웃기|웃겨|웃김|개웃|빵\s?터|레전드|센스|귀여|재밌|재미있|신기|킹받"),
    "heartfelt": re.compile(r"[ㅠㅜ]+|😢|😭|눈물|감동|울컥|뭉클|그립|그리워|고마워|고맙|보고\s?싶|돌아가신|위로|따뜻"),
    "tense": re.compile(r"[?!]{2,}|충격|소름|무서|무섭|경악|황당|어이없|빌런|싸우|싸움|분노|화나|사기|경찰|사고|논란"
                        r"|폭로|배신|협박|갑질"),
}


def mood_of(text: str) -> str:
    """The mood whose signals occur most often in ``text``; calm when none does (ties: the first)."""
    counts = {mood: len(pattern.findall(text)) for mood, pattern in SIGNALS.items()}
    best = max(counts, key=counts.get)
    return best if counts[best] else DEFAULT_MOOD


def valid_mood(value) -> str:
    """``value`` when it names a mood (English key or Korean label), else ""."""
    if not isinstance(value, str):
        return ""
    value = value.strip().lower()
    labels = {label: mood for mood, label in MOODS.items()}
    return value if value in MOODS else labels.get(value, "")
