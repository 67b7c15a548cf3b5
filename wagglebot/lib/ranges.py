"""HTTP Range (RFC 9110 §14) for serving files: a browser's <video> seeks with these requests."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 64 * 1024


class Unsatisfiable(Exception):
    """A Range header that names no byte of the file (answered with 416)."""


def range_parse(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) byte, inclusive, for a single range; None when the whole file is wanted.

    Multi-range requests are answered with the whole file, which RFC 9110 allows; browsers
    never send them for media.
    """
    match = RANGE.match(header.strip()) if header else None
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # suffix range: the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            raise Unsatisfiable(header)
        return max(size - length, 0), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        raise Unsatisfiable(header)
    return start, end


def file_slice(path: Path, start: int, end: int) -> Iterator[bytes]:
    with path.open("rb") as handle:
        handle.seek(start)
        left = end - start + 1
        while left > 0:
            chunk = handle.read(min(CHUNK, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk
