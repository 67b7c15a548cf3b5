"""How long ago, the way a Korean community page says it ("3시간 전")."""

from __future__ import annotations

from datetime import datetime


def age_ko(then: datetime, now: datetime) -> str:
    seconds = max(0, int((now - then).total_seconds()))
    for unit, size in (("일", 86400), ("시간", 3600), ("분", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit} 전"
    return "방금 전"
