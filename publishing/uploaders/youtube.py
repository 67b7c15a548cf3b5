"""YouTube uploader: resumable ``videos.insert`` that survives retries, crashes and quota.

Every request goes through ``_call`` (quota reserved first and given back when the request never
reached YouTube, retries on 5xx/429/network errors with bounded exponential backoff and jitter).
The resumable session URI, the bytes the server has and whether the final chunk was sent are
written to the checkpoint as they change, so a later process asks the server where the upload
stopped (an empty PUT with ``Content-Range: bytes */size`` answered by 308 and ``Range``) instead
of starting a second video; once the final chunk went out, a session that is gone means "look for
the video again later", never "upload again".
"""

from __future__ import annotations

import http.client
import json
import logging
import random
import time
from collections.abc import Callable
from pathlib import Path

import httplib2
from django.conf import settings
from google.auth.exceptions import GoogleAuthError
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaFileUpload

from publishing.metadata import Metadata
from publishing.quota import INSERT, QuotaExhausted, quota_exhaust, quota_refund, quota_spend
from publishing.uploaders.base import (
    AuthError,
    Checkpoint,
    Progress,
    Uploader,
    UploadError,
    UploadLimited,
    existing_video,
)
from publishing.uploaders.youtube_client import auth_failure, client_build, token_problem

log = logging.getLogger(__name__)
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
RETRY_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "backendError"})
QUOTA_REASONS = frozenset({"quotaExceeded", "dailyLimitExceeded"})
NETWORK_ERRORS = (httplib2.HttpLib2Error, http.client.HTTPException, OSError)
# Nothing left this machine: the request cost YouTube no quota.
UNSENT_ERRORS = (ConnectionRefusedError, httplib2.ServerNotFoundError)
BACKOFF_CAP_SECONDS = 64
WATCH_URL = "https://www.youtube.com/shorts/{}"


class _Retry(Exception):
    """A failure worth another try after a pause."""


def error_reasons(exc: HttpError) -> list[str]:
    try:
        error = json.loads(exc.content)["error"]
    except (ValueError, KeyError, TypeError):
        return []
    return [item.get("reason", "") for item in error.get("errors", [])] or [error.get("status", "")]


def backoff(attempt: int) -> float:
    """Seconds before retry ``attempt`` (0-based): doubling, capped, with jitter in [½, 1]."""
    ceiling = min(BACKOFF_CAP_SECONDS, settings.YOUTUBE_BACKOFF_SECONDS * 2**attempt)
    return ceiling * random.uniform(0.5, 1.0)


class _SessionRecorder:
    """Transport wrapper that reports a new resumable session URI the moment the server gives it,
    and the final chunk the moment before it goes out.

    ``next_chunk`` opens the session and sends the first chunk in one call; without this a worker
    killed during that first chunk (a Short is often a single chunk) leaves no URI to resume.
    """

    def __init__(self, http, on_session: Callable[[str], None], on_final: Callable[[], None]) -> None:
        self.http = http
        self.on_session = on_session
        self.on_final = on_final

    def request(self, uri, method="GET", *args, **kwargs):
        if method == "PUT" and _is_final(kwargs.get("headers") or {}):
            self.on_final()
        resp, content = self.http.request(uri, method, *args, **kwargs)
        if method == "POST" and "uploadType=resumable" in uri and resp.status == 200 and "location" in resp:
            self.on_session(resp["location"])
        return resp, content


class ChunkedFileUpload(MediaFileUpload):
    """A resumable file upload whose chunks are sent as bytes, not as a slice of the open file.

    httplib2 resends a request once by itself when the server hangs up; a stream slice is used
    up by then, so the resend carried no body under the old Content-Length and hung until the
    timeout. Bytes can be sent twice.
    """

    def has_stream(self) -> bool:
        return False


