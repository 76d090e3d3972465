"""Transport benchmark (issue 15): is waitress the limit? The same WSGI apps (simnode's node with
8 peers, and the canned ceiling answering the same bytes) behind simnode's waitress runner and
behind cheroot (one thread per connection: it reads, runs the app and writes, with no hand-off
to a loop thread), on one keep-alive connection and on a new connection per request (what each
pytest test does), in the same run. A measurement, not a switch: cheroot would still have to
keep the node's HTTP contract (keep-alive, idle close, libevent's error pages, the work queue,
slow-client limits) that tests/http pins.

Run: .venv/bin/pip install -e '.[bench]' && .venv/bin/python bench/bench_transport.py
"""

from __future__ import annotations

import argparse
import base64
import http.client
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cheroot import wsgi
from common import row
from targets import GETPEERINFO, canned_app, reply_bytes

from simnode.http.runner import ServedNode
from simnode.local import LocalNode

BODY = b'{"jsonrpc":"1.0","id":"bench","method":"getpeerinfo","params":[]}'


@contextmanager
def on_waitress(app: Callable) -> Iterator[tuple[str, int]]:
    with ServedNode(app) as served:
        yield served.host, served.port


@contextmanager
def on_cheroot(app: Callable) -> Iterator[tuple[str, int]]:
    server = wsgi.Server(("127.0.0.1", 0), app, numthreads=8)
    server.prepare()
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    try:
        yield server.bind_addr[0], server.bind_addr[1]
    finally:
        server.stop()
        thread.join(10)


def requests_per_second(host: str, port: int, auth: str, seconds: float, keep: bool) -> float:
    """Sequential getpeerinfo calls from this thread (the app runs in this process too, as the
    pytest fixture's does), on one connection or a new one each."""
    headers = {"Authorization": auth, "Content-Type": "application/json"}
    connection = http.client.HTTPConnection(host, port, timeout=10) if keep else None
    count, deadline = 0, time.perf_counter() + seconds
    started = time.perf_counter()
    while time.perf_counter() < deadline:
        current = connection or http.client.HTTPConnection(host, port, timeout=10)
        current.request("POST", "/", BODY, headers)
        reply = current.getresponse()
        reply.read()
        assert reply.status == 200
        if not keep:
            current.close()
        count += 1
    if connection:
        connection.close()
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    node = LocalNode(peers=8, seed=1)
    auth = "Basic " + base64.b64encode(f"{node.user}:{node.password}".encode()).decode()
    apps = {"simnode": node.app, "canned": canned_app(reply_bytes(node, GETPEERINFO))}
    servers = {"waitress": on_waitress, "cheroot": on_cheroot}
    best: dict[tuple[str, str, bool], float] = {}
    for _ in range(options.rounds):
        for server_name, serve in servers.items():
            for app_name, app in apps.items():
                with serve(app) as (host, port):
                    for keep in (True, False):
                        rate = requests_per_second(host, port, auth, options.seconds, keep)
                        key = (server_name, app_name, keep)
                        best[key] = max(best.get(key, 0.0), rate)
    widths = (12, 14, 16, 16, 10)
    print("getpeerinfo, 8 peers, client in the server's process; best of", options.rounds)
    print(row("server", "connection", "simnode req/s", "canned req/s", "ratio", widths=widths))
    for server_name in servers:
        for keep in (True, False):
            simnode, canned = best[server_name, "simnode", keep], best[server_name, "canned", keep]
            print(row(server_name, "keep-alive" if keep else "new each", f"{simnode:,.0f}",
                      f"{canned:,.0f}", f"{simnode / canned:.2f}", widths=widths))  # fmt: skip


if __name__ == "__main__":
    main()
