"""Karaoke captions: the post's written words, timed by the spoken words, as an ASS file.

The voice reads the normalised form ("이십 대", "백오십육") while the captions show what the post
wrote ("20대", "156"); ``word_map`` pairs each written word with the spoken words it is read as,
and the timings of those spoken words (one per spoken word, or per engine event found in the
spoken text by character position) time its highlight. Korean is broken between words (eojeol)
and never inside one unless a single word is wider than a line: at most 12 characters and the
safe width per line, two lines per cue. Each cue stays on screen until the next one begins.

Sizes are in libass's terms: a font size of 96 is a line 96 px high (ascender plus descender),
so the glyphs' em is smaller than 96 px; ``caption_boxes`` measures lines with that same scale.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass
from pathlib import Path

from fontTools.ttLib import TTFont
from PIL import ImageFont

from generation.normalize import clean, normalize

LINE_CHARS = 12
# A last line this short alone on a line reads as a stray ("3" under "TOP"): see wrap_words.
ORPHAN_CHARS = 2
LINES_PER_EVENT = 2
FONT_SIZE = 96
OUTLINE, SHADOW, BOX_PAD = 6, 3, 18
# The Shorts overlay covers the top 12 %, the bottom 20 % and the right-hand button column.
SAFE_TOP, SAFE_BOTTOM, SAFE_RIGHT_PX, SAFE_LEFT_PX = 0.12, 0.20, 160, 40
# ASS colours are &HAABBGGRR.
HIGHLIGHT = "&H0000E1FF"  # amber
UNSUNG = "&H00FFFFFF"
BOX = "&H50000000"  # black, about 70 % opaque


@dataclass
class Word:
    text: str
    start_ms: int
    end_ms: int


@dataclass
class Cue:
    lines: list[list[Word]]
    start_ms: int
    end_ms: int

    def line_texts(self) -> list[str]:
        return [" ".join(w.text for w in line) for line in self.lines]


def safe_area(width: int, height: int) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the frame that no Shorts UI covers."""
    return SAFE_LEFT_PX, round(height * SAFE_TOP), width - SAFE_RIGHT_PX, round(height * (1 - SAFE_BOTTOM))


def wrap_words(words: list[str], limit: int = LINE_CHARS, fits=None) -> list[list[str]]:
    """Greedy lines of whole words: at most ``limit`` characters and, given ``fits``, its width.
    A last line of one word of ORPHAN_CHARS or fewer takes the word before it along, where the two
    fit: "오늘의 베스트" / "TOP 3", not "오늘의 베스트 TOP" / "3"."""
    lines: list[list[str]] = []
    for word in words:
        candidate = " ".join([*lines[-1], word]) if lines else ""
        if lines and len(candidate) <= limit and (fits is None or fits(candidate)):
            lines[-1].append(word)
        else:
            lines.append([word])
    if len(lines) > 1 and len(lines[-1]) == 1 and len(lines[-1][0]) <= ORPHAN_CHARS and len(lines[-2]) > 1:
        joined = f"{lines[-2][-1]} {lines[-1][0]}"
        if len(joined) <= limit and (fits is None or fits(joined)):
            lines[-1].insert(0, lines[-2].pop())
    return lines


def sentence_words(sentence: dict) -> list[Word]:
    """The sentence's spoken words, each timed from the engine's events or spread by length."""
    text = sentence.get("text", "")
    tokens = [(m.start(), m.group()) for m in re.finditer(r"\S+", text)]
    marks = _event_marks(text, sentence.get("words") or [])
    start, end = int(sentence["start_ms"]), int(sentence["end_ms"])
    if not marks:
        marks = _spread_marks(tokens, start, end)
    starts = _token_starts(tokens, marks, start)
    ends = [*starts[1:], end]
    return [Word(token, s, max(s, e)) for (_, token), s, e in zip(tokens, starts, ends, strict=True)]


def _event_marks(text: str, words: list[dict]) -> list[tuple[int, int, int]]:
    """(character offset, start, end) of each engine word found, in order, in the spoken text."""
    marks, cursor = [], 0
    for word in words:
        piece = str(word.get("text", "")).strip()
        at = text.find(piece, cursor) if piece else -1
        if at >= 0:
            marks.append((at, int(word["start_ms"]), int(word["end_ms"])))
            cursor = at + len(piece)
    return marks


