"""The console pages (ops/console.py) are admin pages: the posts tests' users and static setup."""

from tests.posts.conftest import (  # noqa: F401 (fixtures)
    _plain_static_storage,
    moderator,
    moderator_client,
    publisher,
    publisher_client,
    roles,
)
