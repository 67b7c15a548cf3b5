"""Post → a short narration script, written by an LLM or extracted from the post.

``write_script`` picks the writer from settings: ``SCRIPT_WRITER=auto`` uses the LLM when a model
is configured and loads here, else the extractive writer; the choice and its reason go into
``Script.meta`` (and from there into ``Short.generation_meta``). Both writers produce the same
structure: a hook (never the title read out: the banner shows the title all along), body lines
and an optional closing question are spoken; the best comment, the YouTube title and the tags are
shown, and the story's mood picks its music. Every text passes the PII scrubber before it leaves this module.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import zlib
from dataclasses import asdict, dataclass, field

from django.conf import settings

from generation import llm
from generation.glyphs import glyphs_check
from generation.mood import MOODS, mood_of, valid_mood
from generation.normalize import clean, normalize
from generation.pii import Scrubber, mask_nickname
from wagglebot.lib.stages import StageError


class ScriptError(StageError):
    """No usable narration: the writer failed, or there is nothing to narrate (permanent)."""


log = logging.getLogger(__name__)

MAX_SPOKEN_CHARS = 200
MAX_SENTENCE_CHARS = 4 * MAX_SPOKEN_CHARS  # longer never fits the narration, even with a URL dropped
PROMPT_BODY_CHARS = 1500
MAX_HOOK_CHARS = 40
MAX_TITLE_CHARS = 100
MAX_COMMENT_CHARS = 80
# Comments read out after the story: at most this many, and this many spoken characters in all
# (about 15 s at 6–7 syllables a second), so a short with comments stays well under a minute.
MAX_READ_COMMENTS, MAX_READ_COMMENT_CHARS = 3, 100
MAX_TAGS = 8
# The closing question, chosen by post: "" leaves it out, so shorts do not all end on one line.
CLOSERS = ["여러분 생각은 어떠세요?", "여러분이라면 어떻게 하시겠어요?", "여러분도 이런 경험 있으신가요?",
           "댓글로 의견 남겨 주세요.", "여러분 이야기도 들려주세요.", "비슷한 일 겪어 보셨나요?", ""]
SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+|\n+")
TITLE_NOISE_RE = re.compile(r"\s*[(\[][^)\]]*[)\]]\s*|\.(?:jpg|jpeg|png|gif|manhwa|txt|mp4)\b", re.IGNORECASE)
LIST_MARKER_RE = re.compile(r"^\s*(?:[-*※•·→]+|\d+[.)]|[①-⑩])\s*")
PARTICLE_RE = re.compile(r"(?:에서|으로|이랑|한테|에게|까지|부터|처럼|보다|이라|이는|[은는이가을를에의도로와과랑만])$")
_STOPWORDS = "근데 진짜 요즘 우리 제가 저희 이거 그거 오늘 어제 내일 이게 그냥 정말 너무 하는 했던 하다"
STOPWORDS = frozenset(_STOPWORDS.split())
# Words that make a line the hook: shock, feeling, a turn in the story.
STRIKING_RE = re.compile(r"황당|충격|대박|미쳤|레전드|소름|감동|눈물|어이없|역대급|최고|최악|무서|깜짝|난리"
                         r"|결국|처음|갑자기|절대|진짜로|폭탄|배신|실화")
# Kiwi's tags: general and proper nouns (and Latin words) start a tag; a noun or noun suffix
# written right after one continues it. Bound nouns (때문, 것) never start one.
NOUN_HEADS = frozenset({"NNG", "NNP", "SL"})
NOUN_PIECES = frozenset({"NNG", "NNP", "XSN"})


@dataclass
class Script:
    hook: str
    body: list[str]
    closer: str
    best_comment: dict | None = None
    # The best comments read out after the closer (best_comment is the first of them).
    comments: list[dict] = field(default_factory=list)
    title: str = ""
    tags: list[str] = field(default_factory=list)
    source: str = "extractive"
    meta: dict = field(default_factory=dict)
    # The story's tone for its music (generation.mood): the LLM's when it named a valid one.
    mood: str = ""

    def sentences(self) -> list[str]:
        """Spoken sentences in order: hook, body lines, closer."""
        return [s for s in [self.hook, *self.body, self.closer] if s.strip()]

    @property
    def narration(self) -> str:
        return " ".join(self.sentences())

    def spoken_chars(self) -> int:
        return spoken_length(self.narration)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Script:
        return cls(**{key: data[key] for key in cls.__dataclass_fields__ if key in data})


def spoken_length(text: str) -> int:
    """Characters the voice reads: numbers count as they are spoken (3만원 → 삼만 원)."""
    return len(normalize(text))


def split_sentences(text: str, *, min_syllables: int = 3) -> list[str]:
    """Sentences of ``text``, cleaned. In posts, fragments such as "1위." or a lone "네?" carry
    nothing a listener can follow, so pieces under ``min_syllables`` Hangul syllables are dropped."""
    parts = (LIST_MARKER_RE.sub("", clean(part)).strip() for part in SENTENCE_END_RE.split(text))
    return [part for part in parts if part and len(re.findall(r"[가-힣]", part)) >= min_syllables]


def fit(text: str, limit: int) -> str:
    """``text`` cut at the last word boundary that keeps it within ``limit`` characters."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,.")


