"""A fake YouTube Data API v3 on loopback, spoken to by the real google-api-python-client.

Implements what the uploader uses: the resumable ``videos.insert`` protocol (POST → Location,
PUT chunks → 308 + Range, empty PUT ``bytes */N`` → status, final 200 with the video),
``thumbnails.set``, ``videos.list``, ``videos.delete``, ``channels.list(mine)`` and
``playlistItems.list`` of the uploads playlist, and Google's OAuth token endpoint (``POST /token``:
refresh grants, ``invalid_grant`` for a revoked refresh token). It checks what YouTube checks:
bearer tokens (when ``require_auth``), metadata as documented (title ≤ 100 characters, description
≤ 5,000 bytes, tags ≤ 500 characters counted with commas and with quotes around tags that hold a
space, no angle brackets), and quota per method (``videos.insert`` its own bucket of 100 a day,
other methods units from 10,000). Videos go through processing (``uploaded`` → ``processed``, or
``rejected``/``failed`` with a reason) and can be removed behind the client's back; their
statistics grow at every ``videos.list`` that asks for them. A chunk cut off part-way keeps only
the bytes up to the last acknowledged range unless ``keep_interrupted_bytes``. Faults are
injected per test: status codes for the next requests, quotaExceeded, a connection dropped
part-way through the upload, a server that forgets its sessions. ``GET /_fake/videos`` lists what
was uploaded (for the E2E test).

Run on its own: ``python -m tests.publishing.fake_youtube --port 8765`` and set
``YOUTUBE_API_ROOT=http://127.0.0.1:8765/``.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

CHANNEL_ID = "UCfakechannel000000000"
TITLE_MAX_CHARS = 100
DESCRIPTION_MAX_BYTES = 5000
TAGS_MAX_CHARS = 500
# Units per method (https://developers.google.com/youtube/v3/determine_quota_cost); inserts apart.
COSTS = {("GET", "/videos"): 1, ("GET", "/channels"): 1, ("GET", "/playlistItems"): 1,
         ("POST", "/thumbnails/set"): 50, ("DELETE", "/videos"): 50}
UPLOADS_PLAYLIST = "UUfakechannel000000000"


@dataclass
class Session:
    total: int
    resource: dict
    received: bytearray = field(default_factory=bytearray)
    video_id: str = ""
    acknowledged: int = 0  # bytes the last 308/201 answer told the client the server holds


@dataclass
class Fault:
    method: str
    path_part: str
    status: int
    reason: str
    left: int


class FakeYouTube:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.lock = threading.Lock()
        self.videos: dict[str, dict] = {}
        self.blobs: dict[str, bytes] = {}
        self.thumbnails: dict[str, int] = {}
        # The video's uploadStatus when its thumbnail was set (a Short's must wait for "processed").
        self.thumbnail_set_while: dict[str, str] = {}
        self.sessions: dict[str, Session] = {}
        self.log: list[dict] = []
        self.faults: list[Fault] = []
        self.quota_exceeded = False
        self.drop_fraction: float | None = None
        self.drops_left = 0
        # A chunk cut off part-way: by default the bytes after the last acknowledged range are
        # discarded (the client must resend the whole chunk); True keeps what arrived, as a server
        # may, so the client must resume from the server's Range rather than its own count.
        self.keep_interrupted_bytes = False
        self.discarded_bytes = 0
        # Statistics grow by these at every videos.list that asks for them (a video being watched).
        self.views_per_list, self.likes_per_list, self.comments_per_list = 17, 2, 1
        # Requests to a finished session to hang up on (the client never hears it finished).
        self.hang_ups_after_complete = 0
        # Set to an Event: the final response waits for it, so a test can kill the client after
        # the video exists and before the client hears about it.
        self.hold_final_response: threading.Event | None = None
        # False: new uploads are missing from the uploads playlist, as YouTube's can lag behind.
        self.uploads_listed = True
        # OAuth: access tokens the fake accepts, refresh tokens it honours, and whether the API
        # asks for a bearer token at all (the plain tests talk to it without a login).
        self.require_auth = False
        self.access_tokens: set[str] = set()
        self.refresh_tokens: set[str] = {"refresh-1"}
        # Quota as YouTube counts it: what reached the server, per bucket.
        self.units_used = 0
        self.inserts_used = 0
        self.units_limit = 10_000
        self.inserts_limit = 100
        # What processing makes of the next videos: "" (processed), "rejected:duplicate", "failed:codec".
        self.processing_outcome = ""
        self.server = ThreadingHTTPServer((host, port), _Handler)
        self.server.daemon_threads = True
        self.server.fake = self
        self._thread: threading.Thread | None = None

    # Control ------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> FakeYouTube:
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail_next(self, method: str, path_part: str, status: int, *, times: int = 1, reason: str = "") -> None:
        reason = reason or {503: "backendError", 500: "backendError", 429: "rateLimitExceeded"}.get(status, "")
        self.faults.append(Fault(method, path_part, status, reason or "error", times))

    def drop_connection_at(self, fraction: float, *, times: int = 2) -> None:
        """Store only ``fraction`` of the upload, then close the connection ``times`` times.

        httplib2 resends a request once by itself when the server hangs up, so two drops make the
        client see the failure and ask the server where the upload stands.
        """
        self.drop_fraction, self.drops_left = fraction, times

    def forget_sessions(self) -> None:
        self.sessions.clear()

    def requests(self, method: str = "", path_part: str = "") -> list[dict]:
        return [r for r in self.log if r["method"].startswith(method) and path_part in r["path"]]

    def finish_processing(self) -> None:
        """Processing ends for every uploaded video: processed, or the outcome set beforehand."""
        for video in self.videos.values():
            status = video["status"]
            if status["uploadStatus"] != "uploaded":
                continue
            outcome, _, reason = self.processing_outcome.partition(":")
            status["uploadStatus"] = outcome or "processed"
            if outcome:
                status["rejectionReason" if outcome == "rejected" else "failureReason"] = reason

    def remove(self, video_id: str) -> None:
        """YouTube removed the video (or its owner deleted it in Studio): it is no longer listed."""
        with self.lock:
            self.videos.pop(video_id, None)

    def add_video(self, title: str, tags: list[str]) -> str:
        video_id = _new_id()
        self.videos[video_id] = _video(video_id, {"snippet": {"title": title, "tags": tags}, "status": {}})
        return video_id


def _new_id() -> str:
    return secrets.token_urlsafe(8)[:11]


def _video(video_id: str, body: dict) -> dict:
    snippet = {**body.get("snippet", {}), "channelId": CHANNEL_ID}
    status = {"uploadStatus": "uploaded", **body.get("status", {})}
    statistics = {"viewCount": "0", "likeCount": "0", "commentCount": "0"}
    return {"kind": "youtube#video", "id": video_id, "snippet": snippet, "status": status, "statistics": statistics}


def metadata_problem(resource: dict) -> str:
    """The reason YouTube gives for metadata it refuses, or ""."""
    snippet = resource.get("snippet", {})
    title, description = snippet.get("title", ""), snippet.get("description", "")
    if not title.strip() or len(title) > TITLE_MAX_CHARS or "<" in title or ">" in title:
        return "invalidTitle"
    if len(description.encode()) > DESCRIPTION_MAX_BYTES or "<" in description or ">" in description:
        return "invalidDescription"
    tags = snippet.get("tags", [])
    if sum(len(t) + 2 * (" " in t) for t in tags) + max(len(tags) - 1, 0) > TAGS_MAX_CHARS:
        return "invalidTags"
    return ""


def _error(status: int, reason: str, message: str = "") -> dict:
    message = message or reason
    return {"error": {"code": status, "message": message, "errors": [{"reason": reason, "message": message}]}}


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeYouTube/1.0"

    def log_message(self, format, *args) -> None:  # keep test output quiet
        return

    @property
    def fake(self) -> FakeYouTube:
        return self.server.fake

    def _begin(self) -> bool:
        """Read the body, log the request, answer an injected fault; False when answered."""
        self.parts = urlsplit(self.path)
        self.query = {k: v[0] for k, v in parse_qs(self.parts.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length) if length else b""
        entry = {"method": self.command, "path": self.parts.path, "query": self.query, "at": time.monotonic(),
                 "content_range": self.headers.get("Content-Range", ""), "bytes": len(self.body)}
        self.entry = entry
        with self.fake.lock:
            self.fake.log.append(entry)
        if not (self.parts.path.startswith("/_fake") or self.parts.path == "/token"):
            if self.fake.require_auth and self._bearer() not in self.fake.access_tokens:
                self._json(401, _error(401, "authError", "Invalid Credentials"))
                return False
            # Every request that gets this far costs quota, an invalid or failed one included.
            if self.fake.quota_exceeded or not self._quota_spend():
                self._json(403, _error(403, "quotaExceeded", "The request cannot be completed because you have "
                                                             "exceeded your quota."))
                return False
        with self.fake.lock:
            fault = self._fault()
        if fault:
            self._json(fault.status, _error(fault.status, fault.reason))
            return False
        return True

    def _bearer(self) -> str:
        return self.headers.get("Authorization", "").removeprefix("Bearer ")

    def _quota_spend(self) -> bool:
        """Count this request as YouTube does; False when its bucket has no room left."""
        fake = self.fake
        if self.command == "PUT":  # the chunks of an insert are part of that one call
            return True
        with fake.lock:
            if self.command == "POST" and self.query.get("uploadType") == "resumable":
                if fake.inserts_used >= fake.inserts_limit:
                    return False
                fake.inserts_used += 1
                return True
            path = self.parts.path
            cost = next((c for (m, part), c in COSTS.items() if m == self.command and path.endswith(part)), 0)
            if fake.units_used + cost > fake.units_limit:
                return False
            fake.units_used += cost
            return True

    def _fault(self) -> Fault | None:
        for fault in self.fake.faults:
            if fault.left > 0 and self.command == fault.method and fault.path_part in self.parts.path:
                fault.left -= 1
                return fault
        return None

    def _json(self, status: int, payload: dict | None, headers: dict | None = None) -> None:
        data = json.dumps(payload).encode() if payload is not None else b""
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if payload is not None:
            self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _hang_up(self) -> None:
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)

    # Routes -------------------------------------------------------------------------------

    def do_POST(self) -> None:
        if not self._begin():
            return
        if self.parts.path == "/token":
            return self._token()
        if self.parts.path.endswith("/thumbnails/set"):
            return self._thumbnail_set()
        if self.parts.path.endswith("/videos") and self.query.get("uploadType") == "resumable":
            return self._session_open()
        self._json(404, _error(404, "notFound"))

    def _token(self) -> None:
        form = {k: v[0] for k, v in parse_qs(self.body.decode()).items()}
        if form.get("grant_type") != "refresh_token" or form.get("refresh_token") not in self.fake.refresh_tokens:
            refused = {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
            return self._json(400, refused)
        token = f"ya29.fake-{_new_id()}"
        with self.fake.lock:
            self.fake.access_tokens.add(token)
        self._json(200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer",
                         "scope": form.get("scope", "")})

    def _session_open(self) -> None:
        resource = json.loads(self.body or b"{}")
        problem = metadata_problem(resource)
        if problem:
            message = f"The request metadata specifies an invalid value ({problem})."
            return self._json(400, _error(400, problem, message))
        total = int(self.headers.get("X-Upload-Content-Length") or 0)
        session_id = _new_id()
        with self.fake.lock:
            self.fake.sessions[session_id] = Session(total=total, resource=resource)
        host, port = self.server.server_address[:2]
        location = f"http://{host}:{port}/upload/youtube/v3/videos?uploadType=resumable&upload_id={session_id}"
        self._json(200, None, {"Location": location})

    def _thumbnail_set(self) -> None:
        video_id = self.query.get("videoId", "")
        if video_id not in self.fake.videos:
            return self._json(404, _error(404, "videoNotFound"))
        self.fake.thumbnails[video_id] = len(self.body)
        self.fake.thumbnail_set_while[video_id] = self.fake.videos[video_id]["status"]["uploadStatus"]
        self._json(200, {"kind": "youtube#thumbnailSetResponse", "items": [{"default": {"url": "x"}}]})

    def do_PUT(self) -> None:
        if not self._begin():
            return
        session = self.fake.sessions.get(self.query.get("upload_id", ""))
        if session is None:
            return self._json(404, _error(404, "notFound", "upload session not found"))
        content_range = self.headers.get("Content-Range", "")
        if content_range.startswith("bytes */"):
            return self._session_status(session)
        start = int(content_range.split(" ", 1)[1].split("-", 1)[0])
        if start > len(session.received):
            return self._session_status(session)
        if self._maybe_drop(session, start):
            return
        session.received += self.body[len(session.received) - start:]
        if len(session.received) >= session.total and not session.video_id:
            self._video_create(session)
            if self.fake.hold_final_response is not None:
                self.fake.hold_final_response.wait(60)
        if session.video_id and self.fake.hang_ups_after_complete:
            self.fake.hang_ups_after_complete -= 1
            return self._hang_up()
        self._session_status(session)

    def _maybe_drop(self, session: Session, start: int) -> bool:
        fake = self.fake
        if not fake.drops_left or fake.drop_fraction is None:
            return False
        cutoff = int(session.total * fake.drop_fraction)
        if start + len(self.body) <= cutoff:
            return False
        with fake.lock:
            fake.drops_left -= 1
            keep = max(cutoff - len(session.received), 0)
            offset = len(session.received) - start
            session.received += self.body[offset:offset + keep]
            if not fake.keep_interrupted_bytes:
                fake.discarded_bytes += len(session.received) - session.acknowledged
                del session.received[session.acknowledged:]
            self.entry["dropped"] = True
        self._hang_up()
        return True

    def _video_create(self, session: Session) -> None:
        video_id = _new_id()
        with self.fake.lock:
            self.fake.videos[video_id] = _video(video_id, session.resource)
            self.fake.blobs[video_id] = bytes(session.received)
            session.video_id = video_id

    def _session_status(self, session: Session) -> None:
        if session.video_id:
            return self._json(201, self.fake.videos.get(session.video_id) or _error(404, "videoNotFound"))
        headers = {"Range": f"bytes=0-{len(session.received) - 1}"} if session.received else {}
        session.acknowledged = len(session.received)
        self._json(308, None, headers)

    def do_GET(self) -> None:
        if not self._begin():
            return
        path = self.parts.path
        if path == "/_fake/videos":
            return self._json(200, {"items": [{**v, "bytes": len(self.fake.blobs.get(k, b"")),
                                               "sha256": hashlib.sha256(self.fake.blobs.get(k, b"")).hexdigest()}
                                              for k, v in self.fake.videos.items()]})
        if path.endswith("/videos"):
            ids = [i for i in self.query.get("id", "").split(",") if i in self.fake.videos]
            if "statistics" in self.query.get("part", ""):
                self._watch(ids)
            return self._json(200, {"kind": "youtube#videoListResponse", "items": [self.fake.videos[i] for i in ids]})
        if path.endswith("/channels"):
            uploads = {"relatedPlaylists": {"uploads": UPLOADS_PLAYLIST}}
            return self._json(200, {"items": [{"id": CHANNEL_ID, "contentDetails": uploads}]})
        if path.endswith("/playlistItems") and self.query.get("playlistId") == UPLOADS_PLAYLIST:
            listed = list(reversed(self.fake.videos)) if self.fake.uploads_listed else []
            newest = listed[: int(self.query.get("maxResults", 5))]
            return self._json(200, {"items": [{"contentDetails": {"videoId": i}} for i in newest]})
        self._json(404, _error(404, "notFound"))

    def _watch(self, ids: list[str]) -> None:
        """Counters move between two refreshes, as a live video's do."""
        fake = self.fake
        with fake.lock:
            for video_id in ids:
                numbers = fake.videos[video_id]["statistics"]
                for key, step in (("viewCount", fake.views_per_list), ("likeCount", fake.likes_per_list),
                                  ("commentCount", fake.comments_per_list)):
                    numbers[key] = str(int(numbers[key]) + step)

    def do_DELETE(self) -> None:
        if not self._begin():
            return
        video_id = self.query.get("id", "")
        with self.fake.lock:
            found = self.fake.videos.pop(video_id, None)
            self.fake.blobs.pop(video_id, None)
        if found is None:
            return self._json(404, _error(404, "videoNotFound"))
        self._json(204, None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    options = parser.parse_args()
    fake = FakeYouTube(options.host, options.port)
    print(f"fake YouTube listening on {fake.url}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        fake.server.serve_forever()


if __name__ == "__main__":
    main()
