"""The one interface every uploader implements, and the one error type of publishing."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path

from publishing.metadata import Metadata

Progress = Callable[[int, int], None]


class UploadError(Exception):
    """An upload, lookup or delete that did not work; ``permanent`` ones are not retried."""

    def __init__(self, message: str, *, permanent: bool = False, reached: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.reached = reached  # did the failed request reach the platform (and cost quota)?


class AuthError(UploadError):
    """No usable credentials (token missing or revoked): a person must run ``youtube_auth``."""


class UploadLimited(UploadError):
    """The channel uploaded as much as the platform allows over a rolling window: wait, back off."""


class ManualTakeDown(UploadError):
    """The platform offers no API to delete the video: a person must delete it in the platform's app."""


class Checkpoint:
    """Where an uploader keeps its resumable state so a later process can continue.

    ``save`` is called with the whole state after every change; the publishing flow stores it on
    ``Upload.session`` so a killed worker's successor resumes instead of starting over.
    """

    def __init__(self, state: dict | None = None, save: Callable[[dict], None] | None = None) -> None:
        self.state = dict(state or {})
        self._save = save

    def update(self, **changes) -> None:
        self.state.update(changes)
        if self._save:
            self._save(dict(self.state))

    def clear(self) -> None:
        self.state = {}
        if self._save:
            self._save({})


class Uploader(ABC):
    name: str = ""
    # stats() answers for every video the platform still has: a missing one was removed.
    lists_videos: bool = False
    # stats() brings views, likes and comments; without them it only follows processing, so the
    # refresh asks only about videos still processing.
    counters: bool = True

    @abstractmethod
    def upload(
        self, video_path: Path, metadata: Metadata, *, checkpoint: Checkpoint | None = None,
        progress: Progress | None = None,
    ) -> dict:
        """Publish the video; returns ``{"platform_id": str, "url": str}``.

        Uploaders that know what the platform made of the video add ``"processing"`` (uploaded,
        processed, rejected, failed) and ``"reason"`` (the platform's rejection or failure reason);
        ``find``, ``lookup`` and ``stats`` entries carry the same two keys.
        """

    @abstractmethod
    def delete(self, platform_id: str) -> None:
        """Remove a published video; a video already gone is not an error.

        ``ManualTakeDown`` when the platform has no delete API and a person must do it.
        """

    @abstractmethod
    def find(self, key: str) -> dict | None:
        """The ``{"platform_id", "url"}`` of an earlier upload carrying ``key``, if there is one."""

    def lookup(self, platform_id: str) -> dict | None:
        """The ``{"platform_id", "url"}`` of a video known by id, if the platform still has it."""
        return None

    def stats(self, platform_ids: list[str]) -> dict[str, dict]:
        """``{platform_id: {"views", "likes", "comments"}}``; uploaders without counters return {}.

        A video the platform no longer has is absent from the answer.
        """
        return {}

    def thumbnail_set(self, platform_id: str, thumbnail_path: str) -> bool:
        """Give the published video its thumbnail; False when it did not work (tried again later).

        Uploaders that place the thumbnail with the video itself have nothing more to do.
        """
        return True

    def problem(self) -> str:
        """Why this uploader cannot work right now (shown in the admin), or "" when it can."""
        return ""


def existing_video(video_path: Path) -> Path:
    """The video to upload; a missing file is permanent: retrying cannot bring it back."""
    video_path = Path(video_path)
    if not video_path.is_file():
        raise UploadError(f"video file {video_path} does not exist", permanent=True)
    return video_path
