"""Log formatting: one JSON object per line for log systems, plain text for people.

``LOG_FORMAT=json`` installs :class:`JsonFormatter`. Besides ``ts``, ``level``, ``logger`` and
``message`` it copies every attribute a caller passed with ``extra=`` (``event``, ``stage``,
``post_id``, ``duration_ms``, ``error_code``, ``site`` …), so ``wagglebot.lib.stages`` lines can
be filtered and charted without parsing the message.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

FORMATS = ("json", "text")
# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def default_format() -> str:
    """Readable text when a person watches the terminal, JSON when output goes to a file or pipe."""
    return "text" if sys.stderr.isatty() else "json"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        data.update(extra_fields(record))
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            data["stack"] = self.formatStack(record.stack_info)
        # default=str: a Path or datetime passed in ``extra`` must not cost the log line.
        return json.dumps(data, ensure_ascii=False, default=str)


def extra_fields(record: logging.LogRecord) -> dict:
    return {key: value for key, value in vars(record).items() if key not in _STANDARD and not key.startswith("_")}
