"""A fake of TikTok's Content Posting API (direct post) on loopback, written from TikTok's docs.

What it checks, as the documentation states it (see publishing/uploaders/tiktok.py for sources):
bearer tokens (401 ``access_token_invalid``), the OAuth v2 token endpoint with rotating refresh
tokens (``invalid_grant`` for a used or revoked one), the authorization-code grant with PKCE as
TikTok computes it (``authorize`` plays the consent page: S256 challenge, the SHA-256 of the
verifier in hex; the code is single-use and bound to its redirect URI), ``creator_info/query``, ``video/init`` with
FILE_UPLOAD and the chunk rules (5–64 MB chunks, the final one up to 128 MB, under 5 MB one
chunk, ``total_chunk_count`` = size // chunk_size, 1–1000 chunks), 6 inits a minute per token
(429 ``rate_limit_exceeded``), a daily cap of posts (403 ``spam_risk_too_many_posts``), privacy
other than SELF_ONLY refused for an unaudited app, chunks in order with ``Content-Range`` (206,
201 for the last; a chunk cut off counts for nothing), and ``status/fetch`` moving from
PROCESSING_UPLOAD to PUBLISH_COMPLETE, or FAILED with a ``fail_reason``. Its clock is its own:
tests advance it (``advance``) instead of sleeping.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

MB = 1024 * 1024
INITS_PER_MINUTE = 6


@dataclass
class Publish:
    publish_id: str
    token: str
    post_info: dict
    size: int
    chunk_size: int
    chunks: int
    received: bytearray = field(default_factory=bytearray)
    status: str = "PROCESSING_UPLOAD"
    fail_reason: str = ""
    polls_after_upload: int = 0


def chunk_problem(source: dict) -> str:
    size, chunk, count = source.get("video_size", 0), source.get("chunk_size", 0), source.get("total_chunk_count", 0)
    if source.get("source") != "FILE_UPLOAD" or size <= 0 or chunk <= 0:
        return "source_info needs FILE_UPLOAD, video_size and chunk_size"
    if size < 5 * MB:
        return "" if (chunk, count) == (size, 1) else "a video under 5 MB goes as one chunk of its size"
    if not 5 * MB <= chunk <= 64 * MB:
        return "chunk_size must be 5 MB to 64 MB"
    if count != size // chunk or not 1 <= count <= 1000:
        return "total_chunk_count must be video_size // chunk_size, 1 to 1000"
    if size - chunk * (count - 1) > 128 * MB:
        return "the final chunk may not pass 128 MB"
    return ""


class FakeTikTok:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = 1_800_000_000.0
        self.client_key, self.client_secret = "key-1", "secret-1"
        self.access_tokens: set[str] = {"act.1"}
        self.refresh_tokens: set[str] = {"rft.1"}
        self.publishes: dict[str, Publish] = {}
        self.inits: dict[str, list[float]] = {}
        self.log: list[dict] = []
        self.privacy_options = ["SELF_ONLY"]  # an unaudited app's account
        self.audited = False
        self.daily_cap = 15
        self.posts_today = 0
        self.polls_to_finish = 1  # status fetches after the last chunk before the post is done
        self.outcome = ""  # "": PUBLISH_COMPLETE; else the fail_reason of a FAILED publish
        self.hang_up_in_chunk: int | None = None  # take part of this chunk, then drop the line
        self.codes: dict[str, dict] = {}  # authorization code → what its authorize request asked
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.fake = self

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeTikTok:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def expire_access_tokens(self) -> None:
        self.access_tokens.clear()

    def requests(self, path_part: str) -> list[dict]:
        return [entry for entry in self.log if path_part in entry["path"]]

    def authorize(self, url: str, *, allow: bool = True) -> str:
        """The user on TikTok's consent page: check the request, answer with the redirect URL."""
        query = {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
        assert query["client_key"] == self.client_key and query["response_type"] == "code", query
        assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 64, query
        if not allow:
            answer = {"error": "access_denied", "error_description": "The user denied the request",
                      "state": query["state"]}
        else:
            code = secrets.token_urlsafe(24)
            self.codes[code] = query
            answer = {"code": code, "scopes": query["scope"], "state": query["state"]}
        return f"{query['redirect_uri']}?{urlencode(answer)}"

    def posted(self) -> list[Publish]:
        return [p for p in self.publishes.values() if p.status == "PUBLISH_COMPLETE"]


def _answer(data: dict | None = None, code: str = "ok", message: str = "") -> dict:
    return {"data": data or {}, "error": {"code": code, "message": message, "log_id": secrets.token_hex(8)}}


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format, *args) -> None:
        return

    @property
    def fake(self) -> FakeTikTok:
        return self.server.fake

    def _json(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _read(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_POST(self) -> None:
        parts = urlsplit(self.path)
        body = self._read()
        with self.fake.lock:
            self.fake.log.append({"method": "POST", "path": parts.path, "body": body[:2000],
                                  "token": self.headers.get("Authorization", "").removeprefix("Bearer ")})
        if parts.path == "/v2/oauth/token/":
            return self._token(parse_qs(body.decode()))
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in self.fake.access_tokens:
            return self._json(401, _answer(code="access_token_invalid", message="The access token is invalid."))
        request = json.loads(body or b"{}")
        routes = {"/v2/post/publish/creator_info/query/": self._creator,
                  "/v2/post/publish/video/init/": self._init, "/v2/post/publish/status/fetch/": self._status}
        route = routes.get(parts.path)
        if route is None:
            return self._json(404, _answer(code="invalid_params", message="unknown endpoint"))
        with self.fake.lock:
            status, payload = route(token, request)
        self._json(status, payload)

    def _token(self, form: dict) -> None:
        fake = self.fake
        value = {k: v[0] for k, v in form.items()}
        known = (value.get("client_key"), value.get("client_secret")) == (fake.client_key, fake.client_secret)
        if value.get("grant_type") == "authorization_code":
            return self._code_grant(value, known)
        honoured = value.get("refresh_token") in fake.refresh_tokens
        if value.get("grant_type") != "refresh_token" or not known or not honoured:
            refused = {"error": "invalid_grant", "error_description": "Refresh token is invalid or expired."}
            return self._json(400, {**refused, "log_id": secrets.token_hex(8)})
        access, refresh = f"act.{secrets.token_hex(6)}", f"rft.{secrets.token_hex(6)}"
        with fake.lock:
            fake.refresh_tokens.discard(value["refresh_token"])  # rotated: the old one stops working
            fake.refresh_tokens.add(refresh)
            fake.access_tokens.add(access)
        self._json(200, {"open_id": "open-1", "scope": "video.publish", "access_token": access, "expires_in": 86400,
                         "refresh_token": refresh, "refresh_expires_in": 31536000, "token_type": "Bearer"})

    def _code_grant(self, value: dict, known: bool) -> None:
        fake = self.fake
        with fake.lock:
            asked = fake.codes.pop(value.get("code", ""), None)  # a code is good once
        verifier = value.get("code_verifier", "")
        if not known or asked is None or value.get("redirect_uri") != asked["redirect_uri"]:
            refused = {"error": "invalid_grant", "error_description": "Authorization code is expired."}
            return self._json(400, {**refused, "log_id": secrets.token_hex(8)})
        if hashlib.sha256(verifier.encode()).hexdigest() != asked["code_challenge"]:
            refused = {"error": "invalid_request", "error_description": "Code verifier or code challenge is invalid."}
            return self._json(400, {**refused, "log_id": secrets.token_hex(8)})
        access, refresh = f"act.{secrets.token_hex(6)}", f"rft.{secrets.token_hex(6)}"
        with fake.lock:
            fake.refresh_tokens.add(refresh)
            fake.access_tokens.add(access)
        self._json(200, {"open_id": "open-2", "scope": asked["scope"], "access_token": access, "expires_in": 86400,
                         "refresh_token": refresh, "refresh_expires_in": 31536000, "token_type": "Bearer"})

    def _creator(self, token: str, request: dict) -> tuple[int, dict]:
        return 200, _answer({"creator_username": "wagglebot", "creator_nickname": "WaggleBot",
                             "privacy_level_options": self.fake.privacy_options, "comment_disabled": False,
                             "duet_disabled": False, "stitch_disabled": False, "max_video_post_duration_sec": 600})

    def _init(self, token: str, request: dict) -> tuple[int, dict]:
        fake = self.fake
        recent = [at for at in fake.inits.get(token, []) if at > fake.now - 60]
        if len(recent) >= INITS_PER_MINUTE:
            return 429, _answer(code="rate_limit_exceeded", message="Too many requests.")
        fake.inits[token] = [*recent, fake.now]
        post_info, source = request.get("post_info", {}), request.get("source_info", {})
        privacy = post_info.get("privacy_level")
        if privacy not in fake.privacy_options:
            return 400, _answer(code="privacy_level_option_mismatch", message=f"{privacy} is not offered")
        if privacy != "SELF_ONLY" and not fake.audited:
            return 403, _answer(code="unaudited_client_can_only_post_to_private_accounts")
        if problem := chunk_problem(source):
            return 400, _answer(code="invalid_params", message=problem)
        if fake.posts_today >= fake.daily_cap:
            return 403, _answer(code="spam_risk_too_many_posts", message="The daily post cap is reached.")
        fake.posts_today += 1
        publish_id = f"v_pub_file~v2-1.{secrets.token_hex(8)}"
        fake.publishes[publish_id] = Publish(publish_id, token, post_info, source["video_size"],
                                             source["chunk_size"], source["total_chunk_count"])
        return 200, _answer({"publish_id": publish_id, "upload_url": f"{fake.url}/upload/?upload_id={publish_id}"})

    def _status(self, token: str, request: dict) -> tuple[int, dict]:
        publish = self.fake.publishes.get(request.get("publish_id", ""))
        if publish is None:
            return 400, _answer(code="invalid_params", message="publish_id not found")
        if publish.status == "PROCESSING_UPLOAD" and len(publish.received) == publish.size:
            publish.polls_after_upload += 1
            if publish.polls_after_upload >= self.fake.polls_to_finish:
                publish.status, publish.fail_reason = ("FAILED", self.fake.outcome) if self.fake.outcome else (
                    "PUBLISH_COMPLETE", "")
        return 200, _answer({"status": publish.status, "fail_reason": publish.fail_reason,
                             "uploaded_bytes": len(publish.received), "publicaly_available_post_id": []})

    def do_PUT(self) -> None:
        fake = self.fake
        publish = fake.publishes.get(parse_qs(urlsplit(self.path).query).get("upload_id", [""])[0])
        span, _, total = self.headers.get("Content-Range", "").removeprefix("bytes ").partition("/")
        length = int(self.headers.get("Content-Length") or 0)
        with fake.lock:
            fake.log.append({"method": "PUT", "path": "/upload/", "range": self.headers.get("Content-Range", "")})
        if publish is None:
            self._read()
            return self._json(404, _answer(code="invalid_params", message="upload not found"))
        first, last = (int(n) for n in span.split("-"))
        index = first // publish.chunk_size
        final = index == publish.chunks - 1
        expected_end = publish.size if final else first + publish.chunk_size
        if int(total) != publish.size or first != len(publish.received) or last + 1 != expected_end:
            self._read()  # chunks go in order, whole, each starting where the last one ended
            return self._json(416, _answer(code="invalid_params", message=f"unexpected range {span}/{total}"))
        if fake.hang_up_in_chunk == index:
            fake.hang_up_in_chunk = None
            self.rfile.read(length // 2)  # half of it arrives; a chunk cut off counts for nothing
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        data = self.rfile.read(length)
        with fake.lock:
            publish.received += data
        self.send_response(201 if final else 206)
        self.send_header("Content-Length", "0")
        self.end_headers()
