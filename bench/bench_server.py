"""Server benchmark (issue 3): getpeerinfo requests per second from one keep-alive client, for
8, 125 and 1,000 peers, as a ratio to the same server stack (a werkzeug app on waitress, reading
the request and answering through werkzeug's Response) returning the same bytes pre-serialized:
this stack's ceiling, measured in the same run. A bare WSGI callable on waitress, without
werkzeug, is printed too.

The node runs on a wall clock at 60x, so virtual time advances between calls (pings go out and
come back, peers re-render). The client is a separate process, as a real client is, and reports
how many TCP connections it used: it must be one.

Run: .venv/bin/python bench/bench_server.py [--seconds S]
"""

from __future__ import annotations

import argparse
import base64
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import row
from werkzeug.wrappers import Request, Response

from simnode.http.runner import ServedNode
from simnode.local import LocalNode

CLIENT = r"""
import http.client, json, sys, time
host, port, auth, seconds = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
body = b'{"jsonrpc":"1.0","id":"bench","method":"getpeerinfo","params":[]}'
conn = http.client.HTTPConnection(host, port, timeout=30)
sockets, count, size = set(), 0, 0
deadline = time.perf_counter() + seconds
started = time.perf_counter()
while time.perf_counter() < deadline:
    conn.request("POST", "/", body, {"Authorization": auth})
    response = conn.getresponse()
    size = len(response.read())
    assert response.status == 200
    sockets.add(id(conn.sock))
    count += 1
elapsed = time.perf_counter() - started
conn.close()
print(json.dumps({"rate": count / elapsed, "connections": len(sockets), "bytes": size}))
"""


def measure(host: str, port: int, auth: str, seconds: float) -> dict:
    output = subprocess.run(
        [sys.executable, "-c", CLIENT, host, str(port), auth, str(seconds)],
        capture_output=True, check=True, text=True,
    )  # fmt: skip
    return json.loads(output.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0, help="per measurement")
    options = parser.parse_args()
    widths = (8, 16, 16, 8, 13, 12)
    print("getpeerinfo over one keep-alive connection; the virtual clock runs at 60x")
    print(row("peers", "simnode req/s", "ceiling req/s", "ratio", "connections", "bare req/s",
              widths=widths))  # fmt: skip
    for peers in (8, 125, 1000):
        with LocalNode(peers=peers, seed=1, speed=60) as node:
            auth = "Basic " + base64.b64encode(f"{node.user}:{node.password}".encode()).decode()
            simnode = measure(node.host, node.port, auth, options.seconds)
            payload = node.app.reply_to(
                b'{"jsonrpc":"1.0","id":"bench","method":"getpeerinfo","params":[]}'
            ).body

        def canned(environ, start_response, payload=payload):
            request = Request(environ)
            request.get_data()
            response = Response(payload, content_type="application/json")
            return response(environ, start_response)

        def bare(environ, start_response, payload=payload):
            environ["wsgi.input"].read()
            start_response("200 OK", [("Content-Type", "application/json"),
                                      ("Content-Length", str(len(payload)))])  # fmt: skip
            return [payload]

        with ServedNode(canned) as served:
            ceiling = measure(served.host, served.port, auth, options.seconds)
        with ServedNode(bare) as served:
            bare_rate = measure(served.host, served.port, auth, options.seconds)["rate"]
        ratio = simnode["rate"] / ceiling["rate"]
        print(row(peers, f"{simnode['rate']:,.0f}", f"{ceiling['rate']:,.0f}", f"{ratio:.2f}",
                  simnode["connections"], f"{bare_rate:,.0f}", widths=widths))  # fmt: skip
    print("target: ratio >= 0.8 at 125 peers; connections must be 1")


if __name__ == "__main__":
    main()
