"""Model and rendering benchmark (issue 2).

Prints events applied per second for 1,000,000 mixed events over 125 peers, the cost of a
getpeerinfo rendering (snapshot + JSON) for 8 to 10,000 peers as a ratio to ``json.dumps`` of the
same already-built list (the floor), and the memory of 10,000 peers.

Run: .venv/bin/python bench/bench_model.py [--events N]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import best_time, row

from simnode.model import (
    AdvanceClock,
    Misbehave,
    Node,
    PingSent,
    PongReceived,
    SyncProgress,
    Traffic,
)
from simnode.model.fakepeers import PopulateOptions, populate
from simnode.profiles import get_profile

PAI = get_profile("pai")


def mixed_events(count: int, peer_ids: list[int], seed: int = 1) -> list:
    rng = random.Random(seed)
    kinds = ["traffic"] * 80 + ["ping"] * 6 + ["pong"] * 6 + ["sync"] * 5 + ["misbehave"] * 2
    kinds += ["advance"]
    events = []
    for _ in range(count):
        kind = rng.choice(kinds)
        peer = rng.choice(peer_ids)
        if kind == "traffic":
            events.append(Traffic(peer, rng.choice(("inv", "tx", "getdata", "headers")),
                                  rng.choice(("send", "recv")), rng.randint(24, 4000)))  # fmt: skip
        elif kind == "ping":
            events.append(PingSent(peer))
        elif kind == "pong":
            events.append(PongReceived(peer, rtt_seconds=rng.uniform(0.01, 0.5)))
        elif kind == "sync":
            events.append(SyncProgress(peer, synced_headers=rng.randint(0, 10**6)))
        elif kind == "misbehave":
            events.append(Misbehave(peer, 0))  # scored, never enough to disconnect
        else:
            events.append(AdvanceClock(rng.choice((0.5, 1, 5))))
    return events


def populated(peers: int) -> Node:
    node = Node()
    populate(node, peers, seed=3, options=PopulateOptions(history_seconds=0))
    return node


def bench_events(count: int) -> None:
    node = populated(125)
    events = mixed_events(count, node.peer_ids())
    baseline_started = time.perf_counter()
    for event in events:  # the floor: dispatching on the event type and nothing else
        type(event)
    baseline = time.perf_counter() - baseline_started
    started = time.perf_counter()
    for event in events:
        node.apply(event)
    elapsed = time.perf_counter() - started
    print(
        f"events: {count:,} mixed events over 125 peers applied in {elapsed:.2f} s "
        f"= {count / elapsed:,.0f} events/s (a bare loop over them: {count / baseline:,.0f}/s)"
    )


def bench_rendering() -> None:
    print()
    print("getpeerinfo rendered to the bytes the server sends, as a ratio to json.dumps of the")
    print("same already-built list (text, not even encoded: the floor)")
    print(row("peers", "floor (ms)", "cold (x)", "steady (x)"))
    for peers in (8, 125, 1000, 10000):
        node = populated(peers)
        built = PAI.getpeerinfo(node.snapshot())
        floor = best_time(lambda built=built: json.dumps(built, separators=(",", ":")))

        table = PAI.peer_table()  # the served node's incremental renderer

        def cold(node=node, table=table) -> None:  # every peer changed since the last rendering
            for peer_id in node.peer_ids():
                node.apply(Traffic(peer_id, "inv", "send", 61))
            snapshot = node.snapshot()
            started = time.perf_counter()
            _ = table.render(snapshot).encoded  # the bytes the server sends
            cold.elapsed = time.perf_counter() - started  # type: ignore[attr-defined]

        cold_times = []
        for _ in range(3):
            cold()
            cold_times.append(cold.elapsed)  # type: ignore[attr-defined]

        def steady(node=node, table=table) -> None:  # a second passes, a few peers change
            node.apply(AdvanceClock(1))
            _ = table.render(node.snapshot()).encoded

        steady_time = best_time(steady, repeat=5, number=3)
        print(row(peers, f"{floor * 1000:.3f}", f"{min(cold_times) / floor:.2f}",
                  f"{steady_time / floor:.2f}"))  # fmt: skip
    print("cold: every peer re-rendered; steady: snapshot + render after 1 s of virtual time")


def bench_memory() -> None:
    tracemalloc.start()
    node = populated(10_000)
    node.snapshot()
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print()
    print(f"memory: 10,000 peers (node + one snapshot) = {current / 2**20:.1f} MB "
          f"(target < 100 MB)")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    options = parser.parse_args()
    bench_events(options.events)
    bench_rendering()
    bench_memory()
