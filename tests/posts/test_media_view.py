"""The staff-only media view: Range requests for seeking, and refusal of everything else."""

from __future__ import annotations

import os

import pytest
from django.contrib.auth.models import User

pytestmark = pytest.mark.django_db
DATA = bytes(range(256)) * 40  # 10,240 bytes


@pytest.fixture
def video(settings):
    path = settings.MEDIA_ROOT / "posts" / "1" / "video.mp4"
    path.parent.mkdir(parents=True)
    path.write_bytes(DATA)
    return path


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_staff_get_the_whole_file_with_accept_ranges(admin_client, video):
    response = admin_client.get("/staff-media/posts/1/video.mp4")
    assert response.status_code == 200
    assert response["Content-Type"] == "video/mp4"
    assert response["Accept-Ranges"] == "bytes"
    assert body(response) == DATA


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [("bytes=0-99", 0, 99), ("bytes=100-", 100, 10239), ("bytes=-240", 10000, 10239),
     ("bytes=10000-99999", 10000, 10239), ("bytes=5-5", 5, 5)],
)
def test_a_range_request_gets_206_with_exactly_those_bytes(admin_client, video, header, first, last):
    response = admin_client.get("/staff-media/posts/1/video.mp4", headers={"range": header})
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {first}-{last}/{len(DATA)}"
    assert response["Content-Length"] == str(last - first + 1)
    assert response["Accept-Ranges"] == "bytes"
    assert body(response) == DATA[first : last + 1]


@pytest.mark.parametrize("header", ["bytes=10240-", "bytes=20000-30000", "bytes=-0"])
def test_a_range_past_the_end_gets_416(admin_client, video, header):
    response = admin_client.get("/staff-media/posts/1/video.mp4", headers={"range": header})
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(DATA)}"


def test_a_malformed_range_gets_the_whole_file(admin_client, video):
    response = admin_client.get("/staff-media/posts/1/video.mp4", headers={"range": "pages=1-2"})
    assert response.status_code == 200
    assert body(response) == DATA


def test_anonymous_users_are_refused(client, video):
    response = client.get("/staff-media/posts/1/video.mp4")
    assert response.status_code == 403
    assert DATA[:100] not in response.content


def test_logged_in_non_staff_users_are_refused(client, video):
    client.force_login(User.objects.create_user("visitor", password="pw"))
    assert client.get("/staff-media/posts/1/video.mp4").status_code == 403


def test_staff_without_a_posts_role_are_refused(client, video):
    client.force_login(User.objects.create_user("intern", password="pw", is_staff=True))
    assert client.get("/staff-media/posts/1/video.mp4").status_code == 403


def test_a_moderator_may_watch(moderator_client, video):
    assert moderator_client.get("/staff-media/posts/1/video.mp4").status_code == 200


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("TOP SECRET")
    return path


@pytest.mark.parametrize(
    "url",
    [
        "/staff-media/../secret.txt", "/staff-media/posts/../../secret.txt",
        "/staff-media/posts/%2e%2e/%2e%2e/secret.txt",
        "/staff-media/posts/1/..%2f..%2f..%2fsecret.txt", "/staff-media//etc/passwd", "/staff-media/%2fetc%2fpasswd",
        "/staff-media/posts/1/", "/staff-media/posts/1/missing.mp4",
    ],
)
def test_paths_outside_media_root_or_not_files_are_refused(admin_client, video, secret, url):
    response = admin_client.get(url)
    assert response.status_code == 404
    assert b"TOP SECRET" not in body(response) and b"root:" not in body(response)


def test_a_symlink_pointing_out_of_media_root_is_refused(admin_client, video, secret):
    os.symlink(secret, video.parent / "leak.mp4")
    os.symlink(secret.parent, video.parent / "outside")
    assert admin_client.get("/staff-media/posts/1/leak.mp4").status_code == 404
    assert admin_client.get("/staff-media/posts/1/outside/secret.txt").status_code == 404


def test_a_symlink_inside_media_root_is_served(admin_client, video):
    os.symlink(video, video.parent / "alias.mp4")
    assert body(admin_client.get("/staff-media/posts/1/alias.mp4")) == DATA


@pytest.mark.parametrize(("name", "inline"), [
    ("video.mp4", True), ("voice.wav", True), ("thumb.jpg", True),
    ("page.html", False), ("drawing.svg", False), ("notes.txt", False), ("blob.bin", False),
])
def test_media_is_served_with_nosniff_a_strict_csp_and_only_media_inline(admin_client, settings, name, inline):
    path = settings.MEDIA_ROOT / "posts" / "1" / name
    path.parent.mkdir(parents=True)
    path.write_bytes(b"<html><script>alert(document.cookie)</script></html>")

    response = admin_client.get(f"/staff-media/posts/1/{name}")

    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    csp = response["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "sandbox" in csp
    assert response.get("Content-Disposition", "inline").startswith("inline" if inline else "attachment")
