"""``python -m wagglebot.lib.dbping URL``: exit 0 when the MariaDB server behind URL answers."""

from __future__ import annotations

import sys

import environ


def reachable(url: str) -> bool:
    import MySQLdb

    config = environ.Env.db_url_config(url)
    try:
        MySQLdb.connect(
            host=config["HOST"] or "127.0.0.1", port=int(config["PORT"] or 3306),
            user=config["USER"], password=config["PASSWORD"] or "", connect_timeout=3,
        ).close()
    except MySQLdb.Error as exc:
        print(f"MariaDB at {config['HOST']}:{config['PORT']} is not reachable: {exc}", file=sys.stderr)
        return False
    return True


if __name__ == "__main__":
    sys.exit(0 if reachable(sys.argv[1]) else 1)
