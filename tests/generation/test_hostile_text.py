"""Text that would waste or stall the one gpu worker: invisible characters, glyphs the font lacks,
and long runs without spaces that made the PII scrubber quadratic."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from generation.glyphs import GlyphError
from generation.normalize import clean, normalize
from generation.pii import scrub
from generation.pipeline import failure_for
from generation.script import script_from_text, write_script
from posts.lifecycle import Failure
from publishing.metadata import shorts_title, tags_for
from tests.conftest import require
from tests.factories import make_post

INVISIBLE = "\u202e\u200b\u200c\ufeff\u2060\u2066\u2067\u2068\u2069\u200e\u00ad\x07"


@pytest.fixture
def font(settings) -> Path:
    path = Path(settings.RENDER_FONT_PATH)
    require(path.is_file(), f"the subtitle font {path}")
    return path


@pytest.fixture
def extractive(settings):
    settings.SCRIPT_WRITER = "extractive"


@pytest.mark.parametrize("char", list(INVISIBLE))
def test_format_and_control_characters_are_neither_spoken_nor_shown(char):
    text = f"시어머니가{char} 문자를 보냈{char}어요"

    assert clean(text) == "시어머니가 문자를 보냈어요"
    assert normalize(text) == "시어머니가 문자를 보냈어요"


@pytest.mark.django_db
def test_a_post_full_of_invisible_characters_passes_the_glyph_check(font, extractive):
    post = make_post(
        title=f"\ufeff시어머니가{INVISIBLE} 보낸 문자", content=f"오늘\u200b 새벽에\u2060 문자가 왔어요.{INVISIBLE}"
    )

    script = write_script(post)

    assert not set(script.narration) & set(INVISIBLE)


@pytest.mark.django_db
def test_a_narration_the_font_cannot_draw_fails_permanently_before_speech(font, extractive):
    post = make_post(title="새로 배운 인사말", content="에티오피아 친구가 ሰላም 이라고 인사를 했어요.")
    started = time.monotonic()

    with pytest.raises(GlyphError, match=r"no glyph for .*ሰ \(U\+1230\)") as failed:
        write_script(post)

    assert failed.value.permanent and failure_for(failed.value) is Failure.RENDER_INVALID
    assert time.monotonic() - started < 1


@pytest.mark.django_db
def test_an_edited_narration_the_font_cannot_draw_fails_permanently(font):
    with pytest.raises(GlyphError) as failed:
        script_from_text("친구가 ሰላም 이라고 했어요. 무슨 뜻일까요?", make_post())

    assert failed.value.permanent


def hangul_run(size: int) -> str:
    rng = random.Random(size)
    return "".join(chr(rng.randint(0xAC00, 0xD7A3)) for _ in range(size))


def test_scrubbing_a_long_run_without_spaces_takes_linear_time():
    started = time.monotonic()
    scrub(hangul_run(40_000))

    assert time.monotonic() - started < 2  # quadratic patterns took about a minute here


def test_bounded_patterns_still_catch_addresses_and_emails_inside_long_runs():
    run = hangul_run(5_000)

    scrubbed = scrub(f"{run} 서울특별시 강남구 테헤란로 123 {run} minsu.kim@example.com {run} 역삼동 12-3번지")

    assert "테헤란로" not in scrubbed and "example.com" not in scrubbed and "번지" not in scrubbed
    assert scrubbed.count("어느 동네") == 2 and "이메일 주소" in scrubbed


@pytest.mark.django_db
def test_a_long_body_is_scripted_quickly(extractive):
    post = make_post(title="아주 긴 글", content=f"첫 문장은 평범해요. {hangul_run(200_000)}. 마지막 문장도 평범해요.")
    started = time.monotonic()

    script = write_script(post)

    assert time.monotonic() - started < 10
    assert "평범해요" in script.narration


def test_youtube_metadata_carries_no_bidi_or_control_characters():
    title = shorts_title(f"\u202e시어머니\u200b가 보낸\x07 문자{INVISIBLE}")
    tags = tags_for([f"시어머니{INVISIBLE}", "결혼\u2066"], "wbkey")

    assert title == "시어머니가 보낸 문자 #Shorts"
    assert tags == ["wbkey", "시어머니", "결혼"]

