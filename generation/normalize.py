"""Korean text → the form a TTS engine should read aloud (and subtitles show).

Numbers are read the Korean way by what follows them: native numerals for counts and clock
hours (세 시, 두 명), Sino-Korean for dates, money, minutes and percent (삼만 원, 이천이십사 년).
Internet noise a voice would stumble over (ㅋㅋ, ㅠㅠ, emoji, URLs, "!!!") is dropped or collapsed,
and English acronyms are spelled out in Hangul so no engine reads "MBTI" letter by letter in
English.
"""

from __future__ import annotations

import re
import unicodedata

from wagglebot.lib.invisible import strip_invisible

SINO_DIGITS = "영일이삼사오육칠팔구"
SMALL_UNITS = ["", "십", "백", "천"]
BIG_UNITS = ["", "만", "억", "조"]
NATIVE_ONES = ["", "한", "두", "세", "네", "다섯", "여섯", "일곱", "여덟", "아홉"]
NATIVE_TENS = ["", "열", "스물", "서른", "마흔", "쉰", "예순", "일흔", "여든", "아흔"]

# Counters read with native numerals (up to 99; larger counts fall back to Sino-Korean).
_NATIVE = (
    "번째 시간 마리 켤레 그루 송이 가지 군데 스푼 공기 "
    "명 개 살 번 시 잔 병 권 장 달 벌 곳 채 척 줄 배 통 판 끼 대"
)
NATIVE_COUNTERS = frozenset(_NATIVE.split())
# Counters read with Sino-Korean numerals.
_SINO = "개월 년차 학년 인분 퍼센트 킬로 미터 원 년 월 일 분 초 주 층 호 회 위 등 세 차 점 박 인 도 프로 대"
SINO_COUNTERS = frozenset(_SINO.split())
SYMBOL_UNITS = {"%": "퍼센트", "kg": "킬로그램", "km": "킬로미터", "cm": "센티미터", "mm": "밀리미터", "℃": "도"}
MONTHS = {6: "유월", 10: "시월"}

LETTER_NAMES = "에이 비 씨 디 이 에프 지 에이치 아이 제이 케이 엘 엠 엔 오 피 큐 알 에스 티 유 브이 더블유 엑스 와이 지"
LETTERS = dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", LETTER_NAMES.split(), strict=True))
# Acronyms Koreans do not spell letter by letter, or spell differently from the letter names.
ACRONYMS = {
    "MBTI": "엠비티아이", "PC": "피시", "TV": "티브이", "OK": "오케이", "NASA": "나사", "FIFA": "피파",
    "UNESCO": "유네스코", "LOL": "롤", "KAIST": "카이스트", "ASMR": "에이에스엠알",
}

URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
JAMO_RE = re.compile(r"[\u3131-\u318e]+")
EMOTICON_RE = re.compile(r"\^[_\-.]?\^|-_-|T_T|;{2,}|<3|:\)|:\(|:D")
CLOCK_RE = re.compile(r"(?<!\d)(\d{1,2}):(\d{2})(?!\d)")
DDAY_RE = re.compile(r"(?<![A-Za-z])D-(\d+)(?!\d)")
VS_RE = re.compile(r"\bvs\.?(?![a-z])", re.IGNORECASE)
UPPER_RE = re.compile(r"(?<![A-Za-z])[A-Z]+(?![a-z])")


def _counter_pattern() -> str:
    words = sorted({*NATIVE_COUNTERS, *SINO_COUNTERS}, key=len, reverse=True)
    symbols = sorted(SYMBOL_UNITS, key=len, reverse=True)
    return "|".join([*map(re.escape, symbols), *words])


NUMBER = r"\d{1,3}(?:,\d{3})+|\d+"
NUMBER_RE = re.compile(
    rf"(?P<num>{NUMBER})(?:\.(?P<frac>\d+))?(?P<big>천만|백만|만|억|천|백)?"
    rf"(?:\s*~\s*(?P<num2>{NUMBER})(?P<big2>천만|백만|만|억|천|백)?)?"
    rf"(?:(?P<space>\s?)(?P<unit>{_counter_pattern()}))?"
)


def normalize(text: str) -> str:
    """The spoken form of ``text``: what the TTS engine reads and the subtitles show."""
    text = _strip_noise(text)
    text = DDAY_RE.sub(lambda m: f"디 마이너스 {sino(int(m[1]))}", text)
    text = VS_RE.sub("대", text)
    text = text.replace("&", " 앤 ").replace("+", " ")
    text = CLOCK_RE.sub(lambda m: f"{native(int(m[1]))} 시 {sino(int(m[2]))} 분" if int(m[2]) else
                        f"{native(int(m[1]))} 시", text)
    text = NUMBER_RE.sub(_read_number_match, text)
    text = UPPER_RE.sub(lambda m: _read_acronym(m[0]), text)
    return _tidy_punctuation(text)


