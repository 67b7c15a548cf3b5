"""Serve this host's stage durations to Prometheus, for machines that run no web server.

    python -m ops.metrics_exporter [--addr 127.0.0.1] [--port 9108]

``/metrics`` on the web server merges the stage files of every process that writes into its
``METRICS_DIR``. A cluster on another machine writes into that machine's own folder (memory-mapped
files must not be shared over a network file system), so each such machine runs this exporter and
Prometheus scrapes it beside the web server. It serves only stage durations: posts, queues, crawls
and quota come from the database and are served once, by the web server.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

import django

log = logging.getLogger("ops.metrics_exporter")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--addr", default="127.0.0.1", help="address to listen on (0.0.0.0: every interface)")
    parser.add_argument("--port", type=int, default=9108, help="port; 0 picks a free one")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wagglebot.settings")
    django.setup()

    from prometheus_client import CollectorRegistry, start_http_server

    from ops.metrics import StageCollector

    registry = CollectorRegistry(auto_describe=False)
    registry.register(StageCollector())
    server, thread = start_http_server(args.port, addr=args.addr, registry=registry)
    # The port on stdout lets a supervisor (or a test) that asked for port 0 find it.
    print(server.server_port, flush=True)
    log.info("serving stage metrics on %s:%s", args.addr, server.server_port)
    thread.join()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
