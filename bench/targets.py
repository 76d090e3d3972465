"""Every performance target of issue 15 in one run, each as a ratio to a baseline measured in the
same run (or, where no such baseline can run here, to the figure the issue measured, marked so),
with the absolute figures beside it.

Server figures come from a client in its own process on one keep-alive connection; the ceiling
is the same stack (a werkzeug app on waitress, through simnode's runner) answering the very same
bytes pre-serialized. Subject and baseline are measured alternately, best of ``--rounds``, so a
noisy machine slows both.

Run: .venv/bin/python bench/targets.py [--seconds S] [--rounds R] [--quick]
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_model import mixed_events, populated
from bench_monitor import refresh_batch
from bench_server import measure as measure_client
from common import best_time, canned_app, reply_bytes

from simnode.http.runner import ServedNode
from simnode.local import LocalNode
from simnode.model import Connect, Disconnect, TransactionsArrived
from simnode.profiles import get_profile

# Figures the issue measured on this project's machines for a real bitcoind (v31.0, 0-1 peers);
# no bitcoind can be installed here, so these stand in for a same-run baseline and say so.
BITCOIND_CALL_SECONDS = 0.00030
BITCOIND_START_SECONDS = 0.14
GETPEERINFO = {"jsonrpc": "1.0", "id": "bench", "method": "getpeerinfo", "params": []}
# A batch of 20 mixed calls, as a dashboard sends them.
MIXED_20 = ["getpeerinfo", "getnetworkinfo", "getblockchaininfo", "getmempoolinfo",
            "getconnectioncount", "getnettotals", "listbanned", "getblockcount",
            "getbestblockhash", "getdifficulty", "getmininginfo", "uptime", "getaddednodeinfo",
            "getchaintips", "getrawmempool", "getinfo", "getpeerinfo", "getnetworkinfo",
            "getblockchaininfo", "getconnectioncount"]  # fmt: skip


@dataclass(frozen=True)
class Target:
    name: str
    ratio: float
    goal: str  # e.g. ">= 0.8"
    subject: str  # the absolute figure measured
    baseline: str  # what the ratio is taken against

    @property
    def met(self) -> bool:
        sign, bound = self.goal.split()
        return self.ratio >= float(bound) if sign == ">=" else self.ratio <= float(bound)


def auth_of(node: LocalNode) -> str:
    return "Basic " + base64.b64encode(f"{node.user}:{node.password}".encode()).decode()


def served_vs_ceiling(
    node: LocalNode, body: object, seconds: float, rounds: int
) -> tuple[float, float]:
    """Requests per second of ``body`` against the node and against its canned ceiling."""
    auth = auth_of(node)
    with ServedNode(canned_app(reply_bytes(node, body))) as ceiling:
        subject = best = 0.0
        for _ in range(rounds):
            subject = max(subject, measure_body(node.host, node.port, auth, body, seconds))
            best = max(best, measure_body(ceiling.host, ceiling.port, auth, body, seconds))
    return subject, best


def measure_body(host: str, port: int, auth: str, body: object, seconds: float) -> float:
    if body == GETPEERINFO:
        return measure_client(host, port, auth, seconds)["rate"]
    from bench_monitor import CLIENT

    command = [sys.executable, "-c", CLIENT, host, str(port), auth, str(seconds), json.dumps(body)]
    output = subprocess.run(command, capture_output=True, check=True, text=True)
    return json.loads(output.stdout)["rate"]


@contextmanager
def churning(node: LocalNode) -> Iterator[None]:
    """A peer leaves and another connects every second, as a scenario would change the table."""
    stop = threading.Event()

    def churn() -> None:
        index = 0
        while not stop.wait(1.0):
            peers = node.node.peer_ids()
            node.node.apply(Disconnect(peers[0]))
            node.node.apply(Connect(f"198.51.100.{index % 250 + 1}:{20000 + index}"))
            index += 1

    thread = threading.Thread(target=churn, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def server_targets(seconds: float, rounds: int) -> Iterator[Target]:
    for peers in (8, 125, 1000):
        with LocalNode(peers=peers, seed=1, speed=60) as node:
            subject, ceiling = served_vs_ceiling(node, GETPEERINFO, seconds, rounds)
        yield Target(f"server getpeerinfo, {peers} peers (clock 60x)", subject / ceiling, ">= 0.8",
                     f"{subject:,.0f} req/s", f"ceiling {ceiling:,.0f} req/s")  # fmt: skip
        if peers == 8:
            latency = 1 / subject
            reference = f"bitcoind {BITCOIND_CALL_SECONDS * 1e3:.2f} ms (issue's figure)"
            yield Target("latency of one call, 8 peers", latency / BITCOIND_CALL_SECONDS,
                         "<= 2", f"{latency * 1e3:.2f} ms", reference)  # fmt: skip
    with LocalNode(peers=125, seed=1, speed=60) as node, churning(node):
        subject, ceiling = served_vs_ceiling(node, GETPEERINFO, seconds, rounds)
    yield Target("server getpeerinfo, 125 peers, table changing every second",
                 subject / ceiling, ">= 0.8", f"{subject:,.0f} req/s",
                 f"ceiling {ceiling:,.0f} req/s")  # fmt: skip
    with LocalNode(peers=12, seed=1, speed=1) as node:
        node.node.apply(TransactionsArrived(200))
        batch = [{"jsonrpc": "1.0", "id": i, "method": m, "params": []}
                 for i, m in enumerate(MIXED_20)]  # fmt: skip
        subject, ceiling = served_vs_ceiling(node, batch, seconds, rounds)
    yield Target("server batch of 20 mixed calls, 12 peers", subject / ceiling, ">= 0.8",
                 f"{subject:,.0f} batches/s", f"ceiling {ceiling:,.0f} batches/s")  # fmt: skip
    for profile in ("pai", "core-28"):
        with LocalNode(peers=12, seed=1, speed=1, profile=profile) as node:
            node.node.apply(TransactionsArrived(200))
            batch = refresh_batch(node)
            subject, ceiling = served_vs_ceiling(node, batch, seconds, rounds)
            single = max(measure_body(node.host, node.port, auth_of(node), GETPEERINFO, seconds)
                         for _ in range(rounds))  # fmt: skip
            size = len(reply_bytes(node, batch))
        yield Target(f"monitor refresh, {profile} ({len(batch)} calls, {size / 1e3:,.0f} kB)",
                     subject / ceiling, ">= 0.8", f"{subject:,.0f} refreshes/s",
                     f"ceiling {ceiling:,.0f}/s")  # fmt: skip
        yield Target(f"monitor refresh / one getpeerinfo, {profile} (issue 10)", subject / single,
                     ">= 0.33", f"{subject:,.0f} refreshes/s",
                     f"getpeerinfo {single:,.0f}/s")  # fmt: skip


def scaling(host: str, port: int, auth: str, seconds: float) -> tuple[float, float]:
    """Requests per second of one client alone, and of 8 clients (processes) at once."""
    one = measure_client(host, port, auth, seconds)["rate"]
    rates: list[float] = []

    def client() -> None:
        rates.append(measure_client(host, port, auth, seconds)["rate"])

    threads = [threading.Thread(target=client) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return one, sum(rates)


def concurrency_target(seconds: float) -> Target:
    """8 client processes against one node, beside one client; the same for the canned
    ceiling, whose scaling is what the stack and the machine allow (not simnode's work)."""
    with LocalNode(peers=8, seed=1, speed=60) as node:
        auth = auth_of(node)
        one, eight = scaling(node.host, node.port, auth, seconds)
        with ServedNode(canned_app(reply_bytes(node, GETPEERINFO))) as ceiling:
            canned_one, canned_eight = scaling(ceiling.host, ceiling.port, auth, seconds)
    return Target("8 concurrent clients / 1 client, 8 peers", eight / one, ">= 1.5",
                  f"{eight:,.0f} req/s in all, one {one:,.0f}",
                  f"canned ceiling scales {canned_eight / canned_one:.2f}x "
                  f"({canned_eight:,.0f} / {canned_one:,.0f} req/s)")  # fmt: skip


def model_targets(events: int) -> Iterator[Target]:
    node = populated(125)
    stream = mixed_events(events, node.peer_ids())
    started = time.perf_counter()
    for event in stream:
        node.apply(event)
    rate = events / (time.perf_counter() - started)
    yield Target(f"model: {events:,} mixed events, 125 peers", rate / 500_000, ">= 1",
                 f"{rate:,.0f} events/s", "goal 500,000 events/s")  # fmt: skip
    pai = get_profile("pai")
    node = populated(10_000)
    snapshot = node.snapshot()
    built = pai.getpeerinfo(snapshot)
    floor = best_time(lambda: json.dumps(built, separators=(",", ":")), repeat=3)
    cold = best_time(lambda: pai.peer_table().render(snapshot), repeat=3)
    yield Target("render 10,000 peers cold / json.dumps of the built list", cold / floor,
                 "<= 1.5", f"{cold * 1e3:.0f} ms", f"json.dumps {floor * 1e3:.0f} ms")  # fmt: skip
    tracemalloc.start()
    node = populated(10_000)
    node.snapshot()
    used, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    per_peer = used / 10_000
    yield Target("memory per peer (node + one snapshot), 10,000 peers", per_peer / 10_000,
                 "<= 1", f"{per_peer / 1e3:.1f} kB/peer", "goal 10 kB/peer (100 MB)")  # fmt: skip


def start_target() -> Target:
    """``simnode serve`` from process start to its first answer, 8 peers."""
    with tempfile.TemporaryDirectory() as datadir:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "simnode.cli", "serve", "--rpcport", "0", "--peers", "8",
             "--rpcuser", "u", "--rpcpassword", "p", "--datadir", datadir],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            url = process.stdout.readline().split(" at ")[-1].strip()  # type: ignore[union-attr]
            host, port = url.removeprefix("http://").rstrip("/").split(":")
            connection = http.client.HTTPConnection(host, int(port), timeout=10)
            connection.request(
                "POST", "/", json.dumps(GETPEERINFO), {"Authorization": "Basic dTpw"}
            )
            assert connection.getresponse().status == 200
            elapsed = time.perf_counter() - started
            connection.close()
        finally:
            process.terminate()
            process.wait(10)
    return Target("simnode serve: start to first answer", elapsed / BITCOIND_START_SECONDS,
                  "<= 2", f"{elapsed:.2f} s",
                  f"bitcoind {BITCOIND_START_SECONDS:.2f} s (issue's figure)")  # fmt: skip


