"""Images cached at crawl time: fetched through the crawler, re-encoded, thumbnailed, recorded."""

from __future__ import annotations

import pytest
from django.urls import reverse
from PIL import Image

from crawling.images import THUMBNAIL_SIDE, images_cache_run, post_images_cache
from crawling.runs import site_crawl
from crawling.sites.theqoo import Theqoo
from posts.models import Post, PostImage
from tests.generation.test_images import Server, jpeg_bytes

pytestmark = pytest.mark.django_db


def crawl(fixture_server, site: str, **kwargs):
    return site_crawl(site, base_url=fixture_server.base_url(site), robots_policy="ignore", **kwargs)


def test_crawled_fixture_posts_get_images_and_thumbnails(fixture_server, settings):
    crawl(fixture_server, "theqoo")

    post = Post.objects.get(site_code="theqoo", origin_id="4361027745")
    rows = list(post.image_files.all())
    assert [row.source_url for row in rows] == post.images == [
        "https://img-cdn.theqoo.net/vKQxPz.jpg", "https://img-cdn.theqoo.net/bHdWsL.jpg"
    ]
    assert [row.error for row in rows] == ["", ""]
    for row in rows:
        with Image.open(settings.MEDIA_ROOT / row.file) as image:
            assert (image.format, image.size) == ("JPEG", (row.width, row.height))
        with Image.open(settings.MEDIA_ROOT / row.thumbnail) as thumb:
            assert thumb.format == "JPEG" and max(thumb.size) == THUMBNAIL_SIDE
        assert row.bytes == (settings.MEDIA_ROOT / row.file).stat().st_size > 0
    png = PostImage.objects.get(post__origin_id="4361019832")
    assert png.file.endswith(".jpg") and (png.width, png.height) == (720, 540)  # a PNG re-encoded


def test_a_failed_image_is_recorded_and_skipped_and_the_post_is_saved(fixture_server):
    run = crawl(fixture_server, "nate_pann")  # its fixtures have no image files: every image answers 404

    assert run.new == 3 and not run.failures.filter(error__contains="image").exists()
    rows = PostImage.objects.filter(post__site_code="nate_pann")
    assert rows.count() == 3
    assert all("HTTP 404" in row.error and not row.file and not row.thumbnail for row in rows)


def test_the_inbox_shows_each_crawled_posts_first_thumbnail(fixture_server, admin_client, settings):
    # The manifest storage of DEBUG=false needs collectstatic; tests render admin pages without it.
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    crawl(fixture_server, "ruliweb")

    page = admin_client.get(reverse("admin:posts_post_changelist")).content.decode()
    for post in Post.objects.all():
        first = post.image_files.order_by("position").first()
        assert f'src="/staff-media/{first.thumbnail}"' in page
    assert admin_client.get(f"/staff-media/{first.thumbnail}").status_code == 200


def test_images_are_capped_per_post_and_fetched_only_once(fixture_server, settings):
    settings.CRAWL_MAX_IMAGES = 1
    crawl(fixture_server, "ruliweb")
    before = list(PostImage.objects.values_list("pk", "post_id", "position", "fetched_at"))

    crawl(fixture_server, "ruliweb")

    assert list(PostImage.objects.values_list("pk", "post_id", "position", "fetched_at")) == before
    assert {position for _, _, position, _ in before} == {0} and len(before) == 2


def test_a_run_out_of_image_budget_leaves_the_posts_for_the_next_run(fixture_server, settings):
    settings.CRAWL_IMAGES_BUDGET_SECONDS = 0
    crawl(fixture_server, "theqoo")
    assert not PostImage.objects.exists()

    crawler = Theqoo(base_url=fixture_server.base_url("theqoo"), robots_policy="ignore")
    assert images_cache_run(crawler, budget=60) == 2
    assert PostImage.objects.exclude(file="").count() == 3


@pytest.fixture
def image_host(settings):
    """A loopback image host that keeps each request's headers, trusted as a public host."""
    settings.IMAGE_FETCH_ALLOW_NETWORKS = ["127.0.0.1/32"]
    settings.CRAWL_MIN_DELAY_SECONDS = 0
    server = Server("127.0.0.1")
    server.headers = []

    def answer(handler) -> None:
        server.headers.append(dict(handler.headers))
        body = jpeg_bytes()
        handler.send_response(200)
        handler.send_header("Content-Type", "image/jpeg")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    server.routes["/a.jpg"] = answer
    server.routes["/big.jpg"] = (200, {"Content-Type": "image/jpeg"}, b"\xff" * 5000)
    yield server
    server.close()


class HotlinkProtected(Theqoo):
    image_referer = True


@pytest.mark.parametrize(("crawler", "referer"), [(Theqoo, None), (HotlinkProtected, "https://theqoo.net/hot/1")])
def test_the_post_page_is_the_referer_only_where_the_site_requires_it(image_host, crawler, referer):
    post = Post.objects.create(site_code="theqoo", origin_id="1", url="https://theqoo.net/hot/1", title="t",
                               images=[f"{image_host.url}/a.jpg"])

    rows = post_images_cache(crawler(), post)

    assert rows[0].file and image_host.headers[0].get("Referer") == referer


def test_images_over_the_size_cap_or_refused_by_the_address_guard_are_recorded(image_host, settings):
    settings.IMAGE_FETCH_MAX_BYTES = 1000
    post = Post.objects.create(site_code="theqoo", origin_id="1", url="https://theqoo.net/hot/1", title="t",
                               images=[f"{image_host.url}/big.jpg", "http://169.254.169.254/latest/meta-data/"])

    rows = post_images_cache(Theqoo(), post)

    assert ["larger than 1000 bytes" in rows[0].error, "non-public address" in rows[1].error] == [True, True]
    assert image_host.hits == ["/big.jpg"]
