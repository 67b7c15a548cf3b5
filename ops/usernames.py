"""Usernames that mean one account, on MariaDB too.

MariaDB's default collation compares ``ADMIN``, ``admin `` and ``ádmin`` equal to ``admin`` (it
ignores case, accents and trailing spaces), so Django's lookup by username logged all three in
as ``admin``. The backend accepts only the exact stored username; new usernames that look like an
existing one (same letters once case, accents, width and surrounding spaces are set aside) are
refused, so a look-alike account cannot be created to confuse moderators or the lockout.
"""

from __future__ import annotations

import unicodedata

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.utils.translation import gettext


class ExactUsernameBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        # The password was checked already, so a look-alike costs as much time as a wrong password.
        if user is not None and username is not None and user.get_username() != username:
            return None
        return user


def skeleton(username: str) -> str:
    """What a person (and MariaDB's collation) sees: width, case, accents and spaces set aside."""
    decomposed = unicodedata.normalize("NFKD", username)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().strip()


def username_validate(value: str) -> None:
    """A validator on User.username (ops.apps): no surrounding spaces, and no look-alike of another
    account. The comparison runs in Python; the database's collation would call them equal."""
    if value != value.strip():
        raise ValidationError(gettext("A username cannot start or end with a space."), code="username_spaces")
    target = skeleton(value)
    usernames = get_user_model()._default_manager.values_list("username", flat=True)
    taken = next((name for name in usernames if name != value and skeleton(name) == target), None)
    if taken is not None:
        raise ValidationError(
            gettext("This username is too similar to the existing “%(taken)s”."),
            code="username_lookalike", params={"taken": taken},
        )
