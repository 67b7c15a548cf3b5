"""A post whose page lost its title block is saved incomplete, named as such to moderators, and
not lost; a post page without a body is still a recorded failure."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from crawling.fixture_server import FixtureServer
from crawling.runs import site_crawl
from posts.models import Post

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:posts_post_changelist")


@pytest.fixture
def admin_client(admin_client, settings):
    # Tests run with DEBUG off and no collectstatic: serve static names without the manifest.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    return admin_client


def crawl_theqoo(folder):
    with FixtureServer(folder) as server:
        return site_crawl("theqoo", base_url=server.base_url("theqoo"), robots_policy="ignore")


def test_a_post_without_its_title_block_is_saved_incomplete_and_shown_so_in_the_inbox(site_folder, admin_client):
    page = site_folder / "theqoo" / "post_4361027745.html"
    text = page.read_text("utf-8").replace("theqoo_document_header", "header_v2").replace('class="title"', "")
    page.write_text(text, "utf-8")
    run = crawl_theqoo(site_folder)
    assert not run.failures.exclude(error__contains="HTTP 404").exists()  # only two posts have a page
    post = Post.objects.get(site_code="theqoo", origin_id="4361027745")
    assert post.missing_fields == ["title"] and post.incomplete
    assert post.parse_sources["views"] == "div.count_container i.fa-eye@tail"
    assert not Post.objects.get(site_code="theqoo", origin_id="4361019832").incomplete

    listing = admin_client.get(CHANGELIST + "?parsed=incomplete")
    assert [p.pk for p in listing.context["cl"].result_list] == [post.pk]
    assert 'title="not found on the page: title">incomplete</span>' in listing.content.decode()
    complete = admin_client.get(CHANGELIST + "?parsed=complete")
    assert post.pk not in [p.pk for p in complete.context["cl"].result_list]
    detail = admin_client.get(reverse("admin:posts_post_change", args=[post.pk])).content.decode().lower()
    assert "not found on the page" in detail


def test_a_post_page_without_a_body_is_a_recorded_failure(site_folder):
    page = site_folder / "theqoo" / "post_4361027745.html"
    text = re.sub(r"<article[^>]*>.*?</article>", "", page.read_text("utf-8"), flags=re.S)
    page.write_text(text, "utf-8")
    run = crawl_theqoo(site_folder)
    assert "missing body" in run.failures.exclude(error__contains="HTTP 404").get().error
    assert not Post.objects.filter(origin_id="4361027745").exists()