def _spread_marks(tokens: list[tuple[int, str]], start: int, end: int) -> list[tuple[int, int, int]]:
    total = sum(len(t) for _, t in tokens) or 1
    marks, done = [], 0
    for offset, token in tokens:
        first = start + (end - start) * done // total
        done += len(token)
        marks.append((offset, first, start + (end - start) * done // total))
    return marks


def _token_starts(tokens: list[tuple[int, str]], marks: list[tuple[int, int, int]], start: int) -> list[int]:
    """Each token starts with the last event at or before it; tokens sharing one event (espeak
    merges a short word into its neighbour) split that event's span by length."""
    owner = [max((i for i, m in enumerate(marks) if m[0] <= offset), default=-1) for offset, _ in tokens]
    starts = []
    for index in range(len(tokens)):
        if owner[index] < 0:
            starts.append(start)
            continue
        _, mark_start, mark_end = marks[owner[index]]
        sharing = [i for i, o in enumerate(owner) if o == owner[index]]
        before = sum(len(tokens[i][1]) for i in sharing if i < index)
        total = sum(len(tokens[i][1]) for i in sharing) or 1
        starts.append(mark_start + (mark_end - mark_start) * before // total)
    return starts


def word_map(display: list[str], spoken: list[str]) -> list[tuple[str, int, int]] | None:
    """(written word(s), first spoken word, count) pairs, or None when the two do not line up.

    A written word is normalised alone and, failing that, with its next words ("3 명" is read
    세 명, "3" alone 삼); a word read as nothing (a lone "~") joins the previous one.
    """
    pairs: list[tuple[str, int, int]] = []
    at, i = 0, 0
    while i < len(display):
        for j in range(i + 1, min(i + 4, len(display)) + 1):
            said = normalize(" ".join(display[i:j])).split()
            if said == spoken[at:at + len(said)] and (said or j == i + 1):
                break
        else:
            return None
        text = " ".join(display[i:j])
        if not said and pairs:
            pairs[-1] = (f"{pairs[-1][0]} {text}", pairs[-1][1], pairs[-1][2])
        elif said:
            pairs.append((text, at, len(said)))
        at, i = at + len(said), j
    return pairs if at == len(spoken) and pairs else None


def display_words(sentence: dict, written: str | None) -> list[Word]:
    """The words to show for one timed sentence: the written ones where they map, else spoken."""
    spoken = sentence_words(sentence)
    pairs = word_map(clean(written).split(), [w.text for w in spoken]) if written else None
    if not pairs:
        return spoken
    return [Word(text, spoken[first].start_ms, spoken[first + count - 1].end_ms) for text, first, count in pairs]


def _written_for(timings: dict, display: list[str] | None) -> list[str | None]:
    """The written sentence behind each timed one: the one that normalises to its spoken text."""
    sentences = timings.get("sentences", [])
    unused = list(display or [])
    out: list[str | None] = []
    for sentence in sentences:
        match = next((d for d in unused if normalize(d) == sentence.get("text")), None)
        if match is not None:
            unused.remove(match)
        out.append(match)
    return out


@dataclass
class Layout:
    """Where and how big the captions are drawn, and the width a line may take."""

    font: Path
    width: int
    height: int
    size: int = FONT_SIZE
    boxed: bool = False

    @property
    def margins(self) -> tuple[int, int, int]:
        left, _, right, bottom = safe_area(self.width, self.height)
        pad = BOX_PAD if self.boxed else OUTLINE + SHADOW
        return left + pad, self.width - right + pad, self.height - bottom + pad

    @property
    def line_width(self) -> int:
        left, right, _ = self.margins
        return self.width - left - right

    def text_width(self, text: str) -> float:
        return _pillow_font(str(self.font), self.size).getlength(text)

    def fits(self, text: str) -> bool:
        return self.text_width(text) <= self.line_width


@functools.lru_cache(maxsize=8)
def _pillow_font(font: str, size: int) -> ImageFont.FreeTypeFont:
    # libass scales a font so that ascender + descender equal the size; Pillow's size is the em.
    with TTFont(font, lazy=True) as ttf:
        os2, em = ttf["OS/2"], ttf["head"].unitsPerEm
        height = (os2.usWinAscent + os2.usWinDescent) or (ttf["hhea"].ascent - ttf["hhea"].descent)
    return ImageFont.truetype(font, max(round(size * em / height), 1))


def caption_cues(timings: dict, layout: Layout, display: list[str] | None = None) -> list[Cue]:
    """Cues of at most two lines; each ends where the next begins, the last at the narration's end."""
    cues: list[Cue] = []
    for sentence, written in zip(timings.get("sentences", []), _written_for(timings, display), strict=True):
        words = [piece for w in display_words(sentence, written) for piece in _fitted(w, layout)]
        lines = wrap_words([w.text for w in words], fits=layout.fits)
        index = 0
        for first in range(0, len(lines), LINES_PER_EVENT):
            group = []
            for line in lines[first:first + LINES_PER_EVENT]:
                group.append(words[index:index + len(line)])
                index += len(line)
            cues.append(Cue(group, group[0][0].start_ms, group[-1][-1].end_ms))
    for cue, following in itertools.pairwise(cues):
        cue.end_ms = following.start_ms
    if cues:
        cues[-1].end_ms = max(cues[-1].end_ms, int(timings.get("duration_ms") or 0))
    return cues


def _fitted(word: Word, layout: Layout) -> list[Word]:
    """A word wider than a line, cut into line-sized pieces sharing its time."""
    text = word.text
    if len(text) <= LINE_CHARS and layout.fits(text):
        return [word]
    pieces, piece = [], ""
    for ch in text:
        if piece and (len(piece) >= LINE_CHARS or not layout.fits(piece + ch)):
            pieces.append(piece)
            piece = ""
        piece += ch
    pieces.append(piece)
    span, out, done = word.end_ms - word.start_ms, [], 0
    for part in pieces:
        start = word.start_ms + span * done // len(text)
        done += len(part)
        out.append(Word(part, start, word.start_ms + span * done // len(text)))
    return out


def caption_boxes(cues: list[Cue], layout: Layout) -> list[dict]:
    """The screen box of every cue, box padding and outline included (for the safe-area check)."""
    left, right, bottom_margin = layout.margins
    pad = BOX_PAD if layout.boxed else OUTLINE + SHADOW
    boxes = []
    for cue in cues:
        width = max(layout.text_width(t) for t in cue.line_texts())
        centre = left + (layout.width - left - right) / 2
        bottom = layout.height - bottom_margin + pad
        top = layout.height - bottom_margin - layout.size * len(cue.lines) - pad
        boxes.append({"name": f"caption {_clock(cue.start_ms)}", "x": round(centre - width / 2 - pad),
                      "y": round(top), "w": round(width + 2 * pad), "h": round(bottom - top)})
    return boxes


def subtitle_text(timings: dict, display: list[str] | None = None) -> str:
    """Every character the captions will draw (for the font coverage check)."""
    written = _written_for(timings, display)
    return " ".join(w.text for s, d in zip(timings.get("sentences", []), written, strict=True)
                    for w in display_words(s, d))


def font_family(path: Path) -> str:
    with TTFont(path, lazy=True) as font:
        return font["name"].getBestFamilyName()


def ass_document(timings: dict, layout: Layout, display: list[str] | None = None) -> str:
    cues = caption_cues(timings, layout, display)
    events = [_event(cue) for cue in cues]
    if layout.boxed:  # the same lines, invisible, on a lower layer: libass draws the box per line
        events = [_box_event(cue) for cue in cues] + events
    return _header(layout) + "".join(events)


def karaoke_centis(cue: Cue) -> list[int]:
    """Each word's ``\\k`` length: from its start to the next word's (the last: to the cue's end)."""
    words = [w for line in cue.lines for w in line]
    following = [w.start_ms for w in words[1:]] + [cue.end_ms]
    return [max(round((after - word.start_ms) / 10), 1) for word, after in zip(words, following, strict=True)]


def _event(cue: Cue) -> str:
    lengths = iter(karaoke_centis(cue))
    parts = []
    for line_no, line in enumerate(cue.lines):
        parts.append("\\N" if line_no else "")
        for word_no, word in enumerate(line):
            space = " " if word_no < len(line) - 1 else ""
            parts.append(f"{{\\k{next(lengths)}}}{_escape(word.text)}{space}")
    return f"Dialogue: 1,{_clock(cue.start_ms)},{_clock(cue.end_ms)},Karaoke,,0,0,0,,{''.join(parts)}\n"


def _box_event(cue: Cue) -> str:
    text = "\\N".join(_escape(line) for line in cue.line_texts())
    return f"Dialogue: 0,{_clock(cue.start_ms)},{_clock(cue.end_ms)},Box,,0,0,0,,{text}\n"


def _escape(text: str) -> str:
    # Braces open override blocks and a backslash starts a tag: neither may come from a script.
    return text.replace("\\", "＼").replace("{", "(").replace("}", ")")


def _clock(ms: int) -> str:
    centis = max(ms, 0) // 10
    return f"{centis // 360000}:{centis // 6000 % 60:02d}:{centis // 100 % 60:02d}.{centis % 100:02d}"


def _header(layout: Layout) -> str:
    # "YCbCr Matrix: None": the colours are plain RGB, converted for whatever frame libass draws on.
    # Without it, libass took them for video range: drawn onto an RGB frame, black came out 16 and
    # white 235.
    # Bold -1 asks libass for weight 700: with 0 it asked for 400 and fontconfig handed it the
    # Regular file of the family although the Bold file was configured.
    family, size = font_family(layout.font), layout.size
    left, right, bottom = layout.margins
    common = "-1,0,0,0,100,100,0,0"
    return (
        "[Script Info]\nScriptType: v4.00+\nWrapStyle: 2\nScaledBorderAndShadow: yes\nYCbCr Matrix: None\n"
        f"PlayResX: {layout.width}\nPlayResY: {layout.height}\n\n"
        "[V4+ Styles]\nFormat: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, "
        "BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, "
        "Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\n"
        f"Style: Karaoke,{family},{size},{HIGHLIGHT},{UNSUNG},&H00000000,&H60000000,{common},1,"
        f"{OUTLINE},{SHADOW},2,{left},{right},{bottom},1\n"
        f"Style: Box,{family},{size},&HFF000000,&HFF000000,{BOX},&HFF000000,{common},3,"
        f"{BOX_PAD},0,2,{left},{right},{bottom},1\n\n"
        "[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
    )
