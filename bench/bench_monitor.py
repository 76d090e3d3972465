"""Monitor benchmark (issue 10): a monitor's whole refresh (every monitor method the release
has, in one JSON-RPC batch) per second against a served node with 12 peers and a mempool, as a
ratio to one getpeerinfo call per second against the same node, measured in the same run.
Target: a refresh costs no more than 3x one getpeerinfo (ratio of rates >= 1/3).

The client is a separate process on one keep-alive connection, as a monitor is.

Run: .venv/bin/python bench/bench_monitor.py [--seconds S]
"""

from __future__ import annotations

import argparse
import base64
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import canned_app, reply_bytes, row

from simnode.http.runner import ServedNode
from simnode.local import LocalNode
from simnode.model import TransactionsArrived
from simnode.rpc import default_table
from simnode.scenarios.goldens import MONITOR_CALLS

CLIENT = r"""
import http.client, json, sys, time
host, port, auth = sys.argv[1], int(sys.argv[2]), sys.argv[3]
seconds, body = float(sys.argv[4]), sys.argv[5].encode()
conn = http.client.HTTPConnection(host, port, timeout=30)
count, size = 0, 0
deadline = time.perf_counter() + seconds
started = time.perf_counter()
while time.perf_counter() < deadline:
    conn.request("POST", "/", body, {"Authorization": auth})
    response = conn.getresponse()
    data = response.read()
    assert response.status == 200, data[:200]
    size = len(data)
    count += 1
elapsed = time.perf_counter() - started
conn.close()
print(json.dumps({"rate": count / elapsed, "bytes": size}))
"""


def measure(node: LocalNode, body: object, seconds: float, at: ServedNode | None = None) -> dict:
    """Rates of ``body`` sent to ``node`` (or, with the node's credentials, to ``at``)."""
    auth = "Basic " + base64.b64encode(f"{node.user}:{node.password}".encode()).decode()
    server = at or node
    output = subprocess.run(
        [sys.executable, "-c", CLIENT, server.host, str(server.port), auth, str(seconds),
         json.dumps(body)],
        capture_output=True, check=True, text=True,
    )  # fmt: skip
    return json.loads(output.stdout)


def refresh_batch(node: LocalNode) -> list[dict]:
    """The monitor's refresh: every call the profile has, placeholders filled from the node."""
    snapshot = node.node.snapshot()
    fill = {"BEST": snapshot.chain.tip.hash, "TXID": snapshot.mempool.entries[0].txid}
    available = default_table().available(node.profile)
    return [
        {"jsonrpc": "1.0", "id": index, "method": method,
         "params": [fill.get(a, a) if isinstance(a, str) else a for a in args]}
        for index, (method, args) in enumerate(MONITOR_CALLS)
        if method in available and "STALE" not in args
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0, help="per measurement")
    options = parser.parse_args()
    widths = (12, 9, 11, 12, 15, 8, 14, 8)
    print("one keep-alive client; 12 peers, 200 mempool transactions; virtual clock at 1x")
    print(row("profile", "methods", "reply kB", "refresh/s", "getpeerinfo/s", "ratio",
              "canned same/s", "vs canned", widths=widths))  # fmt: skip
    for profile in ("pai", "bitcoin-28"):
        with LocalNode(peers=12, seed=1, speed=1, profile=profile) as node:
            node.node.apply(TransactionsArrived(200))
            batch = refresh_batch(node)
            single = {"jsonrpc": "1.0", "id": 1, "method": "getpeerinfo", "params": []}
            refresh = measure(node, batch, options.seconds)
            peers = measure(node, single, options.seconds)
            payload = reply_bytes(node, batch)
            with ServedNode(canned_app(payload)) as canned:
                ceiling = measure(node, batch, options.seconds, at=canned)
        ratio = refresh["rate"] / peers["rate"]
        print(row(profile, len(batch), f"{len(payload) / 1e3:,.0f}", f"{refresh['rate']:,.0f}",
                  f"{peers['rate']:,.0f}", f"{ratio:.2f}", f"{ceiling['rate']:,.0f}",
                  f"{refresh['rate'] / ceiling['rate']:.2f}", widths=widths))  # fmt: skip
    print("target: ratio >= 0.33 (a whole refresh costs at most 3x one getpeerinfo); 'vs canned'")
    print("is the refresh against a server sending the same reply bytes canned: what the reply's")
    print("size alone allows")


if __name__ == "__main__":
    main()
