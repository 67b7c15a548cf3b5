"""Personal data is replaced with neutral words; ordinary words that look like names are kept."""

from __future__ import annotations

import pytest

from generation.pii import Scrubber, mask_nickname, scrub

CASES = [
    ("김민수씨가 왔어요", "A씨가 왔어요"),
    ("박지현 과장님이 말했다", "A 과장님이 말했다"),
    ("김대리님 죄송해요", "A대리님 죄송해요"),
    ("제 이름은 김민수입니다", "제 이름은 A입니다"),
    ("연락처 010-1234-5678", "연락처 전화번호"),
    ("01012345678로 문자", "전화번호로 문자"),
    ("사무실 02-555-1234", "사무실 전화번호"),
    ("+82 10 9876 5432 로", "전화번호 로"),
    ("메일 kim.minsu@example.com 로", "메일 이메일 주소 로"),
    ("서울시 강남구 테헤란로 123 근처", "어느 동네 근처"),
    ("역삼동 123-45번지", "어느 동네"),
    ("101동 1203호 살아요", "어느 집 살아요"),
    # ordinary words that start with a surname syllable stay
    ("고객님 감사합니다", "고객님 감사합니다"),
    ("선생님이 오셨다", "선생님이 오셨다"),
    ("손님이 많다", "손님이 많다"),
    ("고양이가 귀엽다", "고양이가 귀엽다"),
    ("도선사 주차장에서 출발", "도선사 주차장에서 출발"),
    ("택배기사님 죄송합니다", "택배기사님 죄송합니다"),
    ("계약금 300만원", "계약금 300만원"),
    ("2026년 9월 22일", "2026년 9월 22일"),
]


@pytest.mark.parametrize(("text", "scrubbed"), CASES, ids=[c[0] for c in CASES])
def test_scrub_replaces_personal_data(text, scrubbed):
    assert scrub(text) == scrubbed


def test_one_scrubber_gives_each_person_one_label_across_sentences():
    scrubber = Scrubber()
    assert scrubber.scrub("김민수씨랑 이영희 선생님") == "A씨랑 B 선생님"
    assert scrubber.scrub("다음 날 김민수씨가") == "다음 날 A씨가"


NICKNAMES = [("결혼10년차", "결****"), ("판녀1", "판**"), ("ㅇㅇ", "ㅇㅇ"), ("", "익명")]


@pytest.mark.parametrize(("nickname", "masked"), NICKNAMES)
def test_commenter_nicknames_are_masked(nickname, masked):
    assert mask_nickname(nickname) == masked
