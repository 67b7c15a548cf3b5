"""Cross-site copies of one story are linked to the best-scored copy."""

from __future__ import annotations

import pytest

from crawling import duplicates
from crawling.base import PostData
from crawling.saving import post_save
from posts.models import Post

pytestmark = pytest.mark.django_db

STORY = (
    "어제 퇴근길에 지하철에서 있었던 일인데요 옆자리 할아버지가 갑자기 제 어깨에 기대서 주무시는 거예요 "
    "깨우기도 뭐해서 그냥 세 정거장을 그대로 갔는데 내리시면서 사탕 하나를 주시고 고맙다고 하셨어요 "
    "별일 아닌데 하루 종일 기분이 좋았습니다 다들 좋은 하루 보내세요"
)


def save(site: str, origin_id: str, content: str, likes: int = 0) -> Post:
    post_save(site, PostData(origin_id=origin_id, url=f"https://x/{site}/{origin_id}", title="지하철 썰",
                             content=content, likes=likes))
    return Post.objects.get(site_code=site, origin_id=origin_id)


def test_near_identical_bodies_have_close_simhashes_and_different_ones_do_not():
    a = duplicates.simhash(STORY)
    b = duplicates.simhash(STORY.replace("사탕 하나를", "사탕을"))
    other = duplicates.simhash("완전히 다른 이야기 " * 3 + "오늘 점심은 김치찌개였고 저녁은 라면을 먹을 예정입니다")
    assert (a ^ b).bit_count() <= 4
    assert (a ^ other).bit_count() > 10


def test_reposts_on_other_sites_link_to_the_best_scored_copy():
    first = save("theqoo", "1", STORY)
    second = save("instiz", "2", STORY + " (퍼옴)")
    third = save("ppomppu", "3", "전혀 관계없는 글입니다 " + "오늘 날씨가 정말 좋아서 산책을 다녀왔어요 " * 3)
    Post.objects.filter(pk=second.pk).update(score=0.9)
    Post.objects.filter(pk=first.pk).update(score=0.2)
    duplicates.canonicals_refresh()
    for post in (first, second, third):
        post.refresh_from_db()
    assert first.duplicate_of == second
    assert second.duplicate_of is None
    assert third.duplicate_of is None
    assert list(second.duplicates.all()) == [first]


def test_the_canonical_copy_changes_when_scores_change():
    first = save("theqoo", "1", STORY)
    second = save("instiz", "2", STORY)
    Post.objects.filter(pk=first.pk).update(score=1.0)
    Post.objects.filter(pk=second.pk).update(score=0.1)
    duplicates.canonicals_refresh()
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.duplicate_of == first and first.duplicate_of is None


def scored(post: Post, score: float) -> Post:
    Post.objects.filter(pk=post.pk).update(score=score)
    post.refresh_from_db()
    return post


def test_a_declined_copy_that_did_not_lead_is_never_elected_over_an_open_one():
    shown = save("theqoo", "1", STORY)
    repost = save("instiz", "2", STORY)
    repost.apply("decline", reason="declined from its own page")
    scored(repost, 1.0)
    scored(shown, 0.1)
    duplicates.canonicals_refresh()
    shown.refresh_from_db()
    repost.refresh_from_db()
    assert shown.duplicate_of is None and repost.duplicate_of == shown


def test_declining_the_shown_copy_keeps_the_story_out_of_the_inbox():
    shown = save("theqoo", "1", STORY)
    repost = save("instiz", "2", STORY)
    shown.apply("decline", reason="not for us")
    scored(repost, 1.0)
    duplicates.canonicals_refresh()
    shown.refresh_from_db()
    repost.refresh_from_db()
    assert shown.duplicate_of is None and repost.duplicate_of == shown


def test_a_copy_in_production_stays_canonical_when_a_better_copy_appears():
    made = save("theqoo", "1", STORY)
    made.apply("approve")
    made.apply("claim_generation")
    newer = save("instiz", "2", STORY)
    scored(newer, 1.0)
    scored(made, 0.1)
    duplicates.canonicals_refresh()
    made.refresh_from_db()
    newer.refresh_from_db()
    assert made.duplicate_of is None and newer.duplicate_of == made


def test_refresh_after_one_site_only_touches_groups_with_a_copy_there(django_assert_max_num_queries):
    a1, a2 = save("theqoo", "1", STORY), save("instiz", "2", STORY)
    other_story = "완전히 다른 이야기입니다 " + "오늘 점심은 김치찌개였고 저녁은 라면을 먹을 예정입니다 " * 3
    b1, b2 = save("ruliweb", "3", other_story), save("ppomppu", "4", other_story)
    for post, score in ((a1, 0.1), (a2, 0.9), (b1, 0.1), (b2, 0.9)):
        scored(post, score)
    with django_assert_max_num_queries(3):  # one read, at most one UPDATE pair for the changed group
        assert duplicates.canonicals_refresh("theqoo") == 1
    heads = dict(Post.objects.values_list("origin_id", "duplicate_of__origin_id"))
    assert heads["1"] == "2" and heads["2"] is None
    assert heads["4"] == "3"  # the ppomppu/ruliweb group was not re-elected
    with django_assert_max_num_queries(1):  # nothing changed: no UPDATE at all
        duplicates.canonicals_refresh("instiz")
