"""Scenario keys for the newest peer facts (issue 11): the modern-peers library scenario shows
what its description promises, bad values are refused with their place in the file, and
written-out events read back; generated peers of core-26+ are a realistic mix."""

import textwrap

import pytest

from simnode.model import Connect, FeeFilter, Node, SendCmpct, VirtualClock
from simnode.profiles import get_profile
from simnode.scenarios import ScenarioError, ScenarioRunner, library, loads_scenario
from simnode.scenarios.durations import parse_duration
from simnode.scenarios.writer import Applied, scenario_text


def peers_at(runner: ScenarioRunner, offset: str) -> dict[str, dict]:
    runner.run_until(parse_duration(offset))
    names = {peer_id: name for name, peer_id in runner.peer_names.items()}
    return {names[p["id"]]: p for p in runner.profile.getpeerinfo(runner.node.snapshot())}


def test_modern_peers_shows_what_its_description_promises():
    runner = ScenarioRunner(library.load("modern-peers"))
    start = peers_at(runner, "0")
    assert {name: p["connection_type"] for name, p in start.items()} == {
        "v2-out": "outbound-full-relay", "v1-out": "outbound-full-relay",
        "block-a": "block-relay-only", "block-b": "block-relay-only", "feeler": "feeler",
        "fetch": "addr-fetch", "manual": "manual", "onion-out": "outbound-full-relay",
        "inbound": "inbound", "v2-in": "inbound",
    }  # fmt: skip
    assert start["v2-out"]["transport_protocol_type"] == "v2"
    assert len(start["v2-out"]["session_id"]) == 64
    assert (start["v1-out"]["transport_protocol_type"], start["v1-out"]["session_id"]) == ("v1", "")
    assert start["v2-in"]["transport_protocol_type"] == "detecting"
    assert start["onion-out"]["network"] == "onion"
    assert {name for name, p in start.items() if "mapped_as" in p} == {"v2-out", "inbound"}
    for name in ("block-a", "block-b"):
        assert (start[name]["relaytxes"], start[name]["addr_relay_enabled"]) == (False, False)
    assert not start["inbound"]["addr_relay_enabled"]

    assert peers_at(runner, "1m")["v2-in"]["transport_protocol_type"] == "v2"

    end = peers_at(runner, "6m")
    assert {name for name, p in end.items() if p["bip152_hb_to"]} == {"v2-out", "v1-out"}
    assert {name for name, p in end.items() if p["bip152_hb_from"]} == {"block-a"}
    assert (end["v2-out"]["minfeefilter"], end["block-a"]["minfeefilter"]) == (0.00002, 0)
    flood = end["inbound"]
    assert flood["addr_relay_enabled"]
    assert (flood["addr_processed"], flood["addr_rate_limited"]) == (30, 30)
    assert end["block-b"]["presynced_headers"] == 120_000
    assert end["v2-out"]["bytesrecv_per_msg"]["feefilter"] == 32
    queues = {name: (p["inv_to_send"], p["last_inv_sequence"]) for name, p in end.items()}
    assert queues == {
        "v2-out": (0, 5), "v1-out": (0, 5), "fetch": (0, 5), "manual": (0, 5),
        "onion-out": (0, 5), "inbound": (4, 1), "v2-in": (4, 1),
        "block-a": (0, 0), "block-b": (0, 0), "feeler": (0, 0),  # no transaction relay
    }  # fmt: skip


@pytest.mark.parametrize(
    ("peer", "problem"),
    [("{name: a, addr: '192.0.2.1:1', connection_type: outbound}",
      "expected 'inbound' or 'outbound-full-relay'"),
     ("{name: a, addr: '192.0.2.1:1', v2transport: 1}", "expected true or false"),
     ("{name: a, addr: '192.0.2.1:1', mapped_as: -5}", "expected a positive integer")],
)  # fmt: skip
def test_bad_connect_keys_are_refused_where_they_stand(peer, problem):
    text = f"name: t\ndescription: d\nprofile: core-31\npeers:\n  - {peer}\n"
    with pytest.raises(ScenarioError, match=problem) as raised:
        loads_scenario(text, "bad.yaml")
    assert "bad.yaml:5" in str(raised.value)


def test_a_v2_peer_on_a_release_without_v2_fails_with_the_nodes_message():
    text = textwrap.dedent("""\
        name: t
        description: d
        profile: core-26
        peers:
          - {name: a, addr: "192.0.2.1:8333", inbound: false, v2transport: true}
        """)
    with pytest.raises(Exception, match="v2transport requested but not enabled"):
        ScenarioRunner(loads_scenario(text)).run_to_end()


def test_written_events_read_back_with_the_new_keys():
    node = Node(VirtualClock(), get_profile("core-31").settings)
    applied = []
    for event in (Connect("1.2.3.4:8333", inbound=False, v2transport=True, mapped_as=64500,
                          connection_type="block-relay-only"),
                  SendCmpct(0, "recv"), FeeFilter(0, 2000)):  # fmt: skip
        applied.append(Applied(0.0, event, node.apply(event)))
    text = scenario_text(applied, "t", "round trip", profile="core-31")
    assert "connection_type: block-relay-only" in text and "sendcmpct:" in text
    runner = ScenarioRunner(loads_scenario(text))
    runner.run_to_end()
    profile = get_profile("core-31")
    assert profile.getpeerinfo(runner.node.snapshot()) == profile.getpeerinfo(node.snapshot())


def test_generated_peers_of_new_releases_are_a_mix_and_old_ones_are_not():
    def kinds(name: str) -> list[tuple[str, str]]:
        text = f"name: t\ndescription: d\nprofile: {name}\nseed: 3\npeers:\n  - count: 40\n"
        runner = ScenarioRunner(loads_scenario(text))
        runner.run_to_end()
        peers = runner.profile.getpeerinfo(runner.node.snapshot())
        return [(p["connection_type"], p.get("transport_protocol_type")) for p in peers]

    modern = kinds("core-27")
    outbound = ["outbound-full-relay"] * 6 + ["block-relay-only"] * 2
    assert [kind for kind, _ in modern[:8]] == outbound
    assert {transport for _, transport in modern} == {"v1", "v2"}  # peers before 27 speak v1
    assert {transport for _, transport in kinds("core-31")} == {"v2"}  # its peers run 27 to 31
    assert {transport for _, transport in kinds("core-26")} == {"v1"}  # -v2transport off
    assert [kind for kind, _ in kinds("core-25")[:8]] == ["outbound-full-relay"] * 8
