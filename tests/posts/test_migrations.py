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
    return executor.loader.project_state([target for target in targets if target[1]]).apps


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


OLD_DATA = [("generation", None), ("posts", "0004_inbox_canonical_index"), ("publishing", "0001_initial")]


@pytest.mark.django_db(transaction=True)
def test_content_uploads_and_stats_keep_every_value_when_they_move_to_their_apps():
    old = migrate(OLD_DATA)
    OldPost, Content = old.get_model("posts", "Post"), old.get_model("posts", "Content")
    VideoStats = old.get_model("publishing", "VideoStats")
    now = timezone.now().replace(microsecond=0)
    session = {"attempted": True, "key": "wb-1", "session_uri": "https://upload.example/s/1", "bytes_sent": 262144}
    rows = {}
    for n, status in enumerate(["APPROVED", "RENDERED", "UPLOADING", "UPLOADED", "TAKEN_DOWN", "FAILED"]):
        post = OldPost.objects.create(site_code="theqoo", origin_id=f"d{n}", url=f"https://theqoo.net/{n}",
                                      title=f"글 {n}", status=status, attempts=1)
        meta = {"uploader": "youtube", "session": {**session, "key": f"wb-{post.pk}"}} if n >= 2 else {}
        content = Content.objects.create(
            post=post, script=f"대본 {n}", script_source="llm", title=f"제목 {n}", tags=["태그", str(n)],
            video_path=f"posts/{post.pk}/video.mp4" if n else "", qc={"passed": True, "lufs": -14.1},
            generation_meta={"engines": {"speech": {"engine": "espeak"}}},
            platform_id=f"vid{n}" if n >= 3 else "", video_url=f"https://youtu.be/vid{n}" if n >= 3 else "",
            uploaded_at=now if n >= 3 else None,
            upload_meta={**meta, "publish_at": now.isoformat(), "stats": {"views": 5}} if n == 4 else meta,
        )
        if n == 3:
            VideoStats.objects.create(post=post, platform_id="vid3", views=1234, likes=56, comments=7, fetched_at=now)
        if n == 4:
            content.upload_meta = {**content.upload_meta, "taken_down_at": now.isoformat()}
            content.save()
        rows[post.pk] = n

    try:
        new = migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
        Short, Upload = new.get_model("generation", "Short"), new.get_model("publishing", "Upload")
        assert Short.objects.count() == len(rows)
        for pk, n in rows.items():
            short = Short.objects.get(post_id=pk)
            assert (short.script, short.title, short.tags) == (f"대본 {n}", f"제목 {n}", ["태그", str(n)])
            assert short.qc == {"passed": True, "lufs": -14.1}
            assert short.generation_meta["engines"]["speech"]["engine"] == "espeak"
        uploads = {upload.post_id: upload for upload in Upload.objects.all()}
        assert sorted(rows[pk] for pk in uploads) == [2, 3, 4, 5]
        by_n = {rows[pk]: upload for pk, upload in uploads.items()}
        assert by_n[2].session["session_uri"] == session["session_uri"] and by_n[2].video_id == ""
        assert (by_n[3].video_id, by_n[3].url, by_n[3].uploaded_at) == ("vid3", "https://youtu.be/vid3", now)
        assert (by_n[3].views, by_n[3].likes, by_n[3].comments, by_n[3].stats_fetched_at) == (1234, 56, 7, now)
        assert (by_n[4].publish_at, by_n[4].taken_down_at, by_n[4].views) == (now, now, 5)
        assert all(upload.platform == "youtube" for upload in uploads.values())
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
