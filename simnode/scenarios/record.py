"""Transcripts: what a scenario's node answers at chosen times, as golden files.

One JSON line per (time, method): ``{"at":"5m","time":1631714700,"method":"getpeerinfo",
"result":...}`` with ``result`` exactly the text the node serves, so a transcript can be compared
byte for byte and diffed line by line.
"""

from __future__ import annotations

from simnode.profiles import chainviews, netviews
from simnode.profiles.jsontext import dumps
from simnode.scenarios.durations import format_duration
from simnode.scenarios.runner import ScenarioRunner
from simnode.scenarios.spec import Scenario

RECORDED_METHODS = ("getpeerinfo", "getconnectioncount", "listbanned", "getnettotals",
                    "getblockchaininfo", "getchaintips", "getmempoolinfo")  # fmt: skip


def transcript(scenario: Scenario, times: tuple[float, ...] | None = None) -> str:
    """Run ``scenario`` from the start and record the answers at ``times`` (default: its
    ``record_at``)."""
    runner = ScenarioRunner(scenario)
    lines = []
    for at in sorted(times if times is not None else scenario.record_at):
        runner.run_until(at)
        snapshot = runner.node.snapshot()
        profile = runner.profile
        results = {
            "getpeerinfo": profile.getpeerinfo_json(snapshot),
            "getconnectioncount": netviews.getconnectioncount(snapshot),
            "listbanned": netviews.listbanned(profile, snapshot),
            "getnettotals": netviews.getnettotals(snapshot),
            "getblockchaininfo": chainviews.getblockchaininfo(profile, snapshot),
            "getchaintips": chainviews.getchaintips(snapshot),
            "getmempoolinfo": chainviews.getmempoolinfo(profile, snapshot),
        }
        for method in RECORDED_METHODS:
            line = {
                "at": format_duration(at),
                "time": snapshot.now_seconds,
                "method": method,
                "result": results[method],
            }
            lines.append(dumps(line))
    return "\n".join(lines) + "\n"


__all__ = ["RECORDED_METHODS", "transcript"]
