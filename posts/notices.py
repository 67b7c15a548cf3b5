"""Warnings the moderation inbox shows publishers, contributed by the apps above posts.

posts may not import publishing (dependencies run one way), so publishing registers a function
here when its app loads and the inbox shows whatever the registered functions return.
"""

from __future__ import annotations

from collections.abc import Callable

_INBOX_NOTICES: list[Callable[[], str]] = []


def inbox_notice_register(notice: Callable[[], str]) -> None:
    """Add a function returning a warning for publishers, or "" when all is well."""
    if notice not in _INBOX_NOTICES:
        _INBOX_NOTICES.append(notice)


def inbox_notices() -> list[str]:
    return [text for notice in _INBOX_NOTICES if (text := notice())]
