"""Scenario files drive the fake network: nodes listen and go away, and the node's added-node
thread follows (issue 10)."""

from simnode.profiles import get_profile
from simnode.profiles.netviews import getaddednodeinfo
from simnode.scenarios import ScenarioRunner, loads_scenario

SCENARIO = """
name: seed node flaps
description: an added seed node is unreachable, starts listening, goes away and comes back
timeline:
  - at: 0
    addnode: {node: "192.0.2.50:8567", command: add}
  - at: 10m
    listen: {addr: "192.0.2.50:8567", subver: "/Turing:2.3.1/"}
  - at: 20m
    stop_listening: "192.0.2.50:8567"
  - at: 30m
    listen: "192.0.2.50:8567"
end: 40m
"""


def test_the_added_node_follows_its_listening_node():
    runner = ScenarioRunner(loads_scenario(SCENARIO))

    def seen_at(minutes: float) -> tuple[bool, list[str]]:
        runner.run_until(minutes * 60)
        snapshot = runner.node.snapshot()
        (info,) = getaddednodeinfo(snapshot, "192.0.2.50:8567")
        subvers = [e["subver"] for e in get_profile("pai").getpeerinfo(snapshot)]
        return info["connected"], subvers

    assert seen_at(9) == (False, [])  # nine minutes of retries: nothing listens
    assert seen_at(11) == (True, ["/Turing:2.3.1/"])  # within the 60 s retry interval
    assert seen_at(20.5) == (False, [])  # gone: the connection dropped
    assert seen_at(31) == (True, ["/Turing:3.0.0/"])  # back, with default version fields
