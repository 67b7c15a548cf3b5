"""Each rank's condensed script: the LLM writer with the compilation prompt, else the extractive
writer, sized so the whole compilation lasts 45–90 s (the LLM is patched at ``llm.complete``)."""

from __future__ import annotations

import json

import pytest

from generation import llm
from generation.compilation import Narration, Segment, compilation_create, intro_text, narration_fit, narration_write
from generation.compilation_script import (
    ITEM_MAX_SYLLABLES,
    ITEM_MIN_SYLLABLES,
    TARGET_SECONDS,
    estimate_seconds,
    item_budget,
    syllables,
)
from generation.script import ScriptError
from posts.models import Status as S
from tests.factories import make_post
from tests.generation.test_script_llm import ScriptedModel

pytestmark = pytest.mark.django_db

# Twelve plain sentences (about 20 syllables each): more than any rank may tell.
LONG_STORY = " ".join(f"{n}번째 날에도 팀장님은 점심 메뉴를 김치찌개로 정하셨습니다." for n in range(1, 13))


def ranked(count: int, content: str = LONG_STORY):
    posts = [make_post(status=S.UPLOADED, title=f"점심 메뉴 이야기 {n}", content=content) for n in range(count)]
    return compilation_create(posts=posts)


@pytest.fixture
def extractive(settings):
    settings.SCRIPT_WRITER, settings.SCRIPT_LLM_MODEL = "extractive", ""


@pytest.fixture
def model(monkeypatch, settings):
    settings.SCRIPT_WRITER, settings.SCRIPT_LLM_MODEL = "llm", "test/model"

    def install(*replies: str) -> ScriptedModel:
        scripted = ScriptedModel(*replies)
        monkeypatch.setattr(llm, "complete", scripted)
        return scripted

    return install


def lines(*sentences: str) -> str:
    return json.dumps({"lines": list(sentences)}, ensure_ascii=False)


def test_the_estimate_counts_spoken_syllables_not_characters(settings):
    settings.TTS_SENTENCE_GAP_MS = 100
    assert syllables("3만원, 진짜?!") == 5  # 삼만 원 진짜
    assert estimate_seconds(["가나다 라마바사.", "TOP 3"]) == pytest.approx(7 / 6.9 + 4 / 6.9 + 0.1)


def test_a_ranks_budget_is_its_share_of_the_aim_within_one_ranks_bounds():
    fixed = [intro_text(3), "3위, 네이트판.", "2위, 더쿠.", "1위, 뽐뿌.", "여러분의 원픽은?"]
    three = item_budget(3, fixed)
    assert ITEM_MIN_SYLLABLES < three < ITEM_MAX_SYLLABLES
    whole = estimate_seconds([*fixed, *(["가" * three] * 3)]) + 3 * 3 * 0.12  # the ranks' own pauses
    assert whole == pytest.approx(sum(TARGET_SECONDS) / 2, abs=1.5)
    assert item_budget(10, fixed, seconds=30) == ITEM_MIN_SYLLABLES
    assert item_budget(2, fixed[:1]) == ITEM_MAX_SYLLABLES


@pytest.mark.parametrize("count", [2, 3, 5])
def test_a_countdown_of_long_posts_lands_within_the_target(extractive, count):
    narration = narration_write(ranked(count))
    assert TARGET_SECONDS[0] <= narration.estimate() <= TARGET_SECONDS[1]
    assert set(narration.meta["writers"].values()) == {"extractive"}


def test_a_top_ten_is_trimmed_a_sentence_at_a_time_to_the_upper_end(extractive):
    compilation = ranked(10)
    narration = narration_write(compilation)
    assert narration.estimate() <= TARGET_SECONDS[1]
    items = [segment for segment in narration.segments if segment.item]
    assert all(len(segment.sentences) >= 2 for segment in items)  # the lead and one sentence at least
    saved = {item.rank: item.narration for item in compilation.items.all()}
    assert all(saved[s.rank] == " ".join(s.sentences[1:]) for s in items)  # what is spoken is what is saved


