"""The inbox shows one row per story, the canonical copy, and names the sites of the other copies."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.posts.conftest import make_post

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:posts_post_changelist")


def row_of(page: str, title: str) -> str:
    row = page[page.index(f">{title}</a>"):]
    return row[: row.index("</tr>")]


def test_copies_are_hidden_and_named_beside_the_best_copy(admin_client):
    best = make_post(title="원본", site_code="theqoo", score=90)
    copy_a = make_post(title="복사 1", site_code="ppomppu", score=10, duplicate_of=best)
    copy_b = make_post(title="복사 2", site_code="dcinside", score=20, duplicate_of=best)
    alone = make_post(title="혼자", score=30)
    response = admin_client.get(CHANGELIST)
    assert [p.title for p in response.context["cl"].result_list] == ["원본", "혼자"]
    page = response.content.decode()
    rows = {title: row_of(page, title) for title in ("원본", "혼자")}
    cell = rows["원본"][rows["원본"].index("field-also_on"):]
    for copy in (copy_a, copy_b):
        link = f'<a href="/admin/posts/post/{copy.pk}/change/">{copy.get_site_code_display()}</a>'
        assert link in cell
    assert cell.index(copy_b.get_site_code_display()) < cell.index(copy_a.get_site_code_display())  # by site
    assert '<td class="field-also_on">Nate Pann</td>' in rows["혼자"]  # its own site, no copies
    assert alone.duplicate_of is None


def test_the_copies_cost_one_query_per_page_not_one_per_row(admin_client):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            admin_client.get(CHANGELIST)
        return len(captured)

    head = make_post(score=90)
    make_post(site_code="theqoo", duplicate_of=head)
    few = queries()
    for n in range(10):
        other = make_post(score=n)
        make_post(site_code="ruliweb", duplicate_of=other)
        make_post(site_code="ppomppu", duplicate_of=other)
    assert queries() == few <= 8
