from __future__ import annotations

import os
import sqlite3
import subprocess
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import MySQLdb
import pytest
from django.contrib.auth.models import User
from django.db import connection

from posts.models import Comment, Post
from tests.conftest import require_binary

ROOT = Path(__file__).resolve().parents[2]
BACKUP = ROOT / "scripts" / "backup.sh"
RESTORE = ROOT / "scripts" / "restore.sh"


def run(script: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    # ENV_FILE=/dev/null: the scripts must act on the arguments, never on a developer's .env.
    env = {**os.environ, "ENV_FILE": "/dev/null"}
    return subprocess.run([str(script), *map(str, args)], env=env, capture_output=True, text=True, check=check)


def write_media(root: Path) -> dict[str, bytes]:
    files = {"posts/1/video.mp4": os.urandom(4096), "posts/1/images/01.jpg": b"jpeg", "posts/2/audio.wav": b"RIFF"}
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return files


def read_media(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def make_posts(n: int) -> None:
    user = User.objects.create_user("moderator", is_staff=True)
    for i in range(n):
        post = Post.objects.create(site_code="theqoo", origin_id=str(i), url=f"https://theqoo.net/{i}", title="제목 🐶")
        Comment.objects.create(post=post, content="댓글", content_hash=f"{i:064d}", likes=i)
        if i % 2:
            post.apply("approve", by=user)


def mariadb_url(name: str) -> str:
    s = connection.settings_dict
    password = f":{quote(s['PASSWORD'], safe='')}" if s["PASSWORD"] else ""
    return f"mysql://{quote(s['USER'], safe='')}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 3306}/{name}"


def mariadb_connect(name: str | None = None):
    s = connection.settings_dict
    return MySQLdb.connect(
        host=s["HOST"] or "127.0.0.1", port=int(s["PORT"] or 3306), user=s["USER"], password=s["PASSWORD"] or "",
        database=name or "", charset="utf8mb4",
    )


def row_counts(cursor, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM `{table}`")
        counts[table] = cursor.fetchone()[0]
    return counts


@pytest.mark.mariadb
@pytest.mark.django_db(transaction=True)
def test_a_mariadb_backup_restores_into_a_new_database_with_every_row(mariadb_only, settings, tmp_path):
    require_binary("mariadb-dump")
    make_posts(12)
    media = write_media(Path(settings.MEDIA_ROOT))
    restored_db = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    restored_media = tmp_path / "restored-media"

    backup = run(BACKUP, "--database-url", mariadb_url(connection.settings_dict["NAME"]),
                 "--media", settings.MEDIA_ROOT, "--dest", tmp_path / "backups").stdout.strip()
    try:
        run(RESTORE, backup, "--database-url", mariadb_url(restored_db), "--media", restored_media)
        tables = connection.introspection.table_names()
        with connection.cursor() as cursor:
            original = row_counts(cursor, tables)
        with mariadb_connect(restored_db) as restored:
            copied = row_counts(restored.cursor(), tables)
            cursor = restored.cursor()
            cursor.execute("SELECT title FROM posts_post LIMIT 1")
            title = cursor.fetchone()[0]
    finally:
        with mariadb_connect() as admin:
            admin.cursor().execute(f"DROP DATABASE IF EXISTS `{restored_db}`")

    assert original["posts_post"] == 12 and original["posts_statuschange"] == 6
    assert copied == original
    assert title == "제목 🐶"
    assert read_media(restored_media) == media


@pytest.mark.mariadb
@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_mariadb_database_that_already_has_tables(mariadb_only, settings, tmp_path):
    require_binary("mariadb-dump")
    make_posts(1)
    url = mariadb_url(connection.settings_dict["NAME"])
    backup = run(BACKUP, "--database-url", url, "--no-media", "--dest", tmp_path).stdout.strip()

    result = run(RESTORE, backup, "--database-url", url, "--no-media", check=False)

    assert result.returncode != 0
    assert "pass --force" in result.stderr
    assert Post.objects.count() == 1


def sqlite_with_rows_in_the_wal(path: Path, rows: int) -> sqlite3.Connection:
    """A live SQLite database whose newest rows sit only in the WAL, as while workers write."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA wal_autocheckpoint=0")
    db.execute("CREATE TABLE post (id INTEGER PRIMARY KEY, title TEXT)")
    db.executemany("INSERT INTO post (title) VALUES (?)", [(f"제목 {i}",) for i in range(rows)])
    db.commit()
    return db


def test_a_sqlite_backup_includes_rows_still_in_the_wal_and_restores_with_media(tmp_path):
    live = sqlite_with_rows_in_the_wal(tmp_path / "db.sqlite3", rows=250)
    assert (tmp_path / "db.sqlite3-wal").stat().st_size > 0
    media = write_media(tmp_path / "media")

    backup = run(BACKUP, "--database-url", f"sqlite:///{tmp_path}/db.sqlite3",
                 "--media", tmp_path / "media", "--dest", tmp_path / "backups").stdout.strip()
    live.close()
    run(RESTORE, backup, "--database-url", f"sqlite:///{tmp_path}/restored.sqlite3", "--media", tmp_path / "restored")

    restored = sqlite3.connect(tmp_path / "restored.sqlite3")
    assert restored.execute("SELECT COUNT(*) FROM post").fetchone()[0] == 250
    assert read_media(tmp_path / "restored") == media


def test_restore_refuses_to_replace_an_existing_sqlite_file_without_force(tmp_path):
    sqlite_with_rows_in_the_wal(tmp_path / "db.sqlite3", rows=3).close()
    backup = run(BACKUP, "--database-url", f"sqlite:///{tmp_path}/db.sqlite3", "--no-media",
                 "--dest", tmp_path / "backups").stdout.strip()
    target = tmp_path / "live.sqlite3"
    target.write_bytes(b"live data")

    refused = run(RESTORE, backup, "--database-url", f"sqlite:///{target}", "--no-media", check=False)
    assert refused.returncode != 0
    assert target.read_bytes() == b"live data"

    run(RESTORE, backup, "--database-url", f"sqlite:///{target}", "--no-media", "--force")
    assert sqlite3.connect(target).execute("SELECT COUNT(*) FROM post").fetchone()[0] == 3


def age(path: Path, days: float) -> None:
    then = time.time() - days * 86400
    os.utime(path, (then, then))


def test_backups_older_than_the_retention_window_are_deleted(tmp_path):
    sqlite_with_rows_in_the_wal(tmp_path / "db.sqlite3", rows=1).close()
    dest = tmp_path / "backups"
    for name, days in (("wagglebot-old", 8), ("wagglebot-recent", 6)):
        (dest / name).mkdir(parents=True)
        age(dest / name, days)
    unrelated = dest / "notes"
    unrelated.mkdir()
    age(unrelated, 30)

    fresh = run(BACKUP, "--database-url", f"sqlite:///{tmp_path}/db.sqlite3", "--no-media",
                "--dest", dest, "--keep-days", "7").stdout.strip()

    assert sorted(p.name for p in dest.iterdir()) == sorted(["wagglebot-recent", Path(fresh).name, "notes"])


def test_a_failed_backup_leaves_no_partial_folder(tmp_path):
    dest = tmp_path / "backups"
    result = run(BACKUP, "--database-url", f"sqlite:///{tmp_path}/missing.sqlite3", "--dest", dest, check=False)

    assert result.returncode != 0
    assert "does not exist" in result.stderr
    assert list(dest.iterdir()) == []


def test_unchanged_media_is_hard_linked_to_the_previous_backup(tmp_path):
    require_binary("rsync")
    sqlite_with_rows_in_the_wal(tmp_path / "db.sqlite3", rows=1).close()
    write_media(tmp_path / "media")
    args = ("--database-url", f"sqlite:///{tmp_path}/db.sqlite3", "--media", tmp_path / "media", "--dest", tmp_path)
    first = Path(run(BACKUP, *args).stdout.strip())
    time.sleep(1.1)  # backup folders are named by the second
    second = Path(run(BACKUP, *args).stdout.strip())

    video = "media/posts/1/video.mp4"
    assert first != second
    assert (first / video).stat().st_ino == (second / video).stat().st_ino
