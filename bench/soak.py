"""Soak (issue 16, must-show 3): hostile requests and valid clients against ``simnode serve``
playing a fast scenario, then start/stop cycles of an in-process node. Loopback only; every
count is an option and every wait has a bound.

Phase 1, against a ``simnode serve --scenario ban-storm --speed 120 --loop`` subprocess:
``--hostile`` requests from ``--hostile-threads`` threads (garbage, bad framing, oversize
headers, wrong passwords, over-limit batches, cut-off and trickling requests, random methods
and parameters) while ``--valid-threads`` threads call a monitor's batch and check every reply
(HTTP 200, whole JSON, every call answered, getpeerinfo passes the node's invariants).
Phase 2: ``--cycles`` starts and stops of a LocalNode in this process.

Prints: crashes (the server process gone, or a refused connection), hangs (no answer within
``--hang-seconds``), torn replies, the server's RSS, threads and open files before and after,
and this process's threads and open files before and after the cycles.

Run: .venv/bin/python bench/soak.py [--hostile 100000] [--cycles 1000] [--seconds-cap 900]
"""

from __future__ import annotations

import argparse
import base64
import http.client
import itertools
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from simnode.conformance.invariants import node_problems
from simnode.http.app import MAX_BATCH_CALLS
from simnode.local import LocalNode

USER, PASSWORD = "soak", "soak-password"
MONITOR_BATCH = ["getpeerinfo", "getnettotals", "getconnectioncount", "getnetworkinfo",
                 "listbanned", "getblockchaininfo", "getmempoolinfo"]  # fmt: skip
RANDOM_METHODS = ["getpeerinfo", "getblock", "getblockhash", "setban", "addnode",
                  "disconnectnode", "getrawmempool", "nosuch", "help", "ping"]  # fmt: skip


@dataclass
class Tally:
    sent: int = 0
    valid_calls: int = 0
    hangs: int = 0
    torn: int = 0
    refused: int = 0
    examples: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, kind: str, detail: str) -> None:
        with self.lock:
            setattr(self, kind, getattr(self, kind) + 1)
            if len(self.examples) < 10:
                self.examples.append(f"{kind}: {detail[:160]}")


def process_figures(pid: int) -> dict[str, int]:
    status = Path(f"/proc/{pid}/status").read_text()
    rss_kb = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
    threads = int(re.search(r"Threads:\s+(\d+)", status).group(1))
    return {"rss_mb": rss_kb // 1024, "threads": threads,
            "fds": len(os.listdir(f"/proc/{pid}/fd"))}  # fmt: skip


def basic(user_pass: str) -> str:
    return "Basic " + base64.b64encode(user_pass.encode()).decode()


GOOD = basic(f"{USER}:{PASSWORD}").encode()


def framed(body: bytes, auth: bytes = GOOD, extra: bytes = b"") -> bytes:
    return (b"POST / HTTP/1.1\r\nHost: x\r\nAuthorization: " + auth + b"\r\n" + extra
            + b"Content-Length: %d\r\n\r\n" % len(body) + body)  # fmt: skip


