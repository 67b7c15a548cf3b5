"""Two crawls saving the same post at once end with one row (MariaDB pass)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from crawling.base import PostData
from crawling.saving import post_save
from posts.models import Post


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_of_one_post_make_one_row_and_one_update(mariadb_only):
    data = PostData(origin_id="77", url="https://theqoo.net/hot/77", title="같은 글",
                    content="두 크롤러가 동시에 같은 글을 저장하려고 할 때 한 줄만 남아야 합니다 " * 3)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save() -> None:
        try:
            barrier.wait()
            outcomes.append(post_save("theqoo", data))
        finally:
            connection.close()

    threads = [threading.Thread(target=save) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["new", "updated"]
    assert Post.objects.filter(origin_id="77").count() == 1
