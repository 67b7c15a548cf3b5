"""``python -m wagglebot.lib.dbping URL``: exit 0 when the MariaDB server behind URL answers.

It also loads the server's time-zone tables when they are empty: with ``USE_TZ`` Django's date
lookups and ``date_hierarchy`` on MariaDB call ``CONVERT_TZ``, which returns NULL (and breaks
pages such as the login-attempt admin) until ``mariadb-tzinfo-to-sql`` has filled them.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from contextlib import closing

import environ

# Seconds the loader may wait for a lock on the time-zone tables before it gives up with an error.
LOAD_TIMEOUT_S = 120


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


def count_time_zones(url: str) -> int:
    """Rows in mysql.time_zone_name, read on a connection that is closed before this returns.

    MySQLdb does not autocommit: an open connection that has read the table keeps its metadata lock,
    and the loader's ``TRUNCATE TABLE time_zone_name`` would wait for it forever.
    """
    with closing(connect(url, autocommit=True)) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM mysql.time_zone_name")
        return cursor.fetchone()[0]


def ensure_time_zones(url: str, timeout: int = LOAD_TIMEOUT_S) -> None:
    if count_time_zones(url):
        return
    tool, client = shutil.which("mariadb-tzinfo-to-sql"), shutil.which("mariadb")
    if not (tool and client):
        sys.exit("MariaDB has no time-zone tables; install mariadb-client (it brings mariadb-tzinfo-to-sql)")
    config = environ.Env.db_url_config(url)
    server = f"{config['HOST'] or '127.0.0.1'}:{config['PORT'] or 3306}"
    # The server gives up on a lock first and the client prints which statement waited; the
    # subprocess timeout is the backstop for a client that hangs anywhere else.
    sql = f"SET SESSION lock_wait_timeout={timeout};\n".encode()
    sql += subprocess.run([tool, "/usr/share/zoneinfo"], capture_output=True, check=True).stdout
    password = [f"--password={config['PASSWORD']}"] if config["PASSWORD"] else []
    command = [client, f"--host={config['HOST'] or '127.0.0.1'}", f"--port={config['PORT'] or 3306}",
               f"--user={config['USER']}", *password, "mysql"]
    try:
        subprocess.run(command, input=sql, capture_output=True, check=True, timeout=timeout + 15)
    except subprocess.TimeoutExpired:
        sys.exit(f"loading the time-zone tables into MariaDB at {server} took over {timeout + 15} s: the mariadb "
                 "client was still waiting (SHOW PROCESSLIST shows what holds mysql.time_zone*)")
    except subprocess.CalledProcessError as exc:
        sys.exit(f"loading the time-zone tables into MariaDB at {server} failed; a lock wait timeout means another "
                 "session holds a lock on mysql.time_zone* (SHOW PROCESSLIST names it). The mariadb client said:\n"
                 + exc.stderr.decode().strip())
    print(f"loaded MariaDB time-zone tables at {server}", file=sys.stderr)


if __name__ == "__main__":
    if not reachable(sys.argv[1]):
        sys.exit(1)
    ensure_time_zones(sys.argv[1])