# Writer choice ---------------------------------------------------------------------------------


def write_script(post, *, transcript: str = "") -> Script:
    """The script for ``post`` from the configured writer; ScriptError otherwise. ``transcript``:
    what was said in the post's clip (a usable ``Transcript``'s text), narrated with the post."""
    mode = settings.SCRIPT_WRITER
    model = settings.SCRIPT_LLM_MODEL
    if mode not in ("auto", "llm", "extractive"):
        raise ScriptError(f"SCRIPT_WRITER={mode!r}; use auto, llm or extractive", permanent=True)
    if mode == "extractive" or (mode == "auto" and not model):
        reason = "SCRIPT_WRITER=extractive" if mode == "extractive" else "no SCRIPT_LLM_MODEL configured"
        return _chosen(write_extractive(post, transcript=transcript), "extractive", reason)
    if not model:
        raise ScriptError("SCRIPT_WRITER=llm but SCRIPT_LLM_MODEL is empty", permanent=True)
    try:
        script = write_llm(post, model=model, transcript=transcript)
        return _chosen(script, "llm", f"SCRIPT_WRITER={mode}, model {model}")
    except llm.LLMUnavailable as exc:
        if mode == "llm":
            raise ScriptError(f"LLM unavailable: {exc}") from exc
        return _chosen(write_extractive(post, transcript=transcript), "extractive",
                       f"LLM unavailable, fell back: {exc}")


def _chosen(script: Script, writer: str, reason: str) -> Script:
    glyphs_check_narration(script)
    script.meta.update(writer=writer, reason=reason)
    log.info("script writer %s: %s", writer, reason)
    return script


def glyphs_check_narration(script: Script) -> None:
    """The narration is drawn as subtitles, as written and as spoken: check both before the
    speech and the render run (the title and comment cards drop what the font lacks)."""
    glyphs_check(script.narration + normalize(script.narration))


def script_from_text(text: str, post) -> Script:
    """A script from a person's edited narration: their sentences, spoken as written."""
    scrubber = Scrubber()
    sentences = _edited_sentences(text, scrubber)
    if not sentences:
        raise ScriptError("the edited narration is empty", permanent=True)
    hook, rest = sentences[0], sentences[1:]
    closer = rest.pop() if len(rest) >= 2 else ""
    script = Script(hook=hook, body=rest, closer=closer, source="human",
                    meta={"writer": "human", "reason": "narration edited by a person"})
    _decorate(script, post, scrubber)
    if script.spoken_chars() > MAX_SPOKEN_CHARS:
        raise ScriptError(
            f"the edited narration is {script.spoken_chars()} spoken characters; the limit is {MAX_SPOKEN_CHARS}",
            permanent=True,
        )
    glyphs_check_narration(script)
    return script


