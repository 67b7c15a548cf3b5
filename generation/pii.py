"""Replace personal data with neutral words before a script is spoken or shown.

Community posts name coworkers ("김민수 대리님"), paste phone numbers and addresses. The video is
public, so every text a script carries goes through ``Scrubber.scrub``. Names are only detectable
next to an honorific or an explicit "이름은"; a bare name in running text is not guessed at,
because guessing turns ordinary words into "A" far more often than it catches a name.
"""

from __future__ import annotations

import re

# Every repeat is bounded (RFC 5321 lengths; Korean place names run a few syllables): an unbounded
# [가-힣]+ tried at each position of a long run without spaces made scrubbing quadratic (81 s for
# 40,000 characters), long enough to stall the one gpu worker.
EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
PHONE_RE = re.compile(r"(?<!\d)(?:\+82[-.\s]?|0)(?:1[016789]|2|[3-6][1-5]|70)[-.\s)]?\d{3,4}[-.\s]?\d{4}(?!\d)")
ROAD_ADDRESS_RE = re.compile(
    r"(?:[가-힣]{1,8}(?:특별시|광역시|특별자치시|도|시)\s)?(?:[가-힣]{1,8}(?:시|군|구)\s){0,3}"
    r"[가-힣0-9]{1,12}(?:로|길)\s?\d+(?:-\d+)?(?:번길\s?\d+(?:-\d+)?)?"
)
LOT_ADDRESS_RE = re.compile(r"[가-힣]{1,8}[동리가]\s?\d+(?:-\d+)?\s?번지")
UNIT_ADDRESS_RE = re.compile(r"\d+동\s?\d+호")

SURNAMES = (
    "김이박최정강조윤장임한오서신권황안송류유전홍고문양손배백허남심노하곽성차주우구민진나지엄채원천방공현함변염"
    "여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용예경봉"
)
TITLES = (
    "선생님|선생|대리님|대리|과장님|과장|부장님|부장|차장님|차장|팀장님|팀장|사장님|사장|실장님|실장|"
    "주임님|주임|교수님|원장님|기자님|기자|변호사님|씨|님|군|양"
)
# After the title only a particle may follow: "양식" or "군데" are words, "김양이" is a person.
HONORIFIC_NAME_RE = re.compile(
    rf"(?<![가-힣])([{SURNAMES}])([가-힣]{{0,2}}?)(\s?)({TITLES})(?=[^가-힣]|$|[이가은는을를의도께에한랑와과])"
)
INTRODUCED_NAME_RE = re.compile(
    rf"(이름은|이름이)\s([{SURNAMES}][가-힣]{{2}})(?=입니다|이에요|예요|이고|라고|이라|\s|[.,!?]|$)"
)
# Words that look like surname + given name before an honorific but are ordinary nouns.
_NOT_NAMES = (
    "고객 기사 사장 부장 과장 차장 팀장 실장 원장 교수 선생 주임 대리 사원 손 형 누 "
    "어머 아버 할머 할아버 동생 언니 오빠 조카 장모 장인 시어머 시아버 며느 사위 이모 "
    "고모 삼촌 작가 감독 배우 가수 의사 기자 변호사 경찰 알바 알바생 주인 사모 도련 아가 "
    "여보 당신 누구 그분 이분 저분 여러분 햏자 택배기사 부모 자녀 아드 따님 신부 신랑 "
    "예랑 예신 남편 아내 친구 선배 후배 제자 환자 회원 작가 편집 관리자 운영자 대표 회장 "
    "총장 반장 서방 도령 형수 제수 매형 처형 처제 시누 올케 고객센터 상담사 원어민 장군 "
    "진짜 지금 오늘 내일 마음 정부 유튜버 스트리머 "
)
NOT_NAMES = frozenset(_NOT_NAMES.split())
LABELS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


class Scrubber:
    """One scrubber per script, so the same person is "A" in every sentence."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def scrub(self, text: str) -> str:
        text = EMAIL_RE.sub("이메일 주소", text)
        text = PHONE_RE.sub("전화번호", text)
        text = UNIT_ADDRESS_RE.sub("어느 집", text)
        text = LOT_ADDRESS_RE.sub("어느 동네", text)
        text = ROAD_ADDRESS_RE.sub("어느 동네", text)
        text = INTRODUCED_NAME_RE.sub(lambda m: f"{m[1]} {self._label(m[2])}", text)
        return HONORIFIC_NAME_RE.sub(self._replace_honorific, text)

    def _replace_honorific(self, m: re.Match) -> str:
        surname, given, space, title = m[1], m[2], m[3], m[4]
        if surname + given in NOT_NAMES or given in NOT_NAMES:
            return m[0]
        # A surname alone counts only before a polite job title: "김대리님" yes, "주차장" no.
        if not given and not (title.endswith("님") and len(title) > 1):
            return m[0]
        # "김대리님" names a person by surname and title: mask the surname alone.
        return f"{self._label(surname + given)}{space}{title}"

    def _label(self, name: str) -> str:
        if name not in self.names:
            self.names[name] = LABELS[len(self.names) % len(LABELS)]
        return self.names[name]


def scrub(text: str) -> str:
    return Scrubber().scrub(text)


def mask_nickname(nickname: str) -> str:
    """Show a commenter as "결****": enough to tell comments apart, not enough to find the account."""
    nickname = nickname.strip()
    if len(nickname) <= 1 or set(nickname) <= {"ㅇ"}:
        return nickname or "익명"
    return nickname[0] + "*" * min(len(nickname) - 1, 4)
