"""Export folder uploader: for the demo and for operators without a channel."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from django.conf import settings

from publishing.metadata import Metadata
from publishing.uploaders.base import Checkpoint, Progress, Uploader, existing_video

SIDECAR = "metadata.json"


def export_root() -> Path:
    return Path(settings.PUBLISH_EXPORT_DIR or Path(settings.MEDIA_ROOT) / "exports")


class LocalUploader(Uploader):
    """Copies video, thumbnail and a JSON sidecar to ``<export dir>/<key>/``.

    The folder is named by the upload key, so a second run replaces the same export instead of
    adding another; the sidecar is written last, which makes its presence mean "complete".
    """

    name = "local"

    def upload(
        self, video_path: Path, metadata: Metadata, *, checkpoint: Checkpoint | None = None,
        progress: Progress | None = None,
    ) -> dict:
        video_path = existing_video(video_path)
        folder = export_root() / metadata.key
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(video_path, folder / "video.mp4")
        if metadata.thumbnail_path and Path(metadata.thumbnail_path).is_file():
            shutil.copyfile(metadata.thumbnail_path, folder / "thumbnail.jpg")
        sidecar = folder / f"{SIDECAR}.part"
        sidecar.write_text(json.dumps(metadata.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
        sidecar.replace(folder / SIDECAR)
        size = video_path.stat().st_size
        if progress:
            progress(size, size)
        return self._result(metadata.key)

    def delete(self, platform_id: str) -> None:
        shutil.rmtree(export_root() / platform_id, ignore_errors=True)

    def find(self, key: str) -> dict | None:
        return self._result(key) if (export_root() / key / SIDECAR).is_file() else None

    def _result(self, key: str) -> dict:
        return {"platform_id": key, "url": (export_root() / key / "video.mp4").resolve().as_uri()}