def hostile_request(rng: random.Random) -> tuple[bytes, bool]:
    """Bytes to send, and whether to hang up without reading."""
    kind = rng.randrange(100)
    if kind < 15:
        return rng.randbytes(rng.randrange(1, 400)), False
    if kind < 25:
        return framed(rng.randbytes(rng.randrange(0, 200))), False
    if kind < 35:
        return framed(b"{" * rng.randrange(1, 2000)), False
    if kind < 45:
        return b"POST / HTTP/1.1\r\nX-Pad: " + b"y" * 9000 + b"\r\n\r\n", False
    if kind < 52:
        cl = rng.choice([b"-1", b"x", b"1, 2", b"99999999999"])
        return (
            b"POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: " + cl + b"\r\n\r\n",
            False,
        )
    if kind < 60:
        request = framed(b'{"method":"getpeerinfo","id":1}')
        return request[: rng.randrange(len(request))], True  # cut short
    if kind < 61:
        return framed(b'{"method":"getconnectioncount"}', auth=basic("soak:wrong").encode()), False
    if kind < 62 and rng.random() < 0.05:
        calls = ",".join(['{"method":"getconnectioncount"}'] * (MAX_BATCH_CALLS + 1))
        return framed(f"[{calls}]".encode()), False
    method = rng.choice(RANDOM_METHODS)
    params = rng.choice([[], [rng.randrange(-5, 10**6)], ["x" * rng.randrange(0, 5000)],
                         [None, True, {"a": []}], {"nodeid": -1}, "notalist"])  # fmt: skip
    body = json.dumps({"method": method, "params": params, "id": rng.random()}).encode()
    if rng.random() < 0.3:
        body = b"[" + b",".join([body] * rng.randrange(1, 50)) + b"]"
    return framed(body, extra=rng.choice([b"", b"Connection: close\r\n"])), False


def send_hostile(port: int, rng: random.Random, tally: Tally, hang_seconds: float) -> None:
    data, hang_up = hostile_request(rng)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=hang_seconds) as sock:
            sock.sendall(data)
            if hang_up:
                return
            sock.shutdown(socket.SHUT_WR)
            while sock.recv(65536):
                pass
    except TimeoutError:
        tally.note("hangs", f"hostile {data[:60]!r}")
    except ConnectionRefusedError as error:
        tally.note("refused", repr(error))
    except OSError:
        pass  # reset or closed on a refused request: what a server may do


def valid_client(port: int, stop: threading.Event, tally: Tally, hang_seconds: float) -> None:
    body = json.dumps([{"method": m, "id": i} for i, m in enumerate(MONITOR_BATCH)]).encode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=hang_seconds)
    while not stop.is_set():
        try:
            conn.request("POST", "/", body, {"Authorization": GOOD.decode()})
            response = conn.getresponse()
            raw = response.read()
        except TimeoutError:
            tally.note("hangs", "valid batch")
            conn.close()
            continue
        except (OSError, http.client.HTTPException) as error:
            tally.note("refused", f"valid batch: {error!r}")
            conn.close()
            time.sleep(0.1)
            continue
        try:
            replies = json.loads(raw)
            assert response.status == 200 and [r["id"] for r in replies] == list(
                range(len(MONITOR_BATCH))
            )
            assert all(r["error"] is None for r in replies), raw[:200]
            assert node_problems(replies[0]["result"]) == []
        except (ValueError, AssertionError, KeyError, TypeError) as error:
            tally.note("torn", f"{response.status} {error!r} {raw[:100]!r}")
        with tally.lock:
            tally.valid_calls += 1


def trickler(port: int, stop: threading.Event) -> None:
    """A slow client: a request's bytes one at a time, reconnecting when the server closes."""
    request = framed(b'{"method":"getconnectioncount","id":1}')
    while not stop.is_set():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                for byte in request:
                    if stop.wait(0.5):
                        return
                    sock.sendall(bytes([byte]))
        except OSError:
            pass


