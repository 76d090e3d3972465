"""The spec page's example entry, rebuilt from events alone (issue 2, must-show 2)."""

import json

import pytest

from simnode.model import (
    AdvanceClock,
    Connect,
    Disconnect,
    Node,
    NodeSettings,
    PingSent,
    PongReceived,
    Traffic,
    VersionReceived,
    VirtualClock,
)
from simnode.profiles import get_profile
from simnode.profiles.jsontext import dumps
from tests.specdata import spec_example_entry

CONNECTED_AT = 1481158420
LAST_TRAFFIC_AT = 1481158534


def spec_example_events(*, explicit_ping: bool) -> list:
    """Connect, version, per-type traffic, one ping/pong of 0.226368 s, clock at 1481158534."""
    # Peer 3: three short-lived connections came first, as ids are never reused.
    events: list = [Connect(addr=f"192.0.2.{n}:8333", inbound=False) for n in (10, 11, 12)]
    events += [
        Connect(addr="192.0.2.113:43132", inbound=True, addrbind="198.51.100.1:8333"),
        VersionReceived(
            peer_id=3,
            version=70001,
            subver="/Satoshi:0.12.1/",
            services=0,
            startingheight=0,
            relaytxes=True,
            timeoffset=11,
            addrlocal="127.0.0.1:8333",
        ),
        Traffic(3, "version", "send", 127),
        Traffic(3, "verack", "send", 24),
        Traffic(3, "verack", "recv", 24),
    ]
    if explicit_ping:
        events.append(PingSent(3))
    events += [
        AdvanceClock(1),
        PongReceived(3, rtt_seconds=0.226368),
        Traffic(3, "addr", "send", 55),
        Traffic(3, "ping", "recv", 1824),
        Traffic(3, "pong", "send", 1824),
        AdvanceClock(LAST_TRAFFIC_AT - CONNECTED_AT - 1),
        Traffic(3, "inv", "send", 12161),
        Traffic(3, "getdata", "recv", 12161),
        Traffic(3, "tx", "send", 128549),
    ]
    return events


def build_node(*, automatic_pings: bool) -> Node:
    node = Node(VirtualClock(CONNECTED_AT), NodeSettings(automatic_pings=automatic_pings))
    for event in spec_example_events(explicit_ping=not automatic_pings):
        node.apply(event)
    for peer_id in (0, 1, 2):
        node.apply(Disconnect(peer_id))
    return node


def typed_items(entry: dict) -> list:
    return [(key, type(value).__name__, value) for key, value in entry.items()]


@pytest.mark.parametrize("automatic_pings", [False, True])
def test_spec_example_reproduced_exactly_under_its_profile(automatic_pings):
    node = build_node(automatic_pings=automatic_pings)
    rendered = json.loads(dumps(get_profile("spec").getpeerinfo(node.snapshot())))
    assert len(rendered) == 1
    assert typed_items(rendered[0]) == typed_items(spec_example_entry())


def test_same_events_under_pai_give_pai_core_shape():
    node = build_node(automatic_pings=False)
    (entry,) = json.loads(dumps(get_profile("pai").getpeerinfo(node.snapshot())))
    spec = spec_example_entry()
    assert list(entry) == [
        "id", "addr", "addrlocal", "addrbind", "services", "relaytxes", "lastsend", "lastrecv",
        "bytessent", "bytesrecv", "conntime", "timeoffset", "pingtime", "minping", "version",
        "subver", "inbound", "addnode", "startingheight", "banscore", "synced_headers",
        "synced_blocks", "inflight", "whitelisted", "bytessent_per_msg", "bytesrecv_per_msg",
    ]  # fmt: skip
    assert entry["addrbind"] == "198.51.100.1:8333"
    assert entry["addnode"] is False
    for key, value in spec.items():
        assert entry[key] == value, key
        assert type(entry[key]) is type(value), key


def test_ping_times_print_as_the_node_prints_doubles():
    node = Node(VirtualClock(CONNECTED_AT), NodeSettings(automatic_pings=False))
    peer = node.apply(Connect("192.0.2.1:8567"))
    node.apply(VersionReceived(peer))
    node.apply(PingSent(peer))
    node.apply(PongReceived(peer, rtt_seconds=0.000056))
    text = get_profile("pai").getpeerinfo_json(node.snapshot()).text
    assert '"pingtime":5.6e-05,"minping":5.6e-05' in text


def test_doubles_are_printed_with_16_significant_digits_not_shortest_repr():
    # UniValue::setFloat uses std::setprecision(16): 99 us is not printed as Python's 9.9e-05.
    assert (
        dumps([99 / 1e6, 0.226368, 1.0, 56 / 1e6]) == "[9.899999999999999e-05,0.226368,1,5.6e-05]"
    )


def test_fast_json_rendering_equals_the_generic_encoder():
    from simnode.model.fakepeers import populate

    node = Node(VirtualClock(CONNECTED_AT))
    populate(node, 40, seed=9)
    node.apply(PingSent(None))
    node.apply(AdvanceClock(0.000099))
    for name in ("pai", "spec"):
        profile = get_profile(name)
        snapshot = node.snapshot()
        assert profile.getpeerinfo_json(snapshot).text == dumps(profile.getpeerinfo(snapshot))
