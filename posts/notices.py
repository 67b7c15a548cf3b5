"""Warnings the moderation inbox shows publishers, contributed by the apps above posts.

posts may not import publishing (dependencies run one way), so publishing registers functions
here when its app loads: the inbox shows whatever the notices return, and "Upload now" asks the
upload blockers before it queues anything.
"""

from __future__ import annotations

from collections.abc import Callable

# A notice gets the user: an administrator sees server details a publisher cannot act on.
_INBOX_NOTICES: list[Callable[[object], str]] = []
_UPLOAD_BLOCKERS: list[Callable[[], str]] = []


def inbox_notice_register(notice: Callable[[object], str]) -> None:
    """Add a function of the user returning a warning for publishers, or "" when all is well."""
    if notice not in _INBOX_NOTICES:
        _INBOX_NOTICES.append(notice)


def inbox_notices(user) -> list[str]:
    return [text for notice in _INBOX_NOTICES if (text := notice(user))]


def upload_blocker_register(blocker: Callable[[], str]) -> None:
    """Add a function returning why no upload can run now, or "" when uploads can run."""
    if blocker not in _UPLOAD_BLOCKERS:
        _UPLOAD_BLOCKERS.append(blocker)


def upload_blocked() -> str:
    """Why uploads cannot run now ("" when they can): queuing one then only makes it wait."""
    return next((reason for blocker in _UPLOAD_BLOCKERS if (reason := blocker())), "")
