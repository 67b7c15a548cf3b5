"""A socket guard for tests: ``sitecustomize.py`` here is loaded by every Python process started
with ``guarded_env``; in the test process itself, apply ``sitecustomize.guards`` with monkeypatch."""

from __future__ import annotations

import os
from pathlib import Path


def guarded_env(log: Path) -> dict[str, str]:
    """The environment of a process whose Python processes all refuse to leave loopback."""
    return {**os.environ, "PYTHONPATH": str(Path(__file__).parent), "NETGUARD_LOG": str(log)}
