"""Fixtures for the moderation console: users in each role and posts in each status."""

from __future__ import annotations

import itertools

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group, User

from posts.lifecycle import Failure
from posts.models import Post, Status
from posts.roles import roles_sync

_origin = itertools.count(1)

# Legal paths from COLLECTED to each status, through the model's own moves.
PATHS = {
    Status.COLLECTED: [],
    Status.DECLINED: ["decline"],
    Status.HELD: ["hold"],
    Status.APPROVED: ["approve"],
    Status.PROCESSING: ["approve", "claim_generation"],
    Status.RENDERED: ["approve", "claim_generation", "mark_rendered"],
    Status.UPLOADING: ["approve", "claim_generation", "mark_rendered", "schedule_upload", "claim_upload"],
    Status.UPLOADED: ["approve", "claim_generation", "mark_rendered", "schedule_upload", "claim_upload",
                      "mark_uploaded"],
}


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest storage of DEBUG=false needs collectstatic; tests render admin pages without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def make_post(status: str = Status.COLLECTED, **fields) -> Post:
    n = next(_origin)
    defaults = {
        "site_code": "nate_pann", "origin_id": f"p{n}", "url": f"https://pann.nate.com/talk/{n}",
        "title": f"게시물 {n}", "content": "본문 " * 20, "score": 50.0,
    }
    post = Post.objects.create(**{**defaults, **fields})
    if status == Status.FAILED:
        for move in PATHS[Status.PROCESSING]:
            post.apply(move)
        post.apply("fail", failure=Failure.RENDER_FAILED, reason="ffmpeg exited 1")
    else:
        for move in PATHS[status]:
            post.apply(move)
    return post


@pytest.fixture
def roles(db):
    roles_sync(django_apps)  # a transactional test before this one may have flushed the groups


def _member(username: str, group: str) -> User:
    user = User.objects.create_user(username, password="pw-" + username, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def moderator(roles):
    return _member("mod", "Moderators")


@pytest.fixture
def publisher(roles):
    return _member("pub", "Publishers")


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


@pytest.fixture
def publisher_client(client, publisher):
    client.force_login(publisher)
    return client
