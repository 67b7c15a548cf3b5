"""Extractive scripts for every fixture post, PII scrubbing, writer choice, human edits."""

from __future__ import annotations

import re
import sys

import pytest

from generation.normalize import clean
from generation.script import CLOSERS, Script, ScriptError, script_from_text, spoken_length, write_script
from posts.models import Comment, Post
from tests.generation.conftest import FIXTURE_POSTS

IDS = [entry["origin_id"] for entry in FIXTURE_POSTS]
PHONE_RE = re.compile(r"\d{2,3}[-. ]?\d{3,4}[-. ]?\d{4}")


def all_text(script: Script) -> str:
    return repr(script.to_dict())


@pytest.mark.parametrize("entry", FIXTURE_POSTS, ids=IDS)
def test_extractive_script_fits_200_spoken_characters(entry, fixture_post, extractive):
    script = write_script(fixture_post(entry))
    assert script.source == "extractive"
    assert 0 < spoken_length(script.narration) <= 200
    assert len(script.hook) <= 40
    assert 0 < len(script.title) <= 100
    assert script.closer in CLOSERS
    assert script.body, "the body's strongest sentences are spoken"


def test_the_closing_line_differs_between_posts_and_is_sometimes_left_out(fixture_post, extractive):
    closers = [write_script(fixture_post(entry)).closer for entry in FIXTURE_POSTS]

    assert len(set(closers)) >= 4, closers
    assert "" in closers, closers


@pytest.mark.parametrize("entry", FIXTURE_POSTS, ids=IDS)
def test_extractive_script_keeps_the_posts_key_nouns_on_screen_and_in_the_tags(entry, fixture_post, extractive):
    script = write_script(fixture_post(entry))
    for noun in entry["key_nouns"]:
        assert noun in f"{script.title} {script.narration}"  # the banner shows the title all along
    assert any(noun in tag for tag in script.tags for noun in entry["key_nouns"])


@pytest.mark.parametrize("entry", FIXTURE_POSTS, ids=IDS)
def test_the_first_line_spoken_is_a_short_line_of_the_body_not_the_title(entry, fixture_post, extractive):
    script = write_script(fixture_post(entry))

    assert script.sentences()[0] == script.hook and len(script.hook) <= 40
    assert script.hook != script.title
    assert script.hook.rstrip(".!?") in clean(entry["content"])
    assert script.hook not in script.body


def test_the_hook_is_the_bodys_most_striking_line(db, extractive):
    post = Post.objects.create(site_code="nate_pann", origin_id="hook-1", url="https://example.com/h",
                               title="결혼 3주 전인데 시어머니가 예식장을 바꾸자고 하세요",
                               content="결혼식이 석 달 남았어요.\n시어머니가 식장을 보러 오셨어요.\n"
                                       "계약금 300만원을 날리라고요?!\n남편은 아무 말도 안 했어요.")

    assert write_script(post).hook == "계약금 300만원을 날리라고요?"  # cleaning keeps one mark


def test_extractive_script_is_deterministic(fixture_post, extractive):
    post = fixture_post(FIXTURE_POSTS[0])
    assert write_script(post).to_dict() == write_script(post).to_dict()


def test_extractive_script_quotes_the_best_comment_with_a_masked_author(fixture_post, extractive):
    entry = next(e for e in FIXTURE_POSTS if e["origin_id"] == "375641207")
    script = write_script(fixture_post(entry))
    assert script.best_comment["text"].startswith("계약금 날려도 된다면서")
    assert script.best_comment["author"] == "ㅇㅇ"
    assert "ㅋ" not in script.best_comment["text"]


def test_extractive_script_picks_sentences_sharing_the_titles_words(fixture_post, extractive):
    entry = next(e for e in FIXTURE_POSTS if e["origin_id"] == "375641207")
    script = write_script(fixture_post(entry))
    assert any("예식장" in line or "결혼" in line for line in script.body)


def test_planted_pii_never_reaches_the_script(db, extractive):
    post = Post.objects.create(
        site_code="nate_pann", origin_id="pii-1", url="https://example.com/1",
        title="옆집 김민수씨가 택배를 가져갔어요 010-2345-6789",
        content=(
            "서울시 강남구 테헤란로 123 살아요.\n김민수씨한테 연락처 010-2345-6789 남겼는데 답이 없어요.\n"
            "메일은 minsu.kim@example.com 이에요.\n관리실에서는 101동 1203호라고 하네요.\n박지현 과장님이 도와주셨어요."
        ),
    )
    Comment.objects.create(
        post=post, author="이웃주민", content="저도 김민수씨 알아요 02-555-1234 로 전화해 보세요", content_hash="x",
        is_best=True, likes=10,
    )
    script = write_script(post)
    text = all_text(script)
    assert not PHONE_RE.search(text)
    assert "@" not in text and "example.com" not in text
    for secret in ("김민수", "박지현", "테헤란로", "1203호"):
        assert secret not in text
    assert "A씨" in script.narration  # the name is spoken as a stand-in
    assert script.best_comment["author"] == "이***"


def test_script_round_trips_through_a_dict(fixture_post, extractive):
    script = write_script(fixture_post(FIXTURE_POSTS[1]))
    again = Script.from_dict(script.to_dict())
    assert again == script
    assert again.sentences() == [script.hook, *script.body, script.closer]


