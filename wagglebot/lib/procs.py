"""Start the web server and both clusters as child processes, and always stop them again.

Used by ``manage.py demo`` and the end-to-end test. Each child runs in its own process group so
that stopping it also stops the workers a Django-Q2 cluster forks; ``stop()`` runs on every exit
path, including a failed test or Ctrl-C.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings


class ServiceError(RuntimeError):
    """A child process died or never became ready."""


@dataclass
class Service:
    name: str
    process: subprocess.Popen
    log_path: Path


@dataclass
class ServiceGroup:
    log_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    services: list[Service] = field(default_factory=list)

    def manage(self, name: str, *args: str, env: dict[str, str] | None = None) -> Service:
        """Start ``python manage.py ARGS`` with this group's environment plus ``env``."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.log_dir / f"{name}.log"
        log = log_path.open("wb")  # one run's output: the demo follows this file from its start
        process = subprocess.Popen(
            [sys.executable, str(settings.BASE_DIR / "manage.py"), *args],
            cwd=settings.BASE_DIR,
            env={**os.environ, **self.env, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        service = Service(name, process, log_path)
        self.services.append(service)
        return service

    def web(self, port: int) -> Service:
        service = self.manage("web", "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure")
        self.wait_http(service, f"http://127.0.0.1:{port}/healthz")
        return service

    def cluster(self, name: str) -> Service:
        return self.manage(f"cluster-{name}", "runcluster", env={"Q_CLUSTER_NAME": name})

    def wait_http(self, service: Service, url: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                urllib.request.urlopen(url, timeout=2).close()
                return
            except urllib.error.HTTPError:
                return  # the server answers; a 503 health report is still an answer
            except OSError:
                time.sleep(0.3)
        raise ServiceError(f"{service.name} did not answer {url} within {timeout:.0f} s; see {service.log_path}")

    def check_alive(self) -> None:
        for service in self.services:
            if service.process.poll() is not None:
                raise ServiceError(
                    f"{service.name} exited with code {service.process.returncode}; see {service.log_path}"
                )

    def stop(self, grace: float = 10) -> None:
        for service in self.services:
            _signal_group(service.process, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for service in self.services:
            try:
                service.process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                _signal_group(service.process, signal.SIGKILL)
                service.process.wait()
        self.services.clear()

    def __enter__(self) -> ServiceGroup:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