def serve(scenario: str, speed: float, datadir: Path) -> tuple[subprocess.Popen, int]:
    process = subprocess.Popen(
        [sys.executable, "-m", "simnode.cli", "serve", "--rpcport", "0", "--datadir", str(datadir),
         "--rpcuser", USER, "--rpcpassword", PASSWORD, "--scenario", scenario,
         "--speed", str(speed), "--loop"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    match = re.search(r"127\.0\.0\.1:(\d+)/", process.stdout.readline())
    if match is None:
        process.kill()
        raise SystemExit("simnode serve did not start: " + process.stderr.read())
    return process, int(match.group(1))


def soak_server(args: argparse.Namespace) -> None:
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="simnode-soak-") as datadir:
        process, port = serve(args.scenario, args.speed, Path(datadir))
        time.sleep(1)
        before = process_figures(process.pid)
        stop = threading.Event()
        valid_args = (port, stop, tally, args.hang_seconds)
        helpers = [threading.Thread(target=valid_client, args=valid_args)
                   for _ in range(args.valid_threads)]  # fmt: skip
        helpers += [threading.Thread(target=trickler, args=(port, stop))
                    for _ in range(args.slow_clients)]  # fmt: skip
        for thread in helpers:
            thread.start()
        counter = itertools.count()
        give_up = time.monotonic() + args.seconds_cap

        def hostile_worker(seed: int) -> None:
            rng = random.Random(seed)
            while next(counter) < args.hostile and time.monotonic() < give_up:
                send_hostile(port, rng, tally, args.hang_seconds)
                with tally.lock:
                    tally.sent += 1

        started = time.monotonic()
        workers = [threading.Thread(target=hostile_worker, args=(seed,))
                   for seed in range(args.hostile_threads)]  # fmt: skip
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join()
        elapsed = time.monotonic() - started
        stop.set()
        for thread in helpers:
            thread.join(args.hang_seconds + 2)
        time.sleep(2)  # let the server close what the clients left
        after = process_figures(process.pid)
        crashed = process.poll() is not None
        process.terminate()
        _, err = process.communicate(timeout=30)
    print(f"server phase: {tally.sent} hostile requests in {elapsed:.0f} s "
          f"({args.hostile_threads} threads), {tally.valid_calls} valid batches of "
          f"{len(MONITOR_BATCH)} calls ({args.valid_threads} threads), "
          f"{args.slow_clients} slow clients, {args.scenario} at {args.speed}x")  # fmt: skip
    print(f"  crashes: {int(crashed)}   refused: {tally.refused}   hangs: {tally.hangs}   "
          f"torn replies: {tally.torn}")  # fmt: skip
    print(
        f"  server RSS {before['rss_mb']} -> {after['rss_mb']} MB, threads "
        f"{before['threads']} -> {after['threads']}, open files {before['fds']} -> {after['fds']}"
    )
    tracebacks = err.count("Traceback")
    print(
        f"  tracebacks on the server's stderr: {tracebacks}, stderr lines: {len(err.splitlines())}"
    )
    for example in tally.examples:
        print("   ", example)


def soak_cycles(cycles: int) -> None:
    before = (threading.active_count(), len(os.listdir("/proc/self/fd")))
    started = time.monotonic()
    for _ in range(cycles):
        with LocalNode(peers=2) as node:
            conn = http.client.HTTPConnection(node.host, node.port, timeout=10)
            conn.request("POST", "/", b'{"method":"getconnectioncount","id":1}',
                         {"Authorization": basic(f"{node.user}:{node.password}")})  # fmt: skip
            assert conn.getresponse().read() == b'{"result":2,"error":null,"id":1}\n'
            conn.close()
    after = (threading.active_count(), len(os.listdir("/proc/self/fd")))
    print(
        f"start/stop phase: {cycles} cycles in {time.monotonic() - started:.0f} s; "
        f"threads {before[0]} -> {after[0]}, open files {before[1]} -> {after[1]}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hostile", type=int, default=100_000)
    parser.add_argument("--hostile-threads", type=int, default=8)
    parser.add_argument("--valid-threads", type=int, default=8)
    parser.add_argument("--slow-clients", type=int, default=20)
    parser.add_argument("--cycles", type=int, default=1_000)
    parser.add_argument("--scenario", default="ban-storm")
    parser.add_argument("--speed", type=float, default=120.0)
    parser.add_argument("--hang-seconds", type=float, default=15.0)
    parser.add_argument("--seconds-cap", type=float, default=900.0,
                        help="stop sending hostile requests after this long")  # fmt: skip
    args = parser.parse_args()
    soak_server(args)
    soak_cycles(args.cycles)


if __name__ == "__main__":
    main()
