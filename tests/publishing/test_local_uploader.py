from __future__ import annotations

import json
from pathlib import Path

from publishing import tasks
from publishing.metadata import upload_key
from publishing.uploaders import get_uploader
from publishing.uploaders.local import LocalUploader


def test_local_upload_exports_video_thumbnail_and_metadata_sidecar(make_rendered, settings):
    post = make_rendered()

    assert tasks.upload(post.pk) is True

    post.refresh_from_db()
    folder = Path(settings.MEDIA_ROOT) / "exports" / upload_key(post)
    assert post.status == "UPLOADED"
    assert post.uploads.get().video_id == upload_key(post)
    assert post.uploads.get().url == (folder / "video.mp4").resolve().as_uri()
    assert (folder / "video.mp4").read_bytes() == (Path(settings.MEDIA_ROOT) / post.short.video_path).read_bytes()
    assert (folder / "thumbnail.jpg").read_bytes().startswith(b"\xff\xd8")
    sidecar = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    assert sidecar["title"] == "시어머니가 보낸 문자 한 통 #Shorts"
    assert sidecar["synthetic_media"] is True and sidecar["made_for_kids"] is False
    assert "https://pann.nate.com/talk/" in sidecar["description"]


def test_local_export_dir_setting_is_used_and_find_sees_a_finished_export(make_rendered, settings, tmp_path):
    settings.PUBLISH_EXPORT_DIR = str(tmp_path / "out")
    post = make_rendered()
    uploader = LocalUploader()
    assert uploader.find(upload_key(post)) is None

    tasks.upload(post.pk)

    assert (tmp_path / "out" / upload_key(post) / "metadata.json").is_file()
    assert uploader.find(upload_key(post))["platform_id"] == upload_key(post)


def test_local_delete_removes_the_export(make_rendered, settings):
    post = make_rendered()
    tasks.upload(post.pk)
    uploader = LocalUploader()

    uploader.delete(upload_key(post))

    assert uploader.find(upload_key(post)) is None
    assert not (Path(settings.MEDIA_ROOT) / "exports" / upload_key(post)).exists()


def test_missing_video_file_fails_permanently(make_rendered, settings):
    post = make_rendered()
    (Path(settings.MEDIA_ROOT) / post.short.video_path).unlink()

    tasks.upload(post.pk)

    post.refresh_from_db()
    assert (post.status, post.error_code, post.error_permanent) == ("FAILED", "UPLOAD_REJECTED", True)


def test_registry_follows_the_uploader_setting(settings):
    settings.UPLOADER = "youtube"
    assert get_uploader().name == "youtube"
    assert get_uploader("local").name == "local"