def edited_spoken_chars(text: str) -> int:
    """The spoken length ``script_from_text`` checks against MAX_SPOKEN_CHARS (the live counter)."""
    return spoken_length(" ".join(_edited_sentences(text, Scrubber())))


def _edited_sentences(text: str, scrubber: Scrubber) -> list[str]:
    return [scrubber.scrub(s) for s in split_sentences(text, min_syllables=0)]


# Shared parts ----------------------------------------------------------------------------------


def clean_title(title: str) -> str:
    """The title without bracketed asides, file suffixes, laughter and emoji."""
    return re.sub(r"\s+", " ", clean(TITLE_NOISE_RE.sub(" ", title))).strip(" .,")


def best_comment(post, scrubber: Scrubber) -> dict | None:
    comments = best_comments(post, scrubber, count=1)
    return comments[0] if comments else None


def best_comments(post, scrubber: Scrubber, *, count: int = MAX_READ_COMMENTS,
                  budget: int = MAX_READ_COMMENT_CHARS) -> list[dict]:
    """The post's best comments, scrubbed and masked, while their spoken length fits ``budget``."""
    chosen: list[dict] = []
    for comment in post.comments.order_by("-is_best", "-likes", "pk")[:count * 3] if post.pk else []:
        text = fit(scrubber.scrub(clean(comment.content.replace("\n", " "))), MAX_COMMENT_CHARS)
        if not text or (chosen and spoken_length(text) > budget):
            continue
        chosen.append({"author": mask_nickname(comment.author), "text": text})
        budget -= spoken_length(text)
        if len(chosen) == count:
            break
    return chosen


def keywords(text: str) -> list[str]:
    """Content words of ``text`` in order: Hangul/Latin words with their particle cut off."""
    words = []
    for raw in re.findall(r"[가-힣A-Za-z0-9]{2,}", clean(text)):
        word = PARTICLE_RE.sub("", raw) if len(raw) > 2 else raw
        if len(word) >= 2 and not re.search(r"\d|[한된던는게고서요다]$", word) and word not in STOPWORDS | set(words):
            words.append(word)
    return words


@functools.lru_cache(maxsize=1)
def _kiwi():
    # The model comes with the kiwipiepy_model wheel: loading reads files, nothing is downloaded.
    from kiwipiepy import Kiwi

    return Kiwi()


def nouns(text: str) -> list[str]:
    """The nouns of ``text`` in order, by Kiwi's morphological analysis, pieces written together
    joined (게임 + 기 → 게임기): a particle-stripping regex left stems like "숨겨놓" and "유행이라"."""
    found: list[str] = []
    chunk, end = "", -1
    for token in [*_kiwi().tokenize(clean(text)), None]:
        if token is not None and token.tag in NOUN_PIECES and chunk and token.start == end:
            chunk, end = chunk + token.form, token.start + token.len
            continue
        if len(chunk) >= 2 and chunk not in STOPWORDS and chunk not in found:
            found.append(chunk)
        chunk, end = "", -1
        if token is not None and token.tag in NOUN_HEADS:
            chunk, end = token.form, token.start + token.len
    return found


def make_tags(site_code: str, title: str, extra: list[str] | None = None) -> list[str]:
    """Tags from the already scrubbed ``title``: a raw title would put "김민수" into a tag, and a
    lone name carries no honorific for the scrubber to catch."""
    from crawling.registry import site_hashtag

    tags = [*(extra or []), *nouns(title)[:5], site_hashtag(site_code), "쇼츠"]
    unique = []
    for tag in (t.strip().lstrip("#").replace(" ", "") for t in tags):
        if tag and tag not in unique:
            unique.append(tag)
    return unique[:MAX_TAGS]


