"""Music by mood: the tone classifier, the LLM's mood winning when valid, and the shipped loops."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from generation.mood import MOODS, mood_of
from generation.script import write_script
from tests.generation.conftest import FIXTURE_POSTS


@pytest.mark.parametrize(("text", "mood"), [
    ("동생이 게임기 숨겨놓은 장소 찾음 ㅋㅋㅋ 진짜 웃김", "upbeat"),
    ("할머니 생각나서 눈물 났어요 ㅠㅠ", "heartfelt"),
    ("새벽에 문이 열려 있었어요?! 소름 돋았습니다", "tense"),
    ("북한산 백운대 일출 보고 왔다", "calm"),
])
def test_the_mood_follows_the_posts_laughter_tears_and_alarm(text, mood):
    assert mood_of(text) == mood


def test_an_extractive_script_takes_its_mood_from_the_raw_post_with_its_laughter(fixture_post, extractive):
    game = next(e for e in FIXTURE_POSTS if "게임기" in e["title"])

    script = write_script(fixture_post(game))

    assert "ㅋ" not in script.narration  # cleaned away for the voice, still heard by the classifier
    assert script.mood == "upbeat"


@pytest.mark.parametrize("mood", sorted(MOODS))
def test_every_mood_has_a_small_loop_of_its_own(mood):
    loops = sorted(Path(settings.RENDER_BGM_DIR).glob(f"{mood}-*.m4a"))

    assert loops and all(loop.stat().st_size < 500_000 for loop in loops)
