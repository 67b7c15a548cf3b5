"""The LLM writer's JSON validation, stricter retry, trimming and refusal, at the generate seam."""

from __future__ import annotations

import json

import pytest

from generation import llm
from generation.script import ScriptError, write_script
from tests.generation.conftest import FIXTURE_POSTS

WEDDING = next(e for e in FIXTURE_POSTS if e["origin_id"] == "375641207")
GOOD = {
    "hook": "결혼 3주 전, 시어머니의 폭탄 발언",
    "body": ["시어머니가 예식장을 호텔로 바꾸자고 하셨어요.", "계약금 300만원은 알아서 하라고요."],
    "closer": "여러분이라면 바꾸시겠어요?",
    "title": "결혼 3주 전 예식장을 바꾸자는 시어머니",
    "tags": ["결혼", "#시어머니"],
}


class ScriptedModel:
    """Stands in for the model at ``llm.complete``: returns queued replies, records every chat."""

    def __init__(self, *replies: str) -> None:
        self.replies = list(replies)
        self.chats: list[list[dict]] = []

    def __call__(self, messages, **options) -> str:
        self.chats.append(messages)
        return self.replies.pop(0)


@pytest.fixture
def model(monkeypatch, settings):
    settings.SCRIPT_WRITER = "llm"
    settings.SCRIPT_LLM_MODEL = "test/model"

    def install(*replies: str) -> ScriptedModel:
        scripted = ScriptedModel(*replies)
        monkeypatch.setattr(llm, "complete", scripted)
        return scripted

    return install


def test_llm_script_is_built_from_valid_json(model, fixture_post):
    scripted = model(json.dumps(GOOD, ensure_ascii=False))
    script = write_script(fixture_post(WEDDING))
    assert script.source == "llm"
    assert script.sentences() == [GOOD["hook"], *GOOD["body"], GOOD["closer"]]
    assert script.title == GOOD["title"]
    assert script.tags[:2] == ["결혼", "시어머니"]
    assert script.meta == {"model": "test/model", "attempts": 1, "writer": "llm",
                           "reason": "SCRIPT_WRITER=llm, model test/model"}
    assert script.best_comment["text"].startswith("계약금 날려도")
    prompt = scripted.chats[0][-1]["content"]
    assert "예식장" in prompt and "계약금 날려도" in prompt
    assert "제목을 그대로 읽지 말고" in scripted.chats[0][0]["content"]  # the banner shows the title


def test_json_inside_prose_and_a_code_fence_is_accepted(model, fixture_post):
    model("네, 작성했습니다.\n```json\n" + json.dumps(GOOD, ensure_ascii=False) + "\n```")
    assert write_script(fixture_post(WEDDING)).hook == GOOD["hook"]


def test_unusable_answer_is_retried_once_with_a_stricter_instruction(model, fixture_post):
    scripted = model("hook: 결혼 3주 전 이야기", json.dumps(GOOD, ensure_ascii=False))
    script = write_script(fixture_post(WEDDING))
    assert script.meta["attempts"] == 2
    retry = scripted.chats[1]
    assert retry[-2] == {"role": "assistant", "content": "hook: 결혼 3주 전 이야기"}
    assert "JSON 객체 하나만" in retry[-1]["content"] and "no JSON object" in retry[-1]["content"]


def test_wrong_types_count_as_unusable(model, fixture_post):
    model(json.dumps({"hook": "", "body": "x"}), json.dumps({"hook": "훅", "body": [1, 2]}))
    with pytest.raises(ScriptError) as error:
        write_script(fixture_post(WEDDING))
    assert "after 2 attempts" in error.value.message


def test_two_unusable_answers_fail_the_script(model, fixture_post):
    scripted = model("{not json", "여전히 JSON이 아닙니다")
    with pytest.raises(ScriptError) as error:
        write_script(fixture_post(WEDDING))
    assert "unusable LLM output after 2 attempts" in error.value.message
    assert len(scripted.chats) == 2


def test_a_refusal_fails_the_script_with_the_models_words(model, fixture_post):
    scripted = model("죄송하지만 이 요청은 도와드릴 수 없습니다.")
    with pytest.raises(ScriptError) as error:
        write_script(fixture_post(WEDDING))
    assert "refused" in error.value.message and "도와드릴 수 없습니다" in error.value.message
    assert len(scripted.chats) == 1


def test_a_long_answer_is_trimmed_at_a_sentence_boundary(model, fixture_post):
    body = [f"{n}번째 문장은 시어머니와 예식장 이야기를 조금 길게 이어 갑니다." for n in range(1, 11)]
    model(json.dumps({**GOOD, "hook": "아주 긴 훅 " * 10, "body": [" ".join(body)]}, ensure_ascii=False))
    script = write_script(fixture_post(WEDDING))
    assert script.spoken_chars() <= 200
    assert len(script.hook) <= 40
    assert 0 < len(script.body) < len(body)
    assert script.body == body[: len(script.body)]
    assert script.closer == GOOD["closer"]


def test_pii_in_the_models_answer_is_scrubbed(model, fixture_post):
    leaky = {**GOOD, "body": ["김민수씨가 010-9999-8888로 전화했어요.", "메일은 a.b@example.com 이래요."]}
    model(json.dumps(leaky, ensure_ascii=False))
    script = write_script(fixture_post(WEDDING))
    assert script.body == ["A씨가 전화번호로 전화했어요.", "메일은 이메일 주소 이래요."]


def test_auto_mode_records_the_llm_choice(model, fixture_post, settings):
    settings.SCRIPT_WRITER = "auto"
    model(json.dumps(GOOD, ensure_ascii=False))
    script = write_script(fixture_post(WEDDING))
    assert script.meta["writer"] == "llm"
    assert script.meta["reason"] == "SCRIPT_WRITER=auto, model test/model"


def test_a_valid_mood_from_the_model_wins_and_an_invalid_one_is_left_to_the_classifier(model, fixture_post):
    model(json.dumps({**GOOD, "mood": "뭉클"}, ensure_ascii=False), json.dumps({**GOOD, "mood": "jazzy"}))

    post = fixture_post(WEDDING)

    assert write_script(post).mood == "heartfelt"
    assert write_script(post).mood == "tense"  # "예식장 안 바꿉니다!!" and the rest of the post
