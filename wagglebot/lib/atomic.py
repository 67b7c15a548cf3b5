"""Write a file so that readers see the old file or the whole new one, never a half-written one."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a hidden sibling of ``path`` to write; it replaces ``path`` only if the block succeeds.

    A full disk or a crash mid-write then leaves no truncated file under the real name: the
    sibling is removed on any error (a SIGKILL leaves it hidden, and the next write reuses it).
    """
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    try:
        yield partial
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