def _decorate(script: Script, post, scrubber: Scrubber) -> None:
    """Fill what both writers take from the post itself: title, tags, best comment."""
    script.title = fit(scrubber.scrub(script.title or clean_title(post.title) or "오늘의 인기글"), MAX_TITLE_CHARS)
    title = scrubber.scrub(clean_title(post.title))
    script.tags = [scrubber.scrub(tag) for tag in make_tags(post.site_code, title, script.tags)]
    script.comments = best_comments(post, scrubber)
    script.best_comment = script.comments[0] if script.comments else None
    script.mood = valid_mood(script.mood) or mood_of(f"{post.title}\n{post.content}")


def pick_closer(post) -> str:
    """The post's closing question (or none), the same on every run for the same post."""
    return CLOSERS[zlib.crc32(f"{post.site_code}:{post.origin_id}:{post.title}".encode()) % len(CLOSERS)]


def _fit_narration(script: Script, limit: int = MAX_SPOKEN_CHARS) -> Script:
    """Drop trailing body sentences until the narration fits; the hook and closer stay."""
    script.hook = fit(script.hook, MAX_HOOK_CHARS)
    while script.body and script.spoken_chars() > limit:
        script.body.pop()
    return script


# Extractive writer -----------------------------------------------------------------------------


def write_extractive(post, *, transcript: str = "", limit: int = MAX_SPOKEN_CHARS) -> Script:
    """Deterministic: the body's most striking short sentence as hook, its strongest sentences,
    a closing question. The title is not spoken: the banner shows it for the whole short.

    With a ``transcript`` the clip is the story: its sentences come first, in the order they
    were said (the hook from among them), and the post's strongest sentences fill what is left.
    ``limit``: spoken characters of the whole (a compilation's rank may take fewer or more)."""
    scrubber = Scrubber()
    title = clean_title(post.title)
    # Only sentences short enough to be narrated are scrubbed: the rest of a long body is never
    # used, and scrubbing all of it held the gpu worker for minutes.
    sentences = [scrubber.scrub(s) for s in split_sentences(post.content) if len(s) <= MAX_SENTENCE_CHARS]
    # Speech has no full stops where STT adds none: a long run is cut rather than dropped.
    heard = [fit(scrubber.scrub(s), MAX_SENTENCE_CHARS) for s in split_sentences(transcript)]
    # Scrub before cutting: a cut between "김민수" and "대리님" would leave the name unmarked.
    hook = _hook(heard) or _hook(sentences) or fit(scrubber.scrub(title), MAX_HOOK_CHARS)
    if not hook:
        raise ScriptError("the post has neither a title nor body text", permanent=True)
    script = Script(hook=hook, body=[], closer=pick_closer(post), source="extractive")
    script.body = _in_order(heard, limit - script.spoken_chars() - 1)
    budget = limit - script.spoken_chars() - 1
    script.body += _strongest(sentences, keywords(title), budget)
    _decorate(script, post, scrubber)
    return _fit_narration(script, limit)


def _in_order(sentences: list[str], budget: int) -> list[str]:
    """The leading ``sentences`` that fit ``budget`` spoken characters, as they were said."""
    kept: list[str] = []
    for sentence in sentences:
        cost = spoken_length(sentence) + 1
        if cost > budget:
            if not kept and budget > MAX_HOOK_CHARS:  # one unpunctuated run: its start, not nothing
                kept.append(fit(sentence, budget - 1))
            break
        kept.append(sentence)
        budget -= cost
    return kept


def _hook(sentences: list[str]) -> str:
    """Take the most striking sentence out of ``sentences``: the first line a viewer hears.

    Sentences that fit MAX_HOOK_CHARS come first; a longer one is cut only when no sentence fits.
    """
    if not sentences:
        return ""
    ranked = sorted(range(len(sentences)), key=lambda i: (len(sentences[i]) > MAX_HOOK_CHARS,
                                                         -_striking(sentences[i]), i))
    return fit(sentences.pop(ranked[0]), MAX_HOOK_CHARS)


