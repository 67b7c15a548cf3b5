"""A real HTTP receiver in a thread that checks each webhook's signature as README tells receivers to."""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from django.utils.module_loading import import_string
from django_q.models import OrmQ


def readme_verify():
    """README's receiver snippet itself, so the documented check is the one these tests run."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
    snippet = readme.split("### Webhooks", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    scope: dict = {}
    exec(snippet, scope)
    return scope["verify"]


verify = readme_verify()


@dataclass
class Received:
    headers: dict
    body: bytes
    verified: bool

    @property
    def json(self) -> dict:
        return json.loads(self.body)


class Receiver:
    """Answers each POST with the next of ``answers`` (a status, or "slow": no answer for 1.5 s, then 200)."""

    def __init__(self, *answers: int | str, secret: str = "") -> None:
        self.answers = list(answers) or [200]
        self.secret = secret
        self.received: list[Received] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                verified = bool(receiver.secret) and verify(receiver.secret, self.headers, body)
                receiver.received.append(Received(dict(self.headers), body, verified))
                answer = receiver.answers.pop(0) if len(receiver.answers) > 1 else receiver.answers[0]
                if answer == "slow":
                    time.sleep(1.5)
                    answer = 200
                self.send_response(answer)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(f"answer {answer} ".encode() * 100)  # longer than the logged excerpt

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def queued_deliveries() -> list[int]:
    return sorted(task.args()[0] for task in OrmQ.objects.all() if task.func() == "hooks.tasks.deliver")


def run_queued_deliveries() -> list[str]:
    """Run what the broker holds for the webhooks, as a worker of the default cluster would."""
    outcomes = []
    for task in OrmQ.objects.all():
        if task.func() == "hooks.tasks.deliver":
            task.delete()
            outcomes.append(import_string(task.func())(*task.args()))
    return outcomes


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"
