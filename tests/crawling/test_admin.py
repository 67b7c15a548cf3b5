"""Crawl runs and their failures are visible in the admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from crawling.models import CrawlRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, django_user_model, settings):
    # Tests run with DEBUG off and no collectstatic: serve static names without the manifest.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    user = django_user_model.objects.create_superuser("boss", "boss@example.com", "pw-long-enough-123")
    client.force_login(user)
    return client


def test_a_run_page_lists_its_failures(staff_client):
    run = CrawlRun.objects.create(site_code="theqoo", pages=3, new=2)
    run.failure_add("https://theqoo.net/hot/1", "HTTP 500 for https://theqoo.net/hot/1")
    run.finish()
    page = staff_client.get(reverse("admin:crawling_crawlrun_change", args=[run.pk]))
    assert page.status_code == 200
    assert "HTTP 500 for https://theqoo.net/hot/1" in page.content.decode()


def test_the_failure_changelist_shows_url_and_reason(staff_client):
    run = CrawlRun.objects.create(site_code="ruliweb")
    run.failure_add("https://bbs.ruliweb.com/best/board/300143/read/9", ValueError("missing body"))
    page = staff_client.get(reverse("admin:crawling_crawlfailure_changelist"))
    assert page.status_code == 200
    assert "ValueError: missing body" in page.content.decode()
    listing = staff_client.get(reverse("admin:crawling_crawlrun_changelist"))
    assert listing.status_code == 200 and "ruliweb" in listing.content.decode()