def _striking(sentence: str) -> float:
    """How much a sentence grabs: numbers, exclamations and questions, words of shock or feeling."""
    score = min(len(re.findall(r"\d+", sentence)), 2) + 1.5 * ("!" in sentence) + 1.0 * ("?" in sentence)
    score += 2.0 * len(STRIKING_RE.findall(sentence))
    return score - (1.5 if len(normalize(sentence)) < 8 else 0.0)


def _strongest(sentences: list[str], title_words: list[str], budget: int) -> list[str]:
    """The best-scoring sentences that fit ``budget`` spoken characters, in post order."""
    ranked = sorted(range(len(sentences)), key=lambda i: (-_score(sentences[i], i, len(sentences), title_words), i))
    chosen: list[int] = []
    for i in ranked:
        cost = spoken_length(sentences[i]) + 1
        if cost <= budget:
            chosen.append(i)
            budget -= cost
    return [sentences[i] for i in sorted(chosen)]


def _score(sentence: str, index: int, total: int, title_words: list[str]) -> float:
    overlap = sum(1 for word in title_words if word in sentence)
    length = len(sentence)
    score = 3.0 * overlap + (1.0 if re.search(r"\d", sentence) else 0.0)
    score += 1.0 if 12 <= length <= 70 else -1.0
    score += 1.5 if index == 0 else (1.0 if index == total - 1 else 0.0)
    return score - (2.0 if length < 8 else 0.0)


# LLM writer ------------------------------------------------------------------------------------

SYSTEM_PROMPT = (
    "너는 한국 커뮤니티 인기글을 유튜브 쇼츠 내레이션으로 바꾸는 작가다. "
    "아래 글을 읽고 JSON 객체 하나로 답하라. 키: "
    '"hook"(시선을 끄는 첫 문장, 40자 이내, 제목을 그대로 읽지 말고 본문에서 가장 놀라운 점으로), '
    '"body"(핵심 내용을 담은 문장 2~4개의 배열), '
    '"closer"(시청자에게 던지는 질문 한 문장), "title"(유튜브 제목, 100자 이내), "tags"(태그 3~6개 배열), '
    f'"mood"(글의 분위기: {", ".join(MOODS)} 중 하나, 각각 {", ".join(MOODS.values())}). '
    "제목은 화면에 계속 보이니 내레이션에서 되풀이하지 마라. "
    "hook, body, closer를 합친 내레이션은 200자 이내. 실명, 전화번호, 이메일, 주소는 쓰지 마라. 존댓말로 써라."
)
STRICT_PROMPT = (
    "방금 답은 쓸 수 없었다: {problem}. 설명이나 코드블록 없이 "
    '{{"hook": "...", "body": ["...", "..."], "closer": "...?", "title": "...", "tags": ["..."]}} '
    "형식의 JSON 객체 하나만 출력하라."
)
REFUSAL_RE = re.compile(
    r"죄송하지만|죄송합니다|도와드릴 수 없|작성할 수 없|제공할 수 없|할 수 없습니다"
    r"|I(?:'m| am) sorry|I can(?:no|')t|as an AI",
    re.IGNORECASE,
)


class UnusableOutput(ValueError):
    """The model's answer is not a usable script (no JSON, wrong types, empty fields)."""