def test_write_script_records_why_it_chose_the_extractive_writer(fixture_post, settings):
    settings.SCRIPT_WRITER = "auto"
    settings.SCRIPT_LLM_MODEL = ""
    script = write_script(fixture_post(FIXTURE_POSTS[0]))
    assert script.meta["writer"] == "extractive"
    assert script.meta["reason"] == "no SCRIPT_LLM_MODEL configured"


def test_auto_falls_back_to_extractive_when_the_model_cannot_load(fixture_post, settings, tmp_path):
    settings.SCRIPT_WRITER = "auto"
    settings.SCRIPT_LLM_MODEL = str(tmp_path / "no-such-model")
    script = write_script(fixture_post(FIXTURE_POSTS[0]))
    assert script.source == "extractive"
    assert script.meta["reason"].startswith("LLM unavailable, fell back")


def test_llm_mode_fails_the_script_when_the_model_cannot_load(fixture_post, settings, tmp_path):
    settings.SCRIPT_WRITER = "llm"
    settings.SCRIPT_LLM_MODEL = str(tmp_path / "no-such-model")
    with pytest.raises(ScriptError) as error:
        write_script(fixture_post(FIXTURE_POSTS[0]))
    assert "LLM unavailable" in error.value.message


def test_script_from_text_speaks_a_persons_sentences_as_written(fixture_post):
    post = fixture_post(next(e for e in FIXTURE_POSTS if e["origin_id"] == "375641207"))
    script = script_from_text("시어머니가 예식장을 바꾸재요. 왜요? 계약금만 300만원이에요.\n여러분이라면요?", post)
    assert script.source == "human"
    assert script.sentences() == [
        "시어머니가 예식장을 바꾸재요.", "왜요?", "계약금만 300만원이에요.", "여러분이라면요?",
    ]
    assert script.closer == "여러분이라면요?"
    assert script.title.startswith("결혼 3주 전인데")


def test_script_from_text_scrubs_pii_and_rejects_overlong_narration(fixture_post):
    post = fixture_post(FIXTURE_POSTS[0])
    assert "010" not in script_from_text("연락은 010-1111-2222 로 주세요.", post).narration
    with pytest.raises(ScriptError, match="200"):
        script_from_text("아주 긴 문장입니다. " * 30, post)


def test_a_checkpoint_that_failed_to_load_is_not_retried_for_every_post(fixture_post, settings, tmp_path):
    settings.SCRIPT_WRITER = "auto"
    settings.SCRIPT_LLM_MODEL = str(tmp_path / "broken-model")
    first = write_script(fixture_post(FIXTURE_POSTS[0]))
    (tmp_path / "broken-model").mkdir()  # even if it appears later, this worker keeps its verdict
    second = write_script(fixture_post(FIXTURE_POSTS[1]))
    assert first.meta["reason"] == second.meta["reason"]
    assert second.source == "extractive"


def test_a_name_cut_off_from_its_honorific_by_the_hook_limit_is_still_scrubbed(db, extractive):
    prefix = "회사 생활 삼년 차에 처음 겪는 정말 황당한 일인데 우리 막내 "
    title = prefix + "김민수 대리님이 제 커피를 마셨어요"
    assert len(prefix + "김민수 대") == 40, "the 40-character cut falls between the name and its title"
    # The only body line is over 40 characters: the hook is that line cut at the limit.
    post = Post.objects.create(site_code="nate_pann", origin_id="pii-cut", url="https://example.com/c", title=title,
                               content=title + ".")
    script = write_script(post)
    assert "김민수" not in all_text(script)
    assert len(script.hook) <= 40


def test_a_name_in_the_title_never_reaches_the_tags(db, extractive):
    post = Post.objects.create(
        site_code="nate_pann", origin_id="pii-tag", url="https://example.com/t",
        title="김민수 대리님 때문에 퇴사 고민중", content="매일 야근을 시켜요.\n어떻게 해야 할까요?",
    )
    script = write_script(post)
    assert script.tags, "the title still gives tags"
    assert not any("김민수" in tag or "민수" in tag for tag in script.tags)
    assert "김민수" not in all_text(script)


def test_auto_falls_back_to_extractive_when_torch_is_not_installed(fixture_post, settings, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # a CPU-only install without requirements/gpu.txt
    settings.SCRIPT_WRITER = "auto"
    settings.SCRIPT_LLM_MODEL = str(tmp_path / "some-model")
    script = write_script(fixture_post(FIXTURE_POSTS[0]))
    assert script.source == "extractive"
    assert "not installed (torch)" in script.meta["reason"]


def test_hashtags_are_whole_nouns_with_pieces_written_together_joined(db, extractive):
    post = Post.objects.create(site_code="nate_pann", origin_id="tags-1", url="https://example.com/t",
                               title="요즘 유행이라는 동생이 게임기 숨겨놓은 장소 때문에 모르는 척함",
                               content="동생이 게임기를 숨겼어요.\n어디에 뒀는지 아무도 몰라요.")

    tags = write_script(post).tags

    assert tags[:4] == ["유행", "동생", "게임기", "장소"]
    assert not {"숨겨놓", "유행이라", "때문", "모르", "게임"} & set(tags)
