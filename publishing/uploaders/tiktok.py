"""TikTok uploader: a direct post through the Content Posting API, resumable and never twice.

Facts taken from TikTok's documentation (developers.tiktok.com, read through the search tool):
- Direct Post reference: query ``POST /v2/post/publish/creator_info/query/`` first
  (``privacy_level_options``, ``max_video_post_duration_sec``; 20 requests a minute), then
  ``POST /v2/post/publish/video/init/`` with ``post_info`` and ``source_info`` {source:
  FILE_UPLOAD, video_size, chunk_size, total_chunk_count}; it answers ``publish_id`` and
  ``upload_url``. Init is limited to 6 requests a minute per user token. "All content posted by
  unaudited clients will be restricted to private viewing mode": privacy SELF_ONLY until audited.
- Media Transfer Guide: chunks of 5 MB to 64 MB, the final one may be larger (up to 128 MB) to
  take the trailing bytes; ``total_chunk_count`` = video_size // chunk_size; a file under 5 MB is
  one chunk of its own size; 1 to 1000 chunks, sent in order as ``PUT upload_url`` with
  ``Content-Range: bytes first-last/total``.
- Get Post Status: ``POST /v2/post/publish/status/fetch/`` {publish_id} → ``status``
  (PROCESSING_UPLOAD, PROCESSING_DOWNLOAD, SEND_TO_USER_INBOX, PUBLISH_COMPLETE, FAILED),
  ``fail_reason``, ``uploaded_bytes``, ``publicaly_available_post_id`` (TikTok's spelling; given
  only for public posts after moderation); 30 requests a minute.
- OAuth: ``POST /v2/oauth/token/`` (form: client_key, client_secret, grant_type=refresh_token,
  refresh_token). The v2 guide gives 24 h access and 365 d refresh tokens; a newer page gives 2 h
  and 180 d and says refresh tokens rotate — so lifetimes come from ``expires_in``/
  ``refresh_expires_in`` and every refresh is saved at once (tiktok_client.py).
Not confirmed in TikTok's own pages (from third-party error references): the error codes
``spam_risk_too_many_posts``, ``spam_risk_too_many_pending_share`` and ``reached_active_user_cap``
(a daily cap: we wait, doubling, as for YouTube's upload limit), the upload answers 206 for a
chunk and 201 for the last one, and the 1-hour life of ``upload_url``.

Never twice: the ``publish_id`` and ``upload_url`` are saved the moment init answers, the bytes
sent after every chunk. A later attempt asks the status endpoint first: still uploading → send
the missing chunks to the same URL (a chunk sent twice cannot make a second post); processed,
published or failed after the last byte → record that; only a publish that failed before all
bytes arrived (or whose upload URL has expired) is started again. TikTok offers no search by our
key, so ``find`` has nothing to ask; an init whose answer was lost left a publish with no bytes,
which TikTok fails on its own. TikTok has no API to delete a direct post: take-down marks the
record and asks a person to delete the video in the TikTok app (``ManualTakeDown``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from publishing.metadata import HASHTAG, Metadata
from publishing.uploaders.base import (
    Checkpoint,
    ManualTakeDown,
    Progress,
    Uploader,
    UploadError,
    existing_video,
)
from publishing.uploaders.tiktok_client import TikTokClient, token_problem

log = logging.getLogger(__name__)
CREATOR_INFO = "/v2/post/publish/creator_info/query/"
INIT = "/v2/post/publish/video/init/"
STATUS = "/v2/post/publish/status/fetch/"
MB = 1024 * 1024
CHUNK_MIN, CHUNK_MAX = 5 * MB, 64 * MB
CAPTION_MAX_UTF16 = 2200
SHORT_MAX_SECONDS = 60  # the render's limit for a Short; an account allowing less cannot take ours
UPLOAD_URL_SECONDS = 3600
DONE = {"PUBLISH_COMPLETE": "processed", "SEND_TO_USER_INBOX": "processed", "FAILED": "failed"}


def chunk_plan(size: int, wanted: int) -> tuple[int, int]:
    """``(chunk_size, total_chunk_count)`` by TikTok's rules; the last chunk takes the remainder."""
    if size < CHUNK_MIN:
        return size, 1
    chunk = min(max(wanted, CHUNK_MIN), CHUNK_MAX, size)
    return chunk, size // chunk  # the remainder (< chunk ≤ 64 MB) keeps the final chunk ≤ 128 MB


def caption_for(metadata: Metadata) -> str:
    """The title and the description's hashtags, cut to TikTok's 2,200 UTF-16 units."""
    tags = [tag for tag in dict.fromkeys(HASHTAG.findall(metadata.description)) if tag.lower() != "#shorts"]
    caption = " ".join([metadata.title.replace("#Shorts", "").strip(), *tags])
    while len(caption.encode("utf-16-le")) // 2 > CAPTION_MAX_UTF16:
        caption = caption.rsplit(" ", 1)[0]
    return caption


