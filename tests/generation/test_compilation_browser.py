"""Ordering a compilation in Debian's Chromium: dragging an item by its handle and moving one with
the keyboard save the new ranks; a post found by the search is added."""

from __future__ import annotations

import pytest

from posts.models import Status
from tests.factories import make_compilation, make_post
from tests.posts.test_browser import browser_page, log_in  # noqa: F401 - the page fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROWS = "#items-group tbody tr.form-row:not(.empty-form)"


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest storage of DEBUG=false needs collectstatic; the live server serves the sources.
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


def ranked(compilation) -> list[int]:
    return list(compilation.items.order_by("rank").values_list("post_id", flat=True))


def wait_saved(page, order: list[int]) -> None:
    """Until the page reports this order saved: the request has answered, so the database holds it."""
    expected = ",".join(map(str, order))
    page.wait_for_function(
        "expected => { const s = document.getElementById('compilation-order-status');"
        " return s.dataset.state === 'saved' && s.dataset.order === expected; }", arg=expected)


def test_dragging_and_the_keyboard_reorder_the_items_and_save_the_ranks(browser_page, live_server):  # noqa: F811
    page, base = browser_page, live_server.url
    compilation = make_compilation(count=3)
    first, second, third = ranked(compilation)
    log_in(page, base)
    page.goto(f"{base}/admin/generation/compilation/{compilation.pk}/change/")
    rows = page.locator(ROWS)

    rows.nth(2).locator(".rank-handle").drag_to(rows.nth(0), target_position={"x": 20, "y": 3})
    wait_saved(page, [third, first, second])
    assert ranked(compilation) == [third, first, second]
    assert page.locator(f"{ROWS} td.field-rank p").all_inner_texts() == ["1", "2", "3"]

    rows.nth(0).locator("textarea").focus()  # Alt+↓ anywhere in the row
    page.keyboard.press("Alt+ArrowDown")
    wait_saved(page, [first, third, second])
    rows.nth(2).locator(".rank-handle").focus()  # plain ↑ on the focused handle
    page.keyboard.press("ArrowUp")
    wait_saved(page, [first, second, third])
    assert ranked(compilation) == [first, second, third]
    assert page.evaluate("document.activeElement.classList.contains('rank-handle')")  # focus stays for the next key

    page.locator(".rank-up").nth(2).click()
    wait_saved(page, [first, third, second])
    assert ranked(compilation) == [first, third, second]


def test_a_post_found_by_the_search_is_added_last(browser_page, live_server):  # noqa: F811
    page, base = browser_page, live_server.url
    compilation = make_compilation(count=2)
    wanted = make_post(status=Status.UPLOADED, title="고양이가 돌아왔다", score=0.5)
    make_post(status=Status.RENDERED, title="강아지 산책", score=0.9)
    log_in(page, base)
    page.goto(f"{base}/admin/generation/compilation/{compilation.pk}/change/")

    page.fill("#compilation-candidates input[name=q]", "고양이")
    with page.expect_navigation():
        page.click("#compilation-candidates button[type=submit]:has-text('Search')")
    assert page.locator("#compilation-candidates tbody tr").count() == 1
    with page.expect_navigation():
        page.click(f"#compilation-candidates tr[data-post='{wanted.pk}'] button")

    assert "‘고양이가 돌아왔다’ added" in page.locator(".messagelist").inner_text()
    assert page.locator("#compilation-candidates input[name=q]").input_value() == "고양이"
    assert ranked(compilation)[-1] == wanted.pk and page.locator(ROWS).count() == 3
