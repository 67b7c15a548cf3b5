"""The script writers take a clip's transcript with the post's text: what was said is narrated."""

from __future__ import annotations

import json

from generation.script import split_sentences, write_script
from tests.factories import make_post
from tests.generation.test_script_llm import GOOD, model  # noqa: F401  (a fixture)

HEARD = "여러분 이 고양이 좀 보세요! 매일 아침 여섯 시에 제 얼굴을 밟고 지나갑니다. 알람이 필요 없어요."
BODY = "고양이를 키운 지 삼 년째입니다. 요즘 들어 아침 기상 시간이 정확해졌어요. 영상 한번 보세요."


def test_the_extractive_writer_narrates_the_transcripts_sentences_before_the_posts(db, settings):
    settings.SCRIPT_WRITER = "extractive"
    post = make_post(title="고양이가 저를 깨우는 방법", content=BODY)

    script = write_script(post, transcript=HEARD)

    narrated = script.sentences()
    heard = split_sentences(HEARD)
    assert script.hook in heard  # the first line a viewer hears is one of the clip's
    assert all(sentence in narrated for sentence in heard)
    assert script.body.index(heard[-1]) < len(heard)  # the clip's come first, the post's after
    assert script.spoken_chars() <= 200


def test_without_a_transcript_the_extractive_writer_narrates_the_post_alone(db, settings):
    settings.SCRIPT_WRITER = "extractive"
    post = make_post(title="고양이가 저를 깨우는 방법", content=BODY)

    script = write_script(post)

    assert not any(sentence in script.sentences() for sentence in split_sentences(HEARD))


def test_one_long_unpunctuated_transcript_is_cut_rather_than_dropped(db, settings):
    settings.SCRIPT_WRITER = "extractive"
    post = make_post(title="영상", content="")
    run_on = " ".join(["고양이가 아침마다 제 얼굴을 밟고 지나가는데 정말 정확한 시간에 와요"] * 12)

    script = write_script(post, transcript=f"이것 좀 보세요! {run_on}")

    assert script.hook == "이것 좀 보세요!"
    assert script.body and script.body[0].startswith("고양이가 아침마다")
    assert script.spoken_chars() <= 200


def test_the_llm_prompt_carries_the_transcript(db, model):  # noqa: F811
    scripted = model(json.dumps(GOOD, ensure_ascii=False))
    post = make_post(title="고양이가 저를 깨우는 방법", content=BODY)

    write_script(post, transcript=HEARD)

    prompt = scripted.chats[0][-1]["content"]
    assert "영상에서 들린 말" in prompt and "매일 아침 여섯 시에 제 얼굴을 밟고" in prompt and BODY[:10] in prompt
