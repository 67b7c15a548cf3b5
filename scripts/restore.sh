#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into a database (created when missing) and a
# media folder.
#
#   scripts/restore.sh BACKUP|latest [--database-url URL] [--media DIR] [--no-media] [--force]
#
# BACKUP is a wagglebot-<time> folder; "latest" picks the newest one in BACKUP_DIR. The target
# database and media folder default to DATABASE_URL and MEDIA_ROOT (environment, then .env).
# Restoring over a database that has tables, or a media folder that has files, needs --force:
# a restore pointed at the wrong DATABASE_URL must not wipe live data.
set -euo pipefail
source "$(dirname "$0")/dbenv.sh"

[[ $# -ge 1 && "$1" != -* ]] || { sed -n '2,11p' "$0"; exit 2; }
BACKUP="$1"; shift
DATABASE_URL="$(setting DATABASE_URL "sqlite:///$ROOT/db.sqlite3")"
MEDIA="$(setting MEDIA_ROOT "$ROOT/media")"
WITH_MEDIA=1
FORCE=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --database-url) DATABASE_URL="$2"; shift 2 ;;
        --media) MEDIA="$2"; shift 2 ;;
        --no-media) WITH_MEDIA=0; shift ;;
        --force) FORCE=1; shift ;;
        *) die "unknown argument $1" ;;
    esac
done
if [[ "$BACKUP" == latest ]]; then
    DEST="$(setting BACKUP_DIR "$ROOT/backups")"
    BACKUP="$(find "$DEST" -mindepth 1 -maxdepth 1 -type d -name 'wagglebot-*' | sort | tail -n 1)"
    [[ -n "$BACKUP" ]] || die "no backups in $DEST"
fi
[[ -f "$BACKUP/MANIFEST" ]] || die "$BACKUP is not a complete backup (no MANIFEST)"
parse_database_url "$DATABASE_URL"

restore_mariadb() {
    local client tables
    [[ -f "$BACKUP/db.sql.gz" ]] || die "$BACKUP holds no MariaDB dump (db.sql.gz)"
    # The name goes into SQL between backticks: allow only what MariaDB names need.
    [[ "$DB_NAME" =~ ^[A-Za-z0-9_]+$ ]] || die "database name '$DB_NAME' has characters this script refuses"
    client="$(first_binary mariadb mysql)"
    mariadb_args
    tables="$("$client" "${MARIADB_ARGS[@]}" -N -e \
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '$DB_NAME'")"
    if [[ "$tables" != 0 && "$FORCE" != 1 ]]; then
        die "database $DB_NAME already has $tables tables; pass --force to restore over it"
    fi
    say "restoring MariaDB database $DB_NAME from $BACKUP"
    "$client" "${MARIADB_ARGS[@]}" -e \
        "CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
    gunzip -c "$BACKUP/db.sql.gz" | "$client" "${MARIADB_ARGS[@]}" "$DB_NAME"
}

restore_sqlite() {
    [[ -f "$BACKUP/db.sqlite3.gz" ]] || die "$BACKUP holds no SQLite copy (db.sqlite3.gz)"
    if [[ -e "$DB_NAME" && "$FORCE" != 1 ]]; then die "$DB_NAME exists; pass --force to replace it"; fi
    say "restoring SQLite database $DB_NAME from $BACKUP"
    mkdir -p "$(dirname "$DB_NAME")"
    gunzip -c "$BACKUP/db.sqlite3.gz" > "$DB_NAME.restoring"
    # A WAL left from the replaced file would be replayed onto the restored one.
    rm -f -- "$DB_NAME-wal" "$DB_NAME-shm"
    mv -- "$DB_NAME.restoring" "$DB_NAME"
}

restore_media() {
    if [[ ! -d "$BACKUP/media" ]]; then say "backup has no media"; return; fi
    if [[ -d "$MEDIA" && -n "$(ls -A "$MEDIA")" && "$FORCE" != 1 ]]; then
        die "media folder $MEDIA is not empty; pass --force to replace its contents"
    fi
    say "restoring media into $MEDIA"
    mkdir -p "$MEDIA"
    if command -v rsync >/dev/null; then
        rsync -a --delete "$BACKUP/media/" "$MEDIA/"
    else
        find "$MEDIA" -mindepth 1 -delete
        cp -a "$BACKUP/media/." "$MEDIA/"
    fi
}

if [[ "$DB_ENGINE" == mysql ]]; then restore_mariadb; else restore_sqlite; fi
if [[ "$WITH_MEDIA" == 1 ]]; then restore_media; fi
say "restored $BACKUP"