def fixture_targets(tests: int, rounds: int) -> Iterator[Target]:
    from bench_plugin import measure

    results = measure(tests, rounds)
    empty = results["empty"]
    simnode = results["simnode"]["test"] - empty["test"]
    httpserver = results["httpserver"]["test"] - empty["test"]
    yield Target("fixture per test / pytest-httpserver (net of an empty test)",
                 simnode / httpserver, "<= 0.8", f"{simnode * 1e3:.2f} ms",
                 f"httpserver {httpserver * 1e3:.2f} ms")  # fmt: skip
    once = results["simnode"]["session"] - empty["session"]
    yield Target("fixture session start (above an empty session)",
                 once / BITCOIND_START_SECONDS, "<= 2", f"{once:.2f} s",
                 f"bitcoind {BITCOIND_START_SECONDS:.2f} s (issue's figure)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=2.0, help="per server measurement")
    parser.add_argument("--rounds", type=int, default=3, help="alternations, best kept")
    parser.add_argument("--quick", action="store_true", help="short runs: a smoke test")
    options = parser.parse_args()
    if options.quick:
        options.seconds, options.rounds = 0.3, 1
    events = 50_000 if options.quick else 1_000_000
    tests = 30 if options.quick else 300
    sections: list[Callable[[], Iterator[Target]]] = [
        lambda: server_targets(options.seconds, options.rounds),
        lambda: iter([concurrency_target(options.seconds)]),
        lambda: model_targets(events),
        lambda: iter([start_target()]),
        lambda: fixture_targets(tests, options.rounds),
    ]
    widths = (62, 8, 8, 5, 24)
    print("".join(f"{h:<{w}}" for h, w in zip(("target", "ratio", "goal", "met", "measured"),
                                              widths, strict=False)) + "baseline")  # fmt: skip
    for section in sections:
        for target in section():
            cells = (target.name, f"{target.ratio:.2f}", target.goal,
                     "yes" if target.met else "NO", target.subject)  # fmt: skip
            print("".join(f"{c:<{w}}" for c, w in zip(cells, widths, strict=False))
                  + target.baseline, flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
