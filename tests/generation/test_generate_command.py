"""``manage.py generate`` refuses a limit that is not a count of posts, before generating anything."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from posts.models import Status
from tests.factories import make_post


@pytest.mark.django_db
@pytest.mark.parametrize("limit", ["0", "-1"])
def test_a_limit_below_one_is_a_one_line_error(limit):
    post = make_post(status=Status.APPROVED)

    with pytest.raises(CommandError, match=f"--limit must be 1 or more, not {limit}"):
        call_command("generate", "--approved", "--limit", limit)

    post.refresh_from_db()
    assert post.status == Status.APPROVED  # nothing was generated
