"""Karaoke subtitles: the timings JSON as an ASS file with one ``\\k`` highlight per word.

Korean is broken between words (eojeol, the space-separated units) and never inside one: a
line holds about 14 characters, a longer single word gets a line of its own. Two lines are
shown at a time; the word being spoken turns from white to the highlight colour.
"""

from __future__ import annotations

from dataclasses import dataclass

LINE_CHARS = 14
LINES_PER_EVENT = 2
# ASS colours are &HAABBGGRR.
HIGHLIGHT = "&H0000E1FF"  # amber
UNSUNG = "&H00FFFFFF"


@dataclass
class Word:
    text: str
    start_ms: int
    end_ms: int


def wrap_words(words: list[str], limit: int = LINE_CHARS) -> list[list[str]]:
    """Greedy lines of whole words, each at most ``limit`` characters where a word allows."""
    lines: list[list[str]] = []
    length = 0
    for word in words:
        if lines and length + 1 + len(word) <= limit:
            lines[-1].append(word)
            length += 1 + len(word)
        else:
            lines.append([word])
            length = len(word)
    return lines


def sentence_words(sentence: dict) -> list[Word]:
    """The sentence's timed words; spread evenly by length when the engine gave none."""
    words = [Word(w["text"], int(w["start_ms"]), int(w["end_ms"])) for w in sentence.get("words") or []]
    words = [w for w in words if w.text.strip()]
    if words:
        return words
    texts = sentence.get("text", "").split()
    start, end = int(sentence["start_ms"]), int(sentence["end_ms"])
    total = sum(len(t) for t in texts) or 1
    out, at = [], start
    for text in texts:
        span = (end - start) * len(text) // total
        out.append(Word(text, at, at + span))
        at += span
    return out


def subtitle_text(timings: dict) -> str:
    """Every character the subtitles will draw (for the font coverage check)."""
    return " ".join(w.text for s in timings.get("sentences", []) for w in sentence_words(s))


def ass_document(timings: dict, *, font_name: str, width: int, height: int) -> str:
    events = [line for sentence in timings.get("sentences", []) for line in _sentence_events(sentence)]
    return _header(font_name, width, height) + "".join(events)


def _sentence_events(sentence: dict) -> list[str]:
    words = sentence_words(sentence)
    lines = wrap_words([w.text for w in words])
    events, index = [], 0
    for first in range(0, len(lines), LINES_PER_EVENT):
        group = lines[first:first + LINES_PER_EVENT]
        count = sum(len(line) for line in group)
        chunk = words[index:index + count]
        index += count
        end_ms = words[index].start_ms if index < len(words) else max(chunk[-1].end_ms, int(sentence["end_ms"]))
        events.append(_event(chunk, group, end_ms))
    return events


def _event(chunk: list[Word], group: list[list[str]], end_ms: int) -> str:
    start_ms = chunk[0].start_ms
    parts, position = [], 0
    for line_no, line in enumerate(group):
        if line_no:
            parts.append("\\N")
        for word_no, _ in enumerate(line):
            word = chunk[position]
            following = chunk[position + 1].start_ms if position + 1 < len(chunk) else end_ms
            centis = max(round((following - word.start_ms) / 10), 1)
            space = " " if word_no < len(line) - 1 else ""
            parts.append(f"{{\\k{centis}}}{_escape(word.text)}{space}")
            position += 1
    return f"Dialogue: 0,{_clock(start_ms)},{_clock(end_ms)},Karaoke,,0,0,0,,{''.join(parts)}\n"


def _escape(text: str) -> str:
    # Braces open override blocks and a backslash starts a tag: neither may come from a script.
    return text.replace("\\", "＼").replace("{", "(").replace("}", ")")


def _clock(ms: int) -> str:
    centis = max(ms, 0) // 10
    return f"{centis // 360000}:{centis // 6000 % 60:02d}:{centis // 100 % 60:02d}.{centis % 100:02d}"


def _header(font_name: str, width: int, height: int) -> str:
    # A thick outline and no shadow: the shadow was a third bitmap to blend on every frame.
    size = round(width * 0.074)
    margin_v = round(height * 0.22)  # clear of the Shorts title/buttons overlay at the bottom
    return (
        "[Script Info]\nScriptType: v4.00+\nWrapStyle: 2\nScaledBorderAndShadow: yes\n"
        f"PlayResX: {width}\nPlayResY: {height}\n\n"
        "[V4+ Styles]\nFormat: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, "
        "BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, "
        "Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\n"
        f"Style: Karaoke,{font_name},{size},{HIGHLIGHT},{UNSUNG},&H00000000,&H80000000,0,0,0,0,100,100,0,0,1,"
        f"{round(size / 12)},0,2,40,40,{margin_v},1\n\n"
        "[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
    )