def test_fitting_drops_the_longest_written_ranks_last_sentences_and_keeps_saved_words():
    sentence = "가" * 60
    segments = [Segment("intro", ["오늘의 베스트 TOP 3"]),
                *(Segment("item", [f"{rank}위.", *[sentence] * count], rank=rank) for rank, count in
                  [(3, 6), (2, 3), (1, 4)]),
                Segment("outro", ["여러분의 원픽은?"])]
    narration = Narration(segments)
    assert narration.estimate() > TARGET_SECONDS[1] + 25

    narration_fit(narration, {3, 1})

    assert narration.estimate() <= TARGET_SECONDS[1]
    # Rank 3 loses two sentences before rank 1 (as long by then) loses one; rank 2 is saved words.
    assert [len(s.sentences) for s in segments] == [1, 4, 4, 4, 1]


def test_the_llm_writes_each_rank_with_the_compilation_prompt(model):
    compilation = ranked(2)
    scripted = model(lines("팀장님은 열두 번째 날에도 김치찌개를 고르셨어요.", "팀원들은 조용히 따랐습니다."),
                     lines("점심 메뉴는 언제나 김치찌개였어요."))

    narration = narration_write(compilation)

    assert [s.sentences for s in narration.segments if s.item] == [
        ["2위, 네이트판.", "팀장님은 열두 번째 날에도 김치찌개를 고르셨어요.", "팀원들은 조용히 따랐습니다."],
        ["1위, 네이트판.", "점심 메뉴는 언제나 김치찌개였어요."]]
    assert narration.meta["writers"] == {2: "llm", 1: "llm"}
    second, first = (chat[0]["content"] for chat in scripted.chats)
    assert "베스트 TOP 2" in second and "그중 2위" in second and f"{narration.meta['item_budget']}음절" in second
    assert "가장 극적인" in first and "가장 극적인" not in second
    assert "김치찌개" in scripted.chats[0][1]["content"]  # the post itself
    assert compilation.items.get(rank=1).narration == "점심 메뉴는 언제나 김치찌개였어요."


def test_an_unusable_answer_is_retried_stricter_and_a_long_one_trimmed_to_the_budget(model):
    long = [f"{n}번째 문장은 김치찌개 이야기를 길게 이어 갑니다." for n in range(30)]
    scripted = model("1위는 김치찌개입니다", lines(*long), lines("짧은 이야기입니다."))

    narration = narration_write(ranked(2))

    told = next(s for s in narration.segments if s.rank == 2).sentences[1:]
    assert 0 < sum(syllables(t) for t in told) <= narration.meta["item_budget"]
    assert told[0].startswith("0번째 문장은")
    assert '{"lines"' in scripted.chats[1][-1]["content"] and "no JSON object" in scripted.chats[1][-1]["content"]


def test_pii_in_the_answer_is_scrubbed(model):
    model(lines("김민수씨가 010-9999-8888로 전화했어요."), lines("점심은 김치찌개였어요."))
    narration = narration_write(ranked(2))
    assert "A씨가 전화번호로 전화했어요." in narration.sentences()


def test_auto_mode_falls_back_to_the_extractive_writer_when_the_model_cannot_load(model, settings, monkeypatch):
    settings.SCRIPT_WRITER = "auto"

    def unavailable(*args, **kwargs):
        raise llm.LLMUnavailable("no torch here")

    monkeypatch.setattr(llm, "complete", unavailable)
    narration = narration_write(ranked(2))
    assert narration.meta["writers"] == {2: "extractive", 1: "extractive"}
    assert all("김치찌개" in " ".join(s.sentences) for s in narration.segments if s.item)

    settings.SCRIPT_WRITER = "llm"
    with pytest.raises(ScriptError, match="LLM unavailable"):
        narration_write(ranked(2))