class TikTokUploader(Uploader):
    name = "tiktok"
    counters = False  # views need the video.list scope and a public post id; we follow processing only

    def __init__(self, *, sleep: Callable[[float], None] = time.sleep, client: TikTokClient | None = None) -> None:
        self.sleep = sleep
        self._client = client

    @property
    def client(self) -> TikTokClient:
        if self._client is None:
            self._client = TikTokClient(sleep=self.sleep)
        return self._client

    def problem(self) -> str:
        return token_problem()

    def upload(
        self, video_path: Path, metadata: Metadata, *, checkpoint: Checkpoint | None = None,
        progress: Progress | None = None,
    ) -> dict:
        video_path = existing_video(video_path)
        checkpoint = checkpoint or Checkpoint()
        size = video_path.stat().st_size
        resumed = self._resume(video_path, checkpoint, size, metadata.key, progress)
        if resumed:
            return resumed
        privacy = self._creator_check()
        chunk_size, count = chunk_plan(size, settings.TIKTOK_CHUNK_BYTES)
        post_info = {"title": caption_for(metadata), "privacy_level": privacy, "video_cover_timestamp_ms": 1000}
        source_info = {"source": "FILE_UPLOAD", "video_size": size, "chunk_size": chunk_size,
                       "total_chunk_count": count}
        data = self.client.call(INIT, {"post_info": post_info, "source_info": source_info})
        checkpoint.update(publish_id=data["publish_id"], upload_url=data["upload_url"], key=metadata.key, size=size,
                          chunk_size=chunk_size, chunks=count, bytes_sent=0, opened_at=time.time())
        self._send(video_path, checkpoint, 0, progress)
        return self._settle(data["publish_id"])

    def _resume(self, video_path: Path, checkpoint: Checkpoint, size: int, key: str,
                progress: Progress | None) -> dict | None:
        """Continue the publish an earlier process opened: its result, or None to start afresh."""
        state = checkpoint.state
        publish_id = state.get("publish_id")
        if not publish_id or state.get("key") != key or state.get("size") != size:
            return None
        found = self._status(publish_id)
        received = int(found.get("uploaded_bytes", state.get("bytes_sent", 0)))
        fresh_url = time.time() - state.get("opened_at", 0) < UPLOAD_URL_SECONDS
        if found.get("status") == "PROCESSING_UPLOAD" and received < size and fresh_url:
            # Only whole chunks count: the one cut off goes again from its start.
            start = received // state["chunk_size"] * state["chunk_size"]
            log.info("resuming TikTok publish %s at byte %d of %d", publish_id, start, size)
            self._send(video_path, checkpoint, start, progress)
            return self._settle(publish_id)
        if received < size and (found.get("status") == "FAILED" or not fresh_url):
            log.info("TikTok publish %s ended before its bytes arrived (%s); starting a new one", publish_id,
                     found.get("fail_reason") or found.get("status"))
            checkpoint.update(publish_id="", upload_url="", bytes_sent=0)
            return None
        return self._settle(publish_id, found)

    def _creator_check(self) -> str:
        creator = self.client.call(CREATOR_INFO, {})
        privacy = settings.TIKTOK_PRIVACY_LEVEL
        options = creator.get("privacy_level_options", [])
        if privacy not in options:
            raise UploadError(f"TikTok account offers privacy {', '.join(options) or 'none'}; "
                              f"TIKTOK_PRIVACY_LEVEL={privacy} is not one of them", permanent=True)
        longest = creator.get("max_video_post_duration_sec")
        if longest is not None and longest < SHORT_MAX_SECONDS:
            raise UploadError(f"TikTok account takes videos up to {longest} s, ours run up to {SHORT_MAX_SECONDS} s",
                              permanent=True)
        return privacy

    def _send(self, video_path: Path, checkpoint: Checkpoint, start: int, progress: Progress | None) -> None:
        state = checkpoint.state
        size, chunk, count = state["size"], state["chunk_size"], state["chunks"]
        with video_path.open("rb") as video:
            while start < size:
                end = size if start // chunk == count - 1 else start + chunk
                video.seek(start)
                headers = {"Content-Type": "video/mp4", "Content-Range": f"bytes {start}-{end - 1}/{size}"}
                answer = self.client.put(state["upload_url"], video.read(end - start), headers)
                if answer not in (201, 206):
                    raise UploadError(f"TikTok refused chunk {headers['Content-Range']} ({answer})")
                start = end
                checkpoint.update(bytes_sent=start)
                if progress:
                    progress(start, size)

    def _settle(self, publish_id: str, found: dict | None = None) -> dict:
        """Poll the publish status a while; a video still processing is followed by the stats refresh."""
        for _ in range(settings.TIKTOK_STATUS_POLLS):
            if found is not None and found.get("status") in DONE:
                break
            if found is not None:
                self.sleep(settings.TIKTOK_POLL_SECONDS)
            found = self._status(publish_id)
        return _result(publish_id, found or {})

    def _status(self, publish_id: str) -> dict:
        return self.client.call(STATUS, {"publish_id": publish_id})

    def thumbnail_set(self, platform_id: str, thumbnail_path: str) -> bool:
        return True  # the cover is a frame of the video (video_cover_timestamp_ms), set at init

    def find(self, key: str) -> dict | None:
        return None  # no search by our key: the saved publish_id and the status endpoint stand in

    def lookup(self, platform_id: str) -> dict | None:
        return _result(platform_id, self._status(platform_id))

    def stats(self, platform_ids: list[str]) -> dict[str, dict]:
        return {publish_id: _processing(self._status(publish_id)) for publish_id in platform_ids}

    def delete(self, platform_id: str) -> None:
        raise ManualTakeDown(f"TikTok has no API to delete a direct post: delete publish {platform_id} "
                             "in the TikTok app")


def _processing(found: dict) -> dict:
    status = found.get("status", "")
    return {"processing": DONE.get(status, "uploaded"), "reason": found.get("fail_reason", "") or ""}


def _result(publish_id: str, found: dict) -> dict:
    post_ids = found.get("publicaly_available_post_id") or []
    url = f"https://www.tiktok.com/video/{post_ids[0]}" if post_ids else ""
    return {"platform_id": publish_id, "url": url, **_processing(found)}
