"""Migrating a database filled under the old schema keeps every row's meaning."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from posts.lifecycle import Failure, Phase

OLD = [("posts", "0004_inbox_canonical_index")]
NEW = [("posts", "0005_phase_attempts")]
# status, error_code, error_permanent, attempts → what the post must say after the migration
ROWS = [
    ("COLLECTED", "", False, 0, None, 0, 0),
    ("APPROVED", "LEASE_EXPIRED", False, 1, Failure.LEASE_EXPIRED, 1, 0),
    ("PROCESSING", "", False, 2, None, 2, 0),
    ("RENDERED", "QUOTA_WAIT", False, 1, Failure.QUOTA_WAIT, 0, 1),
    ("UPLOADING", "", False, 2, None, 0, 2),
    ("UPLOADED", "", False, 1, None, 0, 1),
    ("FAILED", "TTS_FAILED", True, 3, Failure.TTS_INVALID, 3, 0),
    ("FAILED", "RENDER_FAILED", False, 2, Failure.RENDER_FAILED, 2, 0),
    ("FAILED", "UPLOAD_FAILED", True, 1, Failure.UPLOAD_REJECTED, 0, 1),
    ("FAILED", "UPLOAD_FAILED", False, 3, Failure.UPLOAD_FAILED, 0, 3),
    ("DECLINED", "", False, 0, None, 0, 0),
    ("TAKEN_DOWN", "", False, 1, None, 0, 1),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_per_phase_attempts_migration_keeps_every_post_and_its_meaning():
    old_apps = migrate(OLD)
    OldPost = old_apps.get_model("posts", "Post")
    OldChange = old_apps.get_model("posts", "StatusChange")
    until = timezone.now()
    ids = []
    for n, (status, code, permanent, attempts, *_) in enumerate(ROWS):
        post = OldPost.objects.create(
            site_code="nate_pann", origin_id=f"m{n}", url=f"https://pann.nate.com/talk/m{n}", title=f"글 {n}",
            status=status, error_code=code, error_permanent=permanent, attempts=attempts,
            not_before=until if code == "QUOTA_WAIT" else None,
        )
        OldChange.objects.create(post=post, old="COLLECTED", new=status, reason="before", error_code=code)
        ids.append(post.pk)

    try:
        new_apps = migrate(NEW)
        Post = new_apps.get_model("posts", "Post")
        for pk, (status, _code, permanent, _attempts, failure, generation, upload) in zip(ids, ROWS, strict=True):
            post = Post.objects.get(pk=pk)
            assert (post.status, post.error_code, post.error_permanent) == (
                status, failure.code if failure else "", permanent), pk
            assert (post.generation_attempts, post.upload_attempts, post.take_down_attempts) == (generation, upload, 0)
            assert post.not_before == (until if failure is Failure.QUOTA_WAIT else None)
            assert failure is None or failure.permanent == permanent
        assert new_apps.get_model("posts", "StatusChange").objects.filter(reason="before").count() == len(ROWS)
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_every_phase_has_its_attempt_column():
    from posts.models import Post

    assert {field.name for field in Post._meta.fields} >= {phase.attempts_field for phase in Phase}
