from __future__ import annotations

from datetime import UTC, datetime

from publishing.metadata import metadata_for, shorts_title, tags_for, tags_size, upload_key

INVISIBLE = "\u202e\u200b\u200c\ufeff\u2060\u2066\u2067\u2068\u2069\u200e\u00ad\x07"


def test_title_gets_shorts_when_it_fits_and_stays_within_100_characters():
    assert shorts_title("짧은 제목") == "짧은 제목 #Shorts"
    long = "가" * 95
    assert shorts_title(long) == long
    assert len(shorts_title("나" * 150)) == 100
    assert shorts_title("<b>태그</b> 제목") == "b태그/b 제목 #Shorts"


def test_description_attributes_the_source_and_lists_hashtags(make_rendered):
    post = make_rendered()

    description = metadata_for(post).description

    assert description.startswith("결혼 3년 차인데")
    assert f"출처: Nate Pann {post.url}" in description
    assert description.splitlines()[-1] == "#Shorts #썰 #커뮤니티 #시어머니 #결혼"


def test_hashtags_the_pipeline_already_wrote_into_the_description_appear_once(make_rendered):
    post = make_rendered()
    post.short.description = f"결혼 3년 차인데 문자가 왔습니다.\n\n출처: {post.url}\n#시어머니 #결혼 #쇼츠"
    post.short.save()

    description = metadata_for(post).description

    assert description.count("#시어머니") == 1 and description.count("#결혼") == 1
    assert description.splitlines()[-1] == "#Shorts #썰 #커뮤니티"


def test_body_is_private_unaudited_safe_and_scheduled_when_a_slot_is_given(make_rendered, settings):
    settings.YOUTUBE_PRIVACY_STATUS = "public"
    post = make_rendered()

    body = metadata_for(post, publish_at=datetime(2026, 11, 22, 12, 0, tzinfo=UTC)).to_body()

    assert body["status"] == {"privacyStatus": "private", "publishAt": "2026-11-22T12:00:00Z",
                              "selfDeclaredMadeForKids": False, "containsSyntheticMedia": True}
    assert body["snippet"]["categoryId"] == "24"
    assert metadata_for(post).to_body()["status"]["privacyStatus"] == "public"


def test_key_is_first_tag_and_tags_stay_under_the_limit(make_rendered):
    post = make_rendered()
    tags = tags_for(["태그" * 20] * 1 + [f"t{i}" * 10 for i in range(100)], upload_key(post))

    assert tags[0] == upload_key(post)
    assert tags_size(tags) <= 500


def test_a_description_that_already_names_the_source_is_not_attributed_twice(make_rendered):
    post = make_rendered()
    post.short.description = f"요약입니다.\n출처: 네이트판 {post.url}"
    post.short.save()

    assert metadata_for(post).description.count(post.url) == 1


def test_a_long_korean_description_is_cut_within_5000_bytes_keeping_source_and_hashtags(make_rendered):
    from tests.publishing.fake_youtube import metadata_problem

    post = make_rendered()
    post.short.description = "시어머니가 새벽에 문자를 보냈습니다. " * 120  # ~2,400 characters, ~6,500 bytes
    post.short.save()

    body = metadata_for(post).to_body()

    description = body["snippet"]["description"]
    assert 4900 < len(description.encode()) <= 5000
    assert description.startswith("시어머니가 새벽에")
    assert f"출처: Nate Pann {post.url}" in description
    assert description.splitlines()[-1] == "#Shorts #썰 #커뮤니티 #시어머니 #결혼"
    description.encode().decode()  # cut between characters, never inside one
    assert metadata_problem(body) == ""


def test_tags_are_counted_youtubes_way_quotes_around_spaces_and_commas_between():
    from tests.publishing.fake_youtube import metadata_problem

    tags = tags_for([f"긴 태그 {i:03d}" for i in range(100)], "wb0123456789abcdef")

    assert tags[0] == "wb0123456789abcdef"
    assert sum(len(t) + 2 * (" " in t) for t in tags) + len(tags) - 1 <= 500
    assert len(tags) > 40  # the budget is used, not wasted on a cruder count
    assert metadata_problem({"snippet": {"title": "t", "description": "", "tags": tags}}) == ""


def test_a_pipeline_source_line_without_the_site_name_is_rewritten_with_it(make_rendered):
    post = make_rendered()
    post.short.description = f"결혼 3년 차인데 문자가 왔습니다.\n\n출처: {post.url}\n#시어머니 #결혼 #Shorts"
    post.short.save()

    description = metadata_for(post).description

    assert f"출처: Nate Pann {post.url}" in description
    assert description.count(post.url) == 1
    hashtags = [word for word in description.split() if word.startswith("#")]
    assert len(hashtags) == len({tag.casefold() for tag in hashtags})


def test_youtube_description_keeps_its_lines_but_not_invisible_characters(make_rendered):
    post = make_rendered()
    post.short.description = f"첫 줄\u202e입니다\n둘째\u200b 줄{INVISIBLE}"
    post.short.save()

    description = metadata_for(post).description

    assert description.startswith("첫 줄입니다\n둘째 줄")
    assert not set(description) & set(INVISIBLE)