def write_llm(post, *, model: str, transcript: str = "") -> Script:
    """Ask for JSON; on an unusable answer ask once more, stricter; then trim to 200 spoken chars."""
    scrubber = Scrubber()
    prompt = post_prompt(post, scrubber, transcript)
    messages = [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": prompt}]
    problem = ""
    for attempt in (1, 2):
        reply = llm.complete(
            messages, model=model, max_new_tokens=settings.SCRIPT_LLM_MAX_NEW_TOKENS,
            vram_bytes=settings.SCRIPT_LLM_VRAM_BYTES,
        )
        try:
            script = parse_reply(reply)
        except UnusableOutput as exc:
            if REFUSAL_RE.search(reply):
                raise ScriptError(f"the model refused: {reply.strip()[:200]}") from exc
            problem = str(exc)
            log.warning("LLM answer %d unusable (%s): %.200r", attempt, problem, reply)
            messages = [*messages, {"role": "assistant", "content": reply},
                        {"role": "user", "content": STRICT_PROMPT.format(problem=problem)}]
            continue
        _scrub_script(script, scrubber)
        _decorate(script, post, scrubber)
        script.meta = {"model": model, "attempts": attempt}
        return _checked_fit(script, post)
    raise ScriptError(f"unusable LLM output after 2 attempts: {problem}")


def post_prompt(post, scrubber: Scrubber, transcript: str = "") -> str:
    comment = best_comment(post, scrubber)
    # Scrub the part the model reads (with a margin, so a name cut at the edge is still caught).
    body = scrubber.scrub(clean(post.content)[:PROMPT_BODY_CHARS + 100])[:PROMPT_BODY_CHARS]
    parts = [f"제목: {scrubber.scrub(clean(post.title))}", f"본문:\n{body}"]
    if transcript.strip():  # the clip is the story: the model narrates what was said in it
        heard = scrubber.scrub(clean(transcript)[:PROMPT_BODY_CHARS + 100])[:PROMPT_BODY_CHARS]
        parts.append(f"영상에서 들린 말(이 내용을 중심으로 써라):\n{heard}")
    if comment:
        parts.append(f"베스트 댓글: {comment['text']}")
    return "\n".join(parts)


def reply_object(reply: str) -> dict:
    """The JSON object in a model's answer (models wrap it in prose or code fences)."""
    start, end = reply.find("{"), reply.rfind("}")
    if start < 0 or end <= start:
        raise UnusableOutput("no JSON object in the answer")
    try:
        data = json.loads(reply[start:end + 1])
    except json.JSONDecodeError as exc:
        raise UnusableOutput(f"invalid JSON ({exc.msg})") from exc
    if not isinstance(data, dict):
        raise UnusableOutput("the JSON is not an object")
    return data


def parse_reply(reply: str) -> Script:
    """Validate the model's JSON; body lines are split into sentences so trimming can drop them."""
    data = reply_object(reply)
    hook, closer, title = (data.get(key) for key in ("hook", "closer", "title"))
    body, tags = data.get("body"), data.get("tags", [])
    if isinstance(body, str):
        body = [body]
    if not (_text(hook) and isinstance(body, list) and body and all(_text(line) for line in body)):
        raise UnusableOutput("hook and body must be non-empty text")
    if not isinstance(tags, list):
        tags = []
    lines = [s for line in body for s in split_sentences(line)]
    return Script(
        hook=clean(hook), body=lines, closer=clean(closer) if _text(closer) else "",
        title=clean(title) if _text(title) else "", tags=[str(t) for t in tags if _text(t)][:MAX_TAGS], source="llm",
        mood=valid_mood(data.get("mood")),
    )


def _text(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _scrub_script(script: Script, scrubber: Scrubber) -> None:
    script.hook = scrubber.scrub(script.hook)
    script.body = [scrubber.scrub(line) for line in script.body]
    script.closer = scrubber.scrub(script.closer)
    script.title = scrubber.scrub(script.title)


def _checked_fit(script: Script, post) -> Script:
    script.closer = fit(script.closer, 60) or pick_closer(post)
    _fit_narration(script)
    if not script.body or script.spoken_chars() > MAX_SPOKEN_CHARS:
        raise ScriptError(f"LLM script does not fit {MAX_SPOKEN_CHARS} spoken characters")
    return script
