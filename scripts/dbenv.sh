# Sourced by backup.sh and restore.sh: read settings the way wagglebot/settings.py does
# (environment first, then the .env file named by ENV_FILE) and split DATABASE_URL.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

die() { echo "!! $*" >&2; exit 1; }
say() { echo ">> $*" >&2; }

# setting NAME DEFAULT: the environment wins, then a NAME=value line of the .env file.
setting() {
    local name="$1" default="$2" file="${ENV_FILE:-$ROOT/.env}" line
    if [[ -n "${!name:-}" ]]; then printf '%s' "${!name}"; return; fi
    if [[ -r "$file" ]] && line="$(grep -E "^[[:space:]]*${name}=" "$file" | tail -n 1)"; then
        line="${line#*=}"; line="${line%\"}"; line="${line#\"}"; line="${line%\'}"; line="${line#\'}"
        printf '%s' "$line"; return
    fi
    printf '%s' "$default"
}

# parse_database_url URL: sets DB_ENGINE (mysql|sqlite), DB_NAME, DB_HOST, DB_PORT, DB_USER,
# DB_PASSWORD. Python's urllib decodes percent-escaped passwords that a shell split would not.
parse_database_url() {
    local assignments
    assignments="$(python3 - "$1" <<'PY'
import shlex, sys
from urllib.parse import unquote, urlsplit

url = urlsplit(sys.argv[1])
if url.scheme == "sqlite":
    values = {"ENGINE": "sqlite", "NAME": url.path[1:]}
elif url.scheme.startswith(("mysql", "mariadb")):
    values = {
        "ENGINE": "mysql", "NAME": unquote(url.path.lstrip("/")), "HOST": url.hostname or "",
        "PORT": str(url.port or ""), "USER": unquote(url.username or ""), "PASSWORD": unquote(url.password or ""),
    }
else:
    sys.exit(f"unsupported DATABASE_URL scheme {url.scheme!r}: use sqlite:/// or mysql://")
for key in ("ENGINE", "NAME", "HOST", "PORT", "USER", "PASSWORD"):
    print(f"DB_{key}={shlex.quote(values.get(key, ''))}")
PY
)" || die "cannot read DATABASE_URL"
    eval "$assignments"
    [[ -n "$DB_NAME" ]] || die "DATABASE_URL names no database"
}

# mariadb_args: connection options for mariadb / mariadb-dump; the password goes in MYSQL_PWD
# so it never shows in the process list.
mariadb_args() {
    MARIADB_ARGS=(--default-character-set=utf8mb4)
    [[ -n "$DB_HOST" ]] && MARIADB_ARGS+=(--host="$DB_HOST")
    [[ -n "$DB_PORT" ]] && MARIADB_ARGS+=(--port="$DB_PORT")
    [[ -n "$DB_USER" ]] && MARIADB_ARGS+=(--user="$DB_USER")
    if [[ -n "$DB_PASSWORD" ]]; then export MYSQL_PWD="$DB_PASSWORD"; else unset MYSQL_PWD; fi
}

first_binary() {
    local name
    for name in "$@"; do command -v "$name" && return; done
    die "none of $* is installed (Debian: apt-get install mariadb-client)"
}
