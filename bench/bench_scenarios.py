"""Scenario benchmark (issue 4).

1. Events per second when a runner plays a generated 1,000,000-event scenario, as a ratio to
   applying the very same events straight to a node (target >= 0.7x).
2. Load time of a 10 MB scenario file, beside PyYAML's own parse of the same file (libyaml),
   the floor for any YAML-based loader.

Run: .venv/bin/python bench/bench_scenarios.py [--events N] [--megabytes M]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import yaml

from simnode.scenarios import ScenarioRunner, load_scenario, loads_scenario

PEERS = 125


def generated_scenario(events: int):
    """125 peers; inv, tx and getdata traffic to every peer at staggered intervals."""
    rounds = events // (PEERS * 3)
    entries = "\n".join(
        f"  - {{at: {offset}s, every: 3s, times: {rounds}, traffic: "
        f"{{peer: all, type: {kind}, direction: {direction}, bytes: {size}}}}}"
        for offset, kind, direction, size in ((1, "inv", "recv", 61), (2, "tx", "send", 250),
                                              (3, "getdata", "recv", 61))
    )  # fmt: skip
    text = f"""
name: generated
description: {events} events of traffic over {PEERS} peers
seed: 1
settings: {{automatic_pings: false}}
peers:
  - count: {PEERS}
timeline:
{entries}
"""
    return loads_scenario(text, "generated.yaml")


def bench_runner(events: int) -> None:
    scenario = generated_scenario(events)
    recorder = ScenarioRunner(scenario)
    applied: list = []
    apply = recorder.node.apply

    def record(event):
        applied.append(event)
        return apply(event)

    recorder.node.apply = record  # type: ignore[method-assign]
    recorder.run_to_end()

    direct_node = ScenarioRunner(scenario).node  # the same initial peers, nothing played yet
    started = time.perf_counter()
    for event in applied:
        direct_node.apply(event)
    direct = time.perf_counter() - started

    runner = ScenarioRunner(scenario)
    started = time.perf_counter()
    runner.run_to_end()
    played = time.perf_counter() - started
    print(f"runner: {len(applied):,} events in {played:.2f} s = {len(applied) / played:,.0f} "
          f"events/s; applied directly: {len(applied) / direct:,.0f} events/s; "
          f"ratio {direct / played:.2f}x (target >= 0.7x)")  # fmt: skip


def big_file(path: Path, megabytes: float) -> int:
    """A scenario with explicit entries until the file reaches ``megabytes``."""
    lines = ["name: big", "description: a large scenario file", "peers:"]
    lines += [f"  - {{name: p{i}, addr: '192.0.2.{i + 1}:8567'}}" for i in range(50)]
    lines.append("timeline:")
    size, entry = sum(len(x) + 1 for x in lines), 0
    while size < megabytes * 1_000_000:
        line = (f"  - {{at: {entry}s, traffic: {{peer: p{entry % 50}, type: tx, "
                f"direction: recv, bytes: {250 + entry % 300}}}}}")  # fmt: skip
        lines.append(line)
        size += len(line) + 1
        entry += 1
    path.write_text("\n".join(lines) + "\n")
    return entry


def bench_load(megabytes: float) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.yaml"
        entries = big_file(path, megabytes)
        size = path.stat().st_size / 1_000_000
        started = time.perf_counter()
        scenario = load_scenario(path)
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        parsed = time.perf_counter() - started
    assert len(scenario.steps) == entries
    print(f"load: {size:.1f} MB, {entries:,} entries in {loaded:.2f} s "
          f"({size / loaded:.1f} MB/s); PyYAML alone parses it in {parsed:.2f} s "
          f"(ratio {parsed / loaded:.2f}x)")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--megabytes", type=float, default=10)
    options = parser.parse_args()
    bench_runner(options.events)
    bench_load(options.megabytes)
