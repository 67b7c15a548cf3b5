"""The Korean normaliser, one row per reading rule."""

from __future__ import annotations

import pytest

from generation.speech import normalize

CASES = [
    # money, Sino-Korean
    ("3만원", "삼만 원"),
    ("300만원 넣었고", "삼백만 원 넣었고"),
    ("1,500원", "천오백 원"),
    ("10000원", "만 원"),
    ("1억 5천만원", "일억 오천만 원"),
    ("축의금 10만 원", "축의금 십만 원"),
    # dates
    ("2024년", "이천이십사 년"),
    ("2026년 9월 22일", "이천이십육 년 구 월 이십이 일"),
    ("6월에", "유월에"),
    ("10월 말", "시월 말"),
    ("결혼 3주 전", "결혼 삼 주 전"),
    ("5년차", "오 년차"),
    ("3개월", "삼 개월"),
    # percent and measures
    ("50%", "오십 퍼센트"),
    ("3.5%", "삼 점 오 퍼센트"),
    ("5kg 빠짐", "오 킬로그램 빠짐"),
    # clock: native hours, Sino minutes
    ("3시", "세 시"),
    ("12시 30분", "열두 시 삼십 분"),
    ("06:21 해 뜨는 순간", "여섯 시 이십일 분 해 뜨는 순간"),
    ("4시간 10분", "네 시간 십 분"),
    ("3~5시간", "세 시간에서 다섯 시간"),
    # counts, native up to 99
    ("두 명 vs 2명", "두 명 대 두 명"),
    ("다섯 개 = 5개", "다섯 개 다섯 개"),
    ("5살 말티즈", "다섯 살 말티즈"),
    ("21살", "스물한 살"),
    ("20마리", "스무 마리"),
    ("계란 2개", "계란 두 개"),
    ("하객 150명", "하객 백오십 명"),
    ("1번째", "첫 번째"),
    ("100번은", "백 번은"),
    ("3대 있음", "세 대 있음"),
    ("20대 사이에서", "이십 대 사이에서"),
    ("0개", "영 개"),
    # bare numbers are Sino-Korean
    ("계약금 300은", "계약금 삼백은"),
    ("30 vs 50", "삼십 대 오십"),
    # laughter, crying, emoji, emoticons dropped
    ("웃겨 ㅋㅋㅋㅋ", "웃겨"),
    ("ㅎㅎ 감사", "감사"),
    ("눈물 ㅠㅠㅠ 버튼", "눈물 버튼"),
    ("강아지 🐶 최고 😂😂", "강아지 최고"),
    ("좋아요 ❤️", "좋아요"),
    ("싸우자고 결혼하는 건 아니니까요 ^^", "싸우자고 결혼하는 건 아니니까요"),
    ("계산기 앱 켬;;", "계산기 앱 켬"),
    # acronyms in Hangul
    ("MBTI 뭐예요?", "엠비티아이 뭐예요?"),
    ("PC방", "피시방"),
    ("CCTV 확인", "씨씨티브이 확인"),
    ("카페 TOP 5", "카페 티오피 오"),
    ("SNS에 올림", "에스엔에스에 올림"),
    ("A씨가", "에이씨가"),
    ("퇴사 D-1인데", "퇴사 디 마이너스 일인데"),
    ("feat. 알바생", "feat. 알바생"),
    # URLs removed
    ("영상 https://youtu.be/abc?x=1 보세요", "영상 보세요"),
    ("www.example.com 참고", "참고"),
    # punctuation collapsed
    ("진짜!!!", "진짜!"),
    ("뭐라고??", "뭐라고?"),
    ("뭐라고?!?!", "뭐라고?"),
    ("그래서...... 결국", "그래서... 결국"),
    ("그래서…… 결국", "그래서... 결국"),
    ("음,,, 글쎄", "음, 글쎄"),
    ("안녕~~~ 반가워", "안녕 반가워"),
    ("(+후기 추가)", "후기 추가"),
    ("A&B 둘 중", "에이 앤 비 둘 중"),
]


@pytest.mark.parametrize(("text", "spoken"), CASES, ids=[c[0] for c in CASES])
def test_normalize_reads_korean_text_aloud(text, spoken):
    assert normalize(text) == spoken


def test_normalizer_table_has_at_least_forty_rows():
    assert len(CASES) >= 40