class YouTubeUploader(Uploader):
    name = "youtube"
    lists_videos = True

    def __init__(self, *, sleep: Callable[[float], None] = time.sleep, service=None) -> None:
        self.sleep = sleep
        self._service = service

    @property
    def service(self):
        if self._service is None:
            self._service = client_build()
        return self._service

    def problem(self) -> str:
        return token_problem()

    # Upload -------------------------------------------------------------------------------

    def upload(
        self, video_path: Path, metadata: Metadata, *, checkpoint: Checkpoint | None = None,
        progress: Progress | None = None,
    ) -> dict:
        video_path = existing_video(video_path)
        checkpoint = checkpoint or Checkpoint()
        size = video_path.stat().st_size
        media = ChunkedFileUpload(
            str(video_path), mimetype="video/mp4", chunksize=settings.YOUTUBE_CHUNK_BYTES, resumable=True
        )
        request = self.service.videos().insert(part="snippet,status", body=metadata.to_body(), media_body=media)
        video = self._resume(request, checkpoint, size, metadata.key)
        if video is None:
            video = self._send(request, checkpoint, size, metadata.key, progress)
        checkpoint.update(session_uri="", video_id=video["id"])
        return self._result(video)

    def _resume(self, request, checkpoint: Checkpoint, size: int, key: str) -> dict | None:
        """Continue a session an earlier process opened: the finished video, or None to send."""
        state = checkpoint.state
        uri = state.get("session_uri")
        if not uri or state.get("size") != size or state.get("key") != key:
            return None
        resp, content = self._call(lambda: self._session_query(request.http, uri, size))
        if resp.status in (200, 201):
            log.info("upload session already complete, recording video")
            return json.loads(content)
        if resp.status == 308:
            request.resumable_uri = uri
            request.resumable_progress = _range_end(resp)
            log.info("resuming upload at byte %d of %d", request.resumable_progress, size)
            return None
        if state.get("final_sent"):
            # The whole file went out; the video may exist while the uploads playlist lags. A
            # new session now would be a second video.
            raise UploadError(f"the final chunk was sent but the session answered {resp.status} and the video "
                              "is not listed yet; will look again later")
        log.info("upload session answered %s; it expired, starting a new one", resp.status)
        checkpoint.update(session_uri="", bytes_sent=0)
        return None

    def _session_query(self, http, uri: str, size: int):
        resp, content = http.request(uri, "PUT", body=b"", headers={"Content-Range": f"bytes */{size}",
                                                                     "Content-Length": "0"})
        if resp.status in RETRY_STATUS:
            raise _Retry(f"session query answered {resp.status}")
        return resp, content

    def _send(self, request, checkpoint: Checkpoint, size: int, key: str, progress: Progress | None) -> dict:
        opening = request.resumable_uri is None
        if opening:
            quota_spend(INSERT)
        recorder = _SessionRecorder(
            request.http,
            on_session=lambda uri: checkpoint.update(session_uri=uri, size=size, key=key, bytes_sent=0,
                                                     final_sent=False),
            on_final=lambda: checkpoint.state.get("final_sent") or checkpoint.update(final_sent=True),
        )
        response = None
        try:
            while response is None:
                status, response = self._call(lambda: request.next_chunk(http=recorder), call=INSERT)
                if status is not None:
                    checkpoint.update(bytes_sent=status.resumable_progress)
                    if progress:
                        progress(status.resumable_progress, size)
        except UploadError as exc:
            if opening and request.resumable_uri is None and not exc.reached:
                quota_refund(INSERT)  # the session was never opened: YouTube counted nothing
            raise
        if progress:
            progress(size, size)
        return response

    def thumbnail_set(self, platform_id: str, thumbnail_path: str) -> bool:
        if not thumbnail_path or not Path(thumbnail_path).is_file():
            return True
        media = MediaFileUpload(thumbnail_path, mimetype="image/jpeg")
        try:
            self._call(lambda: self.service.thumbnails().set(videoId=platform_id, media_body=media).execute(),
                       call="thumbnails.set")
        except (UploadError, QuotaExhausted) as exc:
            # Custom thumbnails need a verified channel, and cost 50 units; the video itself is up
            # and must be recorded now: the stats refresh tries the thumbnail again.
            log.warning("thumbnail for %s not set: %s", platform_id, exc)
            return False
        return True

    # Lookups --------------------------------------------------------------------------------

    def find(self, key: str) -> dict | None:
        """Search the channel's latest uploads for the key tag (3 units)."""
        ids = self._recent_upload_ids()
        if not ids:
            return None
        videos = self._call(lambda: self.service.videos().list(part="snippet,status", id=",".join(ids)).execute(),
                            call="videos.list")
        for video in videos.get("items", []):
            if key in video.get("snippet", {}).get("tags", []):
                return self._result(video)
        return None

    def lookup(self, platform_id: str) -> dict | None:
        """Ask for the video by id (1 unit): unlike the uploads playlist, this never lags."""
        found = self._call(lambda: self.service.videos().list(part="status", id=platform_id).execute(),
                           call="videos.list")
        items = found.get("items", [])
        return self._result(items[0]) if items else None

    def _recent_upload_ids(self) -> list[str]:
        channels = self._call(
            lambda: self.service.channels().list(part="contentDetails", mine=True).execute(), call="channels.list")
        items = channels.get("items", [])
        if not items:
            return []
        playlist = items[0]["contentDetails"]["relatedPlaylists"]["uploads"]
        page = self._call(lambda: self.service.playlistItems().list(
            part="contentDetails", playlistId=playlist, maxResults=50).execute(), call="playlistItems.list")
        return [item["contentDetails"]["videoId"] for item in page.get("items", [])]

    def stats(self, platform_ids: list[str]) -> dict[str, dict]:
        found: dict[str, dict] = {}
        for start in range(0, len(platform_ids), 50):
            ids = ",".join(platform_ids[start:start + 50])
            page = self._call(lambda ids=ids: self.service.videos().list(part="statistics,status", id=ids).execute(),
                              call="videos.list")
            for video in page.get("items", []):
                numbers = video.get("statistics", {})
                found[video["id"]] = {
                    "views": int(numbers.get("viewCount", 0)),
                    "likes": int(numbers.get("likeCount", 0)),
                    "comments": int(numbers.get("commentCount", 0)),
                    **_processing(video),
                }
        return found

    def delete(self, platform_id: str) -> None:
        try:
            self._call(lambda: self.service.videos().delete(id=platform_id).execute(), call="videos.delete")
        except UploadError as exc:
            if "404" not in exc.message:
                raise
            log.info("video %s was already gone", platform_id)

    # One request, with quota and retries ----------------------------------------------------

    def _call(self, send: Callable, *, call: str = ""):
        """Run ``send`` with retries, each try counted against quota unless it never reached YouTube.

        Inserts are counted once, when their session is opened (``_send``). A raised
        ``UploadError`` says in ``reached`` whether the last try got an answer from YouTube.
        """
        counted = call and call != INSERT
        for attempt in range(settings.YOUTUBE_MAX_RETRIES + 1):
            if counted:
                quota_spend(call)
            reached = True
            try:
                return send()
            except HttpError as exc:
                failure = self._classify(exc, call)
            except (_Retry, *NETWORK_ERRORS) as exc:
                reached = not isinstance(exc, UNSENT_ERRORS)
                failure = _Retry(f"{type(exc).__name__}: {exc}")
            except GoogleAuthError as exc:  # the transport's refresh failed before the request went out
                reached, failure = False, auth_failure(exc)
            if counted and not reached:
                quota_refund(call)
            if isinstance(failure, UploadError):
                failure.reached = reached
                raise failure
            if attempt == settings.YOUTUBE_MAX_RETRIES:
                raise UploadError(f"gave up after {attempt + 1} tries: {failure}", reached=reached)
            log.warning("YouTube %s failed (%s), retry %d", call or "request", failure, attempt + 1)
            self.sleep(backoff(attempt))
        raise AssertionError("unreachable")

    def _classify(self, exc: HttpError, call: str) -> _Retry:
        reasons = error_reasons(exc)
        status = exc.resp.status
        if QUOTA_REASONS.intersection(reasons):
            raise quota_exhaust(call or "videos.list") from exc
        if "uploadLimitExceeded" in reasons:
            # A per-channel limit over a rolling window: the day's quota is untouched.
            raise UploadLimited("YouTube's upload limit for this channel is reached (uploadLimitExceeded)") from exc
        if status in RETRY_STATUS or RETRY_REASONS.intersection(reasons):
            return _Retry(f"HTTP {status} {' '.join(reasons)}")
        if call == INSERT and status in (404, 410):
            # The resumable session expired mid-upload: the next attempt looks for the video by
            # its key, then starts a new session.
            raise UploadError(f"upload session ended ({status}); will start again") from exc
        if status == 401:
            raise AuthError("YouTube refused the credentials (401): run `python manage.py youtube_auth`") from exc
        raise UploadError(f"YouTube answered {status} {' '.join(reasons)}: {_message(exc)}", permanent=True) from exc

    @staticmethod
    def _result(video: dict) -> dict:
        return {"platform_id": video["id"], "url": WATCH_URL.format(video["id"]), **_processing(video)}


def _processing(video: dict) -> dict:
    """What YouTube made of the video: ``uploadStatus`` and its rejection or failure reason."""
    status = video.get("status", {})
    reason = status.get("rejectionReason") or status.get("failureReason") or ""
    return {"processing": status.get("uploadStatus", ""), "reason": reason}


def _is_final(headers: dict) -> bool:
    """A chunk whose ``Content-Range: bytes a-b/size`` ends at the last byte of the file."""
    value = headers.get("Content-Range") or headers.get("content-range") or ""
    span, _, total = value.removeprefix("bytes ").partition("/")
    return "-" in span and total.isdigit() and int(span.rsplit("-", 1)[1]) + 1 == int(total)


def _range_end(resp) -> int:
    """Bytes the server holds, from a 308's ``Range: bytes=0-N`` (no header: none)."""
    value = resp.get("range", "")
    return int(value.rsplit("-", 1)[1]) + 1 if "-" in value else 0


def _message(exc: HttpError) -> str:
    try:
        return json.loads(exc.content)["error"]["message"]
    except (ValueError, KeyError, TypeError):
        return exc.reason or ""
