"""Log every pipeline stage and crawl run as STAGE_START / STAGE_DONE / STAGE_FAILED.

One line per event with ``event``, ``stage``, ``post_id``, ``duration_ms`` and ``error_code`` as
record attributes, so the JSON formatter (LOG_FORMAT=json) emits them as fields a log system can
chart, while the text formatter keeps a readable sentence.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from wagglebot.lib.metering import observe_stage

log = logging.getLogger("wagglebot.stages")


class StageError(Exception):
    """A stage's own failure: ``permanent`` when running it again would fail the same way.

    Each library raises its own subclass; the caller decides what the failure means for the
    work it was doing (the generation pipeline maps them to the lifecycle's failure kinds).
    """

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent


@contextmanager
def stage(name: str, *, post_id: int | None = None, **fields) -> Iterator[dict]:
    """Time a stage; the yielded dict collects extra fields for the STAGE_DONE line."""
    extra = {"stage": name, "post_id": post_id, **fields}
    log.info("STAGE_START %s post=%s", name, post_id, extra={"event": "STAGE_START", **extra})
    started = time.monotonic()
    result: dict = {}
    try:
        yield result
    except Exception as exc:
        ms = round((time.monotonic() - started) * 1000)
        # A failure that already has a name in the lifecycle's vocabulary (a webhook delivery's
        # WEBHOOK_TIMEOUT) logs that name; anything else its class.
        code = getattr(exc, "error_code", "") or type(exc).__name__
        log.warning(
            "STAGE_FAILED %s post=%s after %d ms: %s %s", name, post_id, ms, code, exc,
            extra={"event": "STAGE_FAILED", "duration_ms": ms, "error_code": code, **extra},
        )
        observe_stage(name, ms / 1000, ok=False)
        raise
    ms = round((time.monotonic() - started) * 1000)
    result["duration_ms"] = ms
    log.info(
        "STAGE_DONE %s post=%s in %d ms", name, post_id, ms,
        extra={"event": "STAGE_DONE", "duration_ms": ms, **extra, **result},
    )
    observe_stage(name, ms / 1000, ok=True)
