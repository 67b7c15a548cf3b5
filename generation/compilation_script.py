"""Each rank's condensed script in a compilation, and the budgets that make the whole fit.

A rank is told in a few sentences: by the LLM writer with the compilation prompt (it is told the
rank and its budget) when a model is configured, else, or in auto mode when the model cannot load
here, by the extractive writer at the rank's budget. Budgets count the Hangul syllables of the
text as spoken (numbers as read): the voice keeps PACE_TARGET syllables a second, so syllables
predict the length within a second where characters (spaces and punctuation too) overshot the
demo's TOP 3 by a third and left it at 31 s.
"""

from __future__ import annotations

import logging

from django.conf import settings

from generation import llm
from generation.normalize import clean, normalize
from generation.pii import Scrubber
from generation.script import (
    REFUSAL_RE,
    ScriptError,
    UnusableOutput,
    fit,
    post_prompt,
    reply_object,
    split_sentences,
    write_extractive,
)
from generation.tts import PACE_TARGET, count_syllables

log = logging.getLogger(__name__)

TARGET_SECONDS = (45.0, 90.0)
MAX_SECONDS = 180.0  # YouTube's Shorts limit
# Ranks are written for the middle of the target; trimming then enforces its upper end.
AIM_SECONDS = sum(TARGET_SECONDS) / 2
# One rank at most about 22 s, so one long story cannot crowd out the countdown; at least a
# sentence's worth, even in a TOP 10.
ITEM_MAX_SYLLABLES, ITEM_MIN_SYLLABLES = 150, 25
# Sentences a rank's lead and script usually have, for the pauses between them.
SENTENCES_PER_ITEM = 4
# The extractive writer budgets characters; Korean prose spends about 1.4 per syllable, spaces and punctuation included.
CHARS_PER_SYLLABLE = 1.4

COMPILATION_PROMPT = (
    "너는 유튜브 쇼츠 순위 영상 '베스트 TOP {count}'의 내레이션 작가다. 아래 글은 그중 {rank}위다. "
    "이 글을 한국어 {budget}음절 이내, 1~3문장의 짧은 내레이션으로 압축해 JSON 객체 하나로 답하라. "
    '키: "lines"(문장 배열). '
    "순위('{rank}위')와 커뮤니티 이름은 따로 읽으니 쓰지 마라. 제목을 그대로 읽지 말고 가장 놀라운 점부터 말하라. "
    "인사말이나 시청자에게 던지는 질문은 쓰지 마라(영상 끝에서 한 번 묻는다). {tone}"
    "실명, 전화번호, 이메일, 주소는 쓰지 마라. 존댓말로 써라."
)
TONES = {1: "1위이니 가장 극적인 대목으로 끝내라. ", None: "다음 순위로 넘어가도록 짧고 빠르게 써라. "}
STRICT_PROMPT = ('방금 답은 쓸 수 없었다: {problem}. 설명이나 코드블록 없이 {{"lines": ["...", "..."]}} '
                 "형식의 JSON 객체 하나만 출력하라.")


def syllables(text: str) -> int:
    """Hangul syllables the voice reads in ``text`` (3만원 → 삼만 원: three)."""
    return count_syllables(normalize(text))


def estimate_seconds(sentences: list[str]) -> float:
    """Spoken length at the voice's pace plus the pauses between sentences."""
    spoken = sum(syllables(text) for text in sentences) / PACE_TARGET
    return spoken + max(len(sentences) - 1, 0) * settings.TTS_SENTENCE_GAP_MS / 1000


def free_syllables(count: int, fixed: list[str], seconds: float) -> int:
    """Syllables each of ``count`` ranks may have for the whole to last ``seconds``, given the
    ``fixed`` sentences (intro, rank leads, outro)."""
    pauses = (len(fixed) + count * SENTENCES_PER_ITEM) * settings.TTS_SENTENCE_GAP_MS / 1000
    return int(((seconds - pauses) * PACE_TARGET - sum(syllables(text) for text in fixed)) / count)


def item_budget(count: int, fixed: list[str], seconds: float = AIM_SECONDS) -> int:
    """A written rank's budget: its share of ``seconds``, within one rank's bounds."""
    return min(max(free_syllables(count, fixed, seconds), ITEM_MIN_SYLLABLES), ITEM_MAX_SYLLABLES)


def trimmed(sentences: list[str], budget: int) -> list[str]:
    """Whole sentences in order while they fit ``budget`` syllables; the first is cut to fit if
    alone too long (a character holds at most one syllable, so cutting at ``budget`` fits)."""
    kept: list[str] = []
    for sentence in (s.strip() for s in sentences):
        if sentence and sum(syllables(s) for s in [*kept, sentence]) <= budget:
            kept.append(sentence)
        elif not kept and sentence:
            kept.append(fit(sentence, budget))
        else:
            break
    return kept


def condensed(post, budget: int) -> list[str]:
    """The extractive writer's hook and strongest lines for ``post`` within ``budget`` syllables;
    its closing question is left out (the compilation asks one at the end)."""
    script = write_extractive(post, limit=round(budget * CHARS_PER_SYLLABLE))
    return trimmed([script.hook, *script.body], budget)


def item_write(post, *, rank: int, count: int, budget: int) -> tuple[list[str], str]:
    """Rank ``rank``'s lines and the writer that wrote them, chosen as ``write_script`` chooses."""
    mode, model = settings.SCRIPT_WRITER, settings.SCRIPT_LLM_MODEL
    if mode == "extractive" or (mode == "auto" and not model):
        return condensed(post, budget), "extractive"
    if not model:
        raise ScriptError(f"SCRIPT_WRITER={mode} but SCRIPT_LLM_MODEL is empty", permanent=True)
    try:
        return item_write_llm(post, rank=rank, count=count, budget=budget, model=model), "llm"
    except llm.LLMUnavailable as exc:
        if mode == "llm":
            raise ScriptError(f"LLM unavailable: {exc}") from exc
        log.info("compilation rank %s: LLM unavailable, extractive writer: %s", rank, exc)
        return condensed(post, budget), "extractive"


def item_write_llm(post, *, rank: int, count: int, budget: int, model: str) -> list[str]:
    """Ask for the rank's lines as JSON; on an unusable answer ask once more, stricter."""
    scrubber = Scrubber()
    system = COMPILATION_PROMPT.format(count=count, rank=rank, budget=budget, tone=TONES.get(rank, TONES[None]))
    messages = [{"role": "system", "content": system}, {"role": "user", "content": post_prompt(post, scrubber)}]
    problem = ""
    for attempt in (1, 2):
        reply = llm.complete(messages, model=model, max_new_tokens=settings.SCRIPT_LLM_MAX_NEW_TOKENS,
                             vram_bytes=settings.SCRIPT_LLM_VRAM_BYTES)
        try:
            return trimmed([scrubber.scrub(line) for line in parse_lines(reply)], budget)
        except UnusableOutput as exc:
            if REFUSAL_RE.search(reply):
                raise ScriptError(f"the model refused rank {rank}: {reply.strip()[:200]}") from exc
            problem = str(exc)
            log.warning("LLM answer %d for rank %s unusable (%s): %.200r", attempt, rank, problem, reply)
            messages = [*messages, {"role": "assistant", "content": reply},
                        {"role": "user", "content": STRICT_PROMPT.format(problem=problem)}]
    raise ScriptError(f"unusable LLM output for rank {rank} after 2 attempts: {problem}")


def parse_lines(reply: str) -> list[str]:
    """The sentences of the answer's ``lines`` (a list of text, or one text)."""
    lines = reply_object(reply).get("lines")
    lines = [lines] if isinstance(lines, str) else lines
    if not isinstance(lines, list) or not all(isinstance(line, str) for line in lines):
        raise UnusableOutput('"lines" must be a list of text')
    sentences = [s for line in lines for s in split_sentences(clean(line))]
    if not sentences:
        raise UnusableOutput('"lines" has no sentence')
    return sentences