def clean(text: str) -> str:
    """Text for display: the noise removed and punctuation collapsed, numbers left as digits."""
    return _tidy_punctuation(_strip_noise(text))


def _strip_noise(text: str) -> str:
    text = strip_invisible(unicodedata.normalize("NFC", text))
    text = URL_RE.sub(" ", text)
    text = _drop_emoji(text)
    text = EMOTICON_RE.sub(" ", text)
    return JAMO_RE.sub(" ", text)


def _drop_emoji(text: str) -> str:
    # Category So covers emoji, dingbats and symbols like ♡; the joiners glue emoji sequences.
    return "".join(
        " " if unicodedata.category(ch) in ("So", "Cs") or ch in "\u200d\ufe0f\ufe0e" else ch for ch in text
    )


def _read_acronym(word: str) -> str:
    if word in ACRONYMS:
        return ACRONYMS[word]
    return "".join(LETTERS[ch] for ch in word)


def _tidy_punctuation(text: str) -> str:
    text = re.sub(r"(?:\.{2,}|…+)", "...", text)
    text = re.sub(r"[!?]{2,}", lambda m: "?" if "?" in m[0] else "!", text)
    text = re.sub(r",{2,}", ",", text)
    text = re.sub(r"<-+|-+>|[→←⇒]", " ", text)
    # A tilde between numbers is a range (3~5시간) and the reading rules need it.
    text = re.sub(r"(?<!\d)~+|~+(?!\d)|-{2,}|[<>]{2,}|[=*#_]+", " ", text)
    text = re.sub(r"[\[\](){}]", " ", text)
    text = re.sub(r"\s+([.,!?])", r"\1", text)
    text = re.sub(r"([.,!?])(?:\s*[.,!?])+", r"\1", text.replace("...", "\x00")).replace("\x00", "...")
    return re.sub(r"\s+", " ", text).strip()


def _read_number_match(m: re.Match) -> str:
    unit = m["unit"] or ""
    if unit == "월" and m["num"] in ("6", "06", "10") and not (m["frac"] or m["big"] or m["num2"]):
        return MONTHS[int(m["num"])]
    spoken_unit = f" {SYMBOL_UNITS.get(unit, unit)}" if unit else ""
    first = _read_one(m["num"], m["frac"], m["big"] or m["big2"] if m["num2"] else m["big"], unit)
    if not m["num2"]:
        return first + spoken_unit
    second = _read_one(m["num2"], None, m["big2"], unit)
    # "3~5시간" reads 세 시간에서 다섯 시간, so each end keeps its own counter.
    return f"{first}{spoken_unit}에서 {second}{spoken_unit}"


def _read_one(digits: str, frac: str | None, big: str | None, unit: str) -> str:
    n = int(digits.replace(",", ""))
    if frac:
        return f"{sino(n)} 점 {''.join(SINO_DIGITS[int(d)] for d in frac)}{big or ''}"
    if big:
        return _read_big(n, big)
    if unit == "번째" and n == 1:
        return "첫"
    if _is_native(n, unit):
        return native(n)
    return sino(n)


def _read_big(n: int, big: str) -> str:
    # "1만" is read 만, but "1억" is 일억; "300만" is 삼백만.
    if n == 1 and big != "억":
        return big
    return sino(n) + big


def _is_native(n: int, unit: str) -> bool:
    if unit not in NATIVE_COUNTERS or not 1 <= n <= 99:
        return False
    # 대 counts machines (세 대) but names decades of age (이십 대).
    return not (unit == "대" and n % 10 == 0)


def sino(n: int) -> str:
    """Sino-Korean reading: 2024 → 이천이십사, 10000 → 만, 300 → 삼백."""
    if n == 0:
        return SINO_DIGITS[0]
    words = []
    for big_index in range(len(BIG_UNITS)):
        group = n // 10 ** (4 * big_index) % 10_000
        if group:
            words.append(_sino_group(group, big_index))
    return "".join(reversed(words)) if n < 10 ** 16 else str(n)


def _sino_group(group: int, big_index: int) -> str:
    if group == 1 and big_index == 1:
        return "만"
    out = ""
    for position in range(3, -1, -1):
        digit = group // 10**position % 10
        if digit == 0:
            continue
        out += ("" if digit == 1 and position > 0 else SINO_DIGITS[digit]) + SMALL_UNITS[position]
    return out + BIG_UNITS[big_index]


def native(n: int) -> str:
    """Native reading before a counter, 1–99: 3 → 세, 20 → 스무, 21 → 스물한."""
    if not 1 <= n <= 99:
        return sino(n)
    tens, ones = divmod(n, 10)
    if n == 20:
        return "스무"
    return NATIVE_TENS[tens] + NATIVE_ONES[ones]
