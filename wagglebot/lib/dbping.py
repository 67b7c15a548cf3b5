"""``python -m wagglebot.lib.dbping URL``: exit 0 when the MariaDB server behind URL answers.

It also loads the server's time-zone tables when they are empty: with ``USE_TZ`` Django's date
lookups and ``date_hierarchy`` on MariaDB call ``CONVERT_TZ``, which returns NULL (and breaks
pages such as the login-attempt admin) until ``mariadb-tzinfo-to-sql`` has filled them.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import environ


def connect(url: str, **kwargs):
    import MySQLdb

    config = environ.Env.db_url_config(url)
    return MySQLdb.connect(
        host=config["HOST"] or "127.0.0.1", port=int(config["PORT"] or 3306),
        user=config["USER"], password=config["PASSWORD"] or "", connect_timeout=3, **kwargs,
    )


def reachable(url: str) -> bool:
    import MySQLdb

    try:
        connect(url).close()
    except MySQLdb.Error as exc:
        print(f"MariaDB behind {url} is not reachable: {exc}", file=sys.stderr)
        return False
    return True


def ensure_time_zones(url: str) -> None:
    cursor = connect(url).cursor()
    cursor.execute("SELECT COUNT(*) FROM mysql.time_zone_name")
    if cursor.fetchone()[0]:
        return
    tool, client = shutil.which("mariadb-tzinfo-to-sql"), shutil.which("mariadb")
    if not (tool and client):
        sys.exit("MariaDB has no time-zone tables; install mariadb-client (it brings mariadb-tzinfo-to-sql)")
    config = environ.Env.db_url_config(url)
    sql = subprocess.run([tool, "/usr/share/zoneinfo"], capture_output=True, check=True).stdout
    password = [f"--password={config['PASSWORD']}"] if config["PASSWORD"] else []
    subprocess.run(
        [client, f"--host={config['HOST'] or '127.0.0.1'}", f"--port={config['PORT'] or 3306}",
         f"--user={config['USER']}", *password, "mysql"],
        input=sql, check=True,
    )
    print("loaded MariaDB time-zone tables", file=sys.stderr)


if __name__ == "__main__":
    if not reachable(sys.argv[1]):
        sys.exit(1)
    ensure_time_zones(sys.argv[1])
