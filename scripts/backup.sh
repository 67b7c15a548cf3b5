#!/usr/bin/env bash
# Back up WaggleBot's database and media into BACKUP_DIR/wagglebot-<UTC time>/, then delete
# backups older than BACKUP_KEEP_DAYS (the newest one always stays).
#
#   scripts/backup.sh [--database-url URL] [--media DIR] [--dest DIR] [--keep-days N] [--no-media]
#
# Defaults: DATABASE_URL, MEDIA_ROOT, BACKUP_DIR (./backups), BACKUP_KEEP_DAYS (14), read from
# the environment, then .env. MariaDB is dumped with --single-transaction (a consistent snapshot
# while workers keep writing); SQLite through its online backup API, which includes pages still
# in the WAL that a plain file copy would miss. Media is copied with rsync --link-dest against
# the previous backup, so unchanged videos cost a hard link, not a second copy.
set -euo pipefail
source "$(dirname "$0")/dbenv.sh"

DATABASE_URL="$(setting DATABASE_URL "sqlite:///$ROOT/db.sqlite3")"
MEDIA="$(setting MEDIA_ROOT "$ROOT/media")"
DEST="$(setting BACKUP_DIR "$ROOT/backups")"
KEEP_DAYS="$(setting BACKUP_KEEP_DAYS 14)"
WITH_MEDIA=1
while [[ $# -gt 0 ]]; do
    case "$1" in
        --database-url) DATABASE_URL="$2"; shift 2 ;;
        --media) MEDIA="$2"; shift 2 ;;
        --dest) DEST="$2"; shift 2 ;;
        --keep-days) KEEP_DAYS="$2"; shift 2 ;;
        --no-media) WITH_MEDIA=0; shift ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) die "unknown argument $1 (see --help)" ;;
    esac
done
[[ "$KEEP_DAYS" =~ ^[0-9]+$ ]] || die "BACKUP_KEEP_DAYS must be a whole number of days, not '$KEEP_DAYS'"
parse_database_url "$DATABASE_URL"

dump_mariadb() {
    local dump
    dump="$(first_binary mariadb-dump mysqldump)"
    mariadb_args
    say "dumping MariaDB database $DB_NAME"
    "$dump" "${MARIADB_ARGS[@]}" --single-transaction --quick --routines --triggers --hex-blob \
        "$DB_NAME" | gzip -c > "$1/db.sql.gz"
}

dump_sqlite() {
    [[ -f "$DB_NAME" ]] || die "SQLite database $DB_NAME does not exist"
    say "copying SQLite database $DB_NAME"
    python3 -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).backup(sqlite3.connect(sys.argv[2]))' \
        "$DB_NAME" "$1/db.sqlite3"
    gzip "$1/db.sqlite3"
}

copy_media() {
    local work="$1" previous="$2"
    if [[ ! -d "$MEDIA" ]]; then say "no media folder at $MEDIA: nothing to copy"; return; fi
    say "copying media from $MEDIA"
    if command -v rsync >/dev/null; then
        local link=()
        [[ -n "$previous" && -d "$previous/media" ]] && link=(--link-dest="$previous/media")
        rsync -a "${link[@]}" "$MEDIA/" "$work/media/"
    else
        cp -a "$MEDIA/." "$work/media/"
    fi
}

prune() {
    local old
    while IFS= read -r old; do
        say "deleting backup older than $KEEP_DAYS days: $old"
        rm -rf -- "$old"
    done < <(find "$DEST" -mindepth 1 -maxdepth 1 -type d -name 'wagglebot-*' ! -path "$1" \
        -mmin +$((KEEP_DAYS * 1440)))
}

mkdir -p "$DEST"
DEST="$(cd "$DEST" && pwd)"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
FINAL="$DEST/wagglebot-$STAMP"
WORK="$DEST/.partial-$STAMP"
[[ -e "$FINAL" ]] && die "$FINAL already exists"
PREVIOUS="$(find "$DEST" -mindepth 1 -maxdepth 1 -type d -name 'wagglebot-*' | sort | tail -n 1)"
# A failed run leaves no half backup that pruning or a restore could mistake for a good one.
trap 'rm -rf -- "$WORK"' EXIT
mkdir "$WORK"

if [[ "$DB_ENGINE" == mysql ]]; then dump_mariadb "$WORK"; else dump_sqlite "$WORK"; fi
if [[ "$WITH_MEDIA" == 1 ]]; then copy_media "$WORK" "$PREVIOUS"; fi
printf 'created=%s\nengine=%s\ndatabase=%s\nmedia=%s\n' "$STAMP" "$DB_ENGINE" "$DB_NAME" \
    "$([[ -d "$WORK/media" ]] && echo yes || echo no)" > "$WORK/MANIFEST"
mv "$WORK" "$FINAL"
trap - EXIT
prune "$FINAL"
say "backup written to $FINAL ($(du -sh "$FINAL" | cut -f1))"
echo "$FINAL"
