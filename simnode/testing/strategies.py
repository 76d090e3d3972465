"""Hypothesis strategies for simnode: events, node states, and whole getpeerinfo results.

Everything is built by applying generated events to a real ``Node`` and rendering it with a
profile, so every value satisfies the profile's field table and the node's invariants; and it
is built from other strategies, so failures shrink to small, readable examples.

    from simnode import strategies as sn

    @given(sn.getpeerinfo_results(max_peers=8))
    def test_my_parser(result):
        parse_peers(result)

    @given(sn.getpeerinfo_results(lenient=True))    # what a newer or documented node may send
    def test_my_parser_is_forward_compatible(result): ...

The model types are registered with ``st.register_type_strategy`` (through hypothesis's entry
point, ``simnode.testing``, so ``st.from_type(Node)`` works without importing this module).
"""

from __future__ import annotations

import base64
import ipaddress
import random
import typing
from typing import Any

from hypothesis import strategies as st

from simnode.model import events as ev
from simnode.model.clock import DEFAULT_EPOCH_SECONDS, VirtualClock
from simnode.model.fakepeers import PROTOCOL_VERSIONS, SERVICE_FLAGS, USER_AGENTS
from simnode.model.limits import MAX_BLOCKS_IN_TRANSIT_PER_PEER
from simnode.model.messages import PAI_MESSAGE_TYPES
from simnode.model.node import Node
from simnode.model.peer import PeerSnapshot
from simnode.model.state import ConnectionRefused, NodeSettings
from simnode.profiles import get_profile

__all__ = [
    "NETWORKS",
    "NEWEST_PROFILE",
    "event_sequences",
    "event_strategies",
    "events",
    "getpeerinfo_results",
    "host_port",
    "message_types",
    "node_states",
    "peer_addresses",
    "peer_entries",
    "scenario_files",
    "snapshots",
]

# The networks a node of the newest release reaches, as its getnetworkinfo lists them.
NEWEST_PROFILE = "bitcoin"
NETWORKS = get_profile(NEWEST_PROFILE).features.networks
INT64_MAX = 2**63 - 1

# ------------------------------------------------------------------------------- addresses
_IPV4 = st.sampled_from(["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"]).flatmap(
    lambda net: st.integers(1, 254).map(lambda n: str(ipaddress.ip_network(net)[n]))
)
_IPV6 = st.integers(1, 2**64).map(lambda n: f"[{ipaddress.ip_address('2001:db8::') + n}]")
_CJDNS = st.integers(1, 2**64).map(lambda n: f"[{ipaddress.ip_address('fc00::') + n}]")
_BASE32 = st.binary(min_size=35, max_size=35).map(
    lambda raw: base64.b32encode(raw).decode().lower().rstrip("=")
)
_ONION = _BASE32.map(lambda b: f"{b[:56]:a<56}.onion")  # a v3 address has 56 characters
_I2P = st.binary(min_size=32, max_size=32).map(
    lambda raw: base64.b32encode(raw).decode().lower().rstrip("=") + ".b32.i2p"
)
_HOSTS = {"ipv4": _IPV4, "ipv6": _IPV6, "onion": _ONION, "i2p": _I2P, "cjdns": _CJDNS}


def host_port(host: str, port: int) -> str:
    return f"{host}:{port}"


def peer_addresses(networks: tuple[str, ...] = NETWORKS) -> st.SearchStrategy[str]:
    """``host:port`` for peers of the given networks: documentation-range IPv4 and IPv6 (in
    brackets), onion v3, I2P (port 0, as I2P has none) and CJDNS (fc00::/8)."""
    unknown = set(networks) - set(NETWORKS)
    if unknown or not networks:
        raise ValueError(f"networks must be a non-empty selection of {NETWORKS}")

    def with_port(network: str) -> st.SearchStrategy[str]:
        port = st.just(0) if network == "i2p" else st.sampled_from([8567, 18567, 40000, 65535])
        return st.builds(host_port, _HOSTS[network], port)

    return st.sampled_from(networks).flatmap(with_port)


def message_types() -> st.SearchStrategy[str]:
    """Known message types, and a few unknown ones (counted as ``*other*`` when received)."""
    return st.one_of(st.sampled_from(sorted(PAI_MESSAGE_TYPES)), st.sampled_from(["xyz", "alert"]))


# ------------------------------------------------------------------------------- events
def event_strategies(max_peers: int = 8) -> dict[type, st.SearchStrategy[ev.Event]]:
    """One strategy per event type; peer ids fall in ``range(max_peers)``."""
    peer = st.integers(0, max_peers - 1)
    rtt = st.one_of(st.none(), st.floats(0.000001, 5.0).map(lambda s: round(s, 6)))
    address = peer_addresses(("ipv4", "ipv6")) | st.sampled_from(["127.0.0.1:40000", "[::1]:1"])
    # addnode targets. Nothing starts listening here: the added-node thread would connect peers
    # no event names, which a written-out sequence (scenario_files) could not refer to.
    listened = st.sampled_from(["192.0.2.240:8567", "[2001:db8::1]:8567"])
    inflight = st.lists(st.integers(0, 10**6), max_size=MAX_BLOCKS_IN_TRANSIT_PER_PEER).map(tuple)
    return {
        ev.Connect: st.builds(
            ev.Connect, addr=address, inbound=st.booleans(), whitelisted=st.booleans(),
            manual=st.booleans(), addrbind=st.one_of(st.none(), st.just("198.51.100.1:8567")),
            pong_rtt_seconds=rtt, connection_type=st.one_of(st.none(), st.sampled_from(
                typing.get_args(ev.ConnectionType)))),
        ev.Disconnect: st.builds(ev.Disconnect, peer),
        ev.VersionReceived: st.builds(
            ev.VersionReceived, peer, version=st.sampled_from([0, 60000, 70001, 70015]),
            subver=st.sampled_from(["/Turing:3.0.0/", "", "/Satoshi:0.12.1/", "/x\n\u00e9/"]),
            services=st.integers(0, 2**64 - 1), startingheight=st.integers(-1, 2_000_000),
            relaytxes=st.booleans(), timeoffset=st.integers(-10_000, 10_000),
            addrlocal=st.one_of(st.none(), st.just("198.51.100.1:8567"))),
        ev.Traffic: st.builds(ev.Traffic, peer, message_types(), st.sampled_from(["send", "recv"]),
                              st.integers(1, 100_000), pending=st.booleans()),
        ev.SendCmpct: st.builds(ev.SendCmpct, peer, st.sampled_from(["send", "recv"]),
                                st.booleans()),
        ev.AddrMessage: st.builds(ev.AddrMessage, peer, st.integers(0, 1001), st.booleans()),
        ev.FeeFilter: st.builds(ev.FeeFilter, peer, st.integers(-1, 10**6)),
        ev.FlushSendQueue: st.builds(ev.FlushSendQueue, peer),
        ev.PingSent: st.builds(ev.PingSent, st.one_of(st.none(), peer)),
        ev.PongReceived: st.builds(ev.PongReceived, peer, rtt),
        ev.SetPongRtt: st.builds(ev.SetPongRtt, peer, rtt),
        ev.Misbehave: st.builds(ev.Misbehave, peer, st.integers(0, 120), st.just("test")),
        ev.Ban: st.builds(
            ev.Ban, st.sampled_from(["192.0.2.1", "192.0.2.0/24", "2001:db8::/32", "127.0.0.1"]),
            bantime_seconds=st.one_of(st.none(), st.integers(1, 5000))),
        ev.Unban: st.builds(ev.Unban, st.sampled_from(["192.0.2.1", "192.0.2.0/24"])),
        ev.ClearBans: st.builds(ev.ClearBans),
        ev.SyncProgress: st.builds(
            ev.SyncProgress, peer, synced_headers=st.one_of(st.none(), st.integers(-1, 10**6)),
            synced_blocks=st.one_of(st.none(), st.integers(-1, 10**6)),
            inflight=st.one_of(st.none(), inflight),
            presynced_headers=st.one_of(st.none(), st.integers(-1, 10**6))),
        ev.SetNetworkActive: st.builds(ev.SetNetworkActive, st.booleans()),
        ev.AddNode: st.builds(ev.AddNode, listened, st.sampled_from(["add", "remove", "onetry"])),
        ev.StopListening: st.builds(ev.StopListening, listened),
        ev.AdvanceClock: st.builds(
            ev.AdvanceClock, st.sampled_from([0, 0.05, 1, 30, 119, 121, 600, 1300, 90000])),
        ev.StartListening: st.builds(ev.StartListening, listened),
        ev.BlocksFound: st.builds(ev.BlocksFound, st.integers(1, 5)),
        ev.BlocksValidated: st.builds(ev.BlocksValidated, st.integers(0, 10**6)),
        ev.Reorg: st.builds(ev.Reorg, st.integers(1, 3), st.integers(1, 4)),
        ev.StaleBranch: st.builds(ev.StaleBranch, st.integers(1, 3), st.integers(1, 3),
                                  st.sampled_from(typing.get_args(
                                      typing.get_type_hints(ev.StaleBranch)["status"]))),
        ev.TransactionsArrived: st.builds(
            ev.TransactionsArrived, st.integers(1, 50),
            feerate=st.one_of(st.none(), st.floats(1, 500)),
            vsize=st.one_of(st.none(), st.integers(100, 2000))),
        ev.SetClock: st.builds(ev.SetClock, st.integers(0, 10**6).map(
            lambda offset: DEFAULT_EPOCH_SECONDS + offset)),
    }  # fmt: skip


# Not drawn by ``events`` (so not by ``event_sequences``): StartListening lets the added-node
# thread connect peers no event names, which a written-out sequence could not refer to; the
# chain and the wall clock move by their own events in the properties built on sequences.
_OUTSIDE_SEQUENCES = (ev.StartListening, ev.BlocksFound, ev.BlocksValidated, ev.Reorg,
                      ev.StaleBranch, ev.TransactionsArrived, ev.SetClock)  # fmt: skip


def events(max_peers: int = 8) -> st.SearchStrategy[ev.Event]:
    """Single events of most types (see ``_OUTSIDE_SEQUENCES``); some name peers that are gone
    (the node refuses those with EventError and changes nothing)."""
    strategies = event_strategies(max_peers)
    return st.one_of(*[strategies[kind] for kind in strategies if kind not in _OUTSIDE_SEQUENCES])


def event_sequences(max_peers: int = 8, max_size: int = 60) -> st.SearchStrategy[list[ev.Event]]:
    """Sequences that start with a few connections, so most events find their peer."""
    opening = st.lists(st.builds(ev.Connect, addr=peer_addresses(("ipv4",))), min_size=1,
                       max_size=3)  # fmt: skip
    return st.builds(lambda a, b: a + b, opening, st.lists(events(max_peers), max_size=max_size))


# ------------------------------------------------------------------------------- node states
# A peer plan is a dict of choices. Each choice is a tuple of options or a range; the same table
# feeds hypothesis (detailed peers, which shrink one choice at a time) and a seeded Random
# (bulk peers beyond the first 16, so 125+ peers fit in hypothesis's buffer).
DETAILED_PEERS = 16
_TRAFFIC = (("inv", "send"), ("inv", "recv"), ("tx", "send"), ("tx", "recv"), ("getdata", "recv"),
            ("headers", "recv"), ("xyz", "recv"))  # fmt: skip


def _plan_choices(optional: str, large: bool) -> dict[str, tuple | range]:
    # Large counters stay below 2**60, so a peer's seven summed to bytessent fit an int64.
    counter = range(0, 2**60) if large else range(0, 50_000)
    flags = {"any": (False, True), "absent": (False,), "present": (True,)}[optional]
    return {
        "inbound": (False, True),
        "exempt": ("none", "none", "whitelisted", "manual"),
        "handshake": (True, False) if optional == "any" else (True,),
        "addrlocal": flags,
        "addrbind": flags,
        "version": _choices(PROTOCOL_VERSIONS),
        "subver": (*_choices(USER_AGENTS), ""),
        "services": range(0, 2**64) if large else _choices(SERVICE_FLAGS),
        "startingheight": range(-1, 2**31) if large else range(-1, 1_200_000),
        "timeoffset": range(-(2**31), 2**31) if large else range(-90, 91),
        "ping": {"any": ("none", "answered", "outstanding", "both"), "absent": ("none",),
                 "present": ("both",)}[optional],
        "rtt": (0.226368, 0.000001, 0.000056, 0.001, 0.05, 2.5),
        "synced": range(-1, 1_200_000),
        "inflight": range(0, MAX_BLOCKS_IN_TRANSIT_PER_PEER + 1),
        "banscore": range(0, 2**31) if large else range(0, 100),
        **{f"bytes_{t}_{d}": counter for t, d in _TRAFFIC},
    }  # fmt: skip


def _choices(weighted: tuple[tuple[Any, int], ...]) -> tuple:
    """The values of one of the fake-peer generator's weighted tables, likeliest first."""
    return tuple(value for value, _ in sorted(weighted, key=lambda row: -row[1]))


def _drawn(choice: tuple | range) -> st.SearchStrategy:
    if isinstance(choice, range):
        return st.integers(choice.start, choice.stop - 1)
    return st.sampled_from(choice)


def _picked(choice: tuple | range, rng: random.Random) -> Any:
    return (
        rng.randrange(choice.start, choice.stop)
        if isinstance(choice, range)
        else rng.choice(choice)
    )


def _apply_plan(node: Node, plan: dict[str, Any], addr: str) -> None:
    exempt = plan["exempt"]
    try:
        peer = node.apply(ev.Connect(
            addr, inbound=plan["inbound"] and exempt != "manual",
            whitelisted=exempt == "whitelisted", manual=exempt == "manual",
            addrbind="198.51.100.1:8567" if plan["addrbind"] else None,
        ))  # fmt: skip
    except ConnectionRefused:
        return
    assert peer is not None
    if plan["handshake"]:
        node.apply(ev.VersionReceived(
            peer, plan["version"], plan["subver"], plan["services"], plan["startingheight"],
            True, plan["timeoffset"], "198.51.100.1:41000" if plan["addrlocal"] else None,
        ))  # fmt: skip
        if plan["ping"] in ("answered", "both"):
            node.apply(ev.PingSent(peer))
            node.apply(ev.PongReceived(peer, plan["rtt"]))
        if plan["ping"] in ("outstanding", "both"):
            node.apply(ev.PingSent(peer))
    for msg_type, direction in _TRAFFIC:
        nbytes = plan[f"bytes_{msg_type}_{direction}"]
        if nbytes:
            node.apply(ev.Traffic(peer, msg_type, direction, nbytes))  # type: ignore[arg-type]
    start = max(plan["synced"], 0) + 1
    inflight = tuple(range(start, start + plan["inflight"]))
    node.apply(ev.SyncProgress(peer, plan["synced"], plan["synced"], inflight))
    score = plan["banscore"] if exempt != "none" else min(plan["banscore"], 99)
    node.apply(ev.Misbehave(peer, score))


@st.composite
def node_states(
    draw: st.DrawFn,
    min_peers: int = 0,
    max_peers: int = 8,
    networks: tuple[str, ...] = NETWORKS,
    optional: str = "any",
    large_values: bool = False,
) -> Node:
    """A node with a plausible peer table. ``optional``: "any", "absent" (no optional field
    appears) or "present" (addrlocal, addrbind, pingtime, minping and pingwait all appear);
    ``large_values`` reaches counters, heights, offsets and scores far beyond everyday ones."""
    if optional not in ("any", "absent", "present"):
        raise ValueError("optional must be 'any', 'absent' or 'present'")
    choices = _plan_choices(optional, large_values)
    detailed = st.fixed_dictionaries({name: _drawn(c) for name, c in choices.items()})
    start = draw(st.sampled_from([DEFAULT_EPOCH_SECONDS, 1481158420, 1795598400]))
    node = Node(VirtualClock(start), NodeSettings(automatic_pings=optional != "absent"))
    plans = draw(st.lists(st.tuples(detailed, peer_addresses(networks)),
                          min_size=min(min_peers, DETAILED_PEERS),
                          max_size=min(max_peers, DETAILED_PEERS)))  # fmt: skip
    bulk = draw(st.integers(max(min_peers - len(plans), 0), max(max_peers - len(plans), 0)))
    if bulk:
        rng = random.Random(draw(st.integers(0, 2**32)))
        hosts = draw(st.lists(peer_addresses(networks), min_size=1, max_size=4))
        for index in range(bulk):
            plan = {name: _picked(c, rng) for name, c in choices.items()}
            host, port = hosts[index % len(hosts)].rsplit(":", 1)
            plans.append((plan, f"{host}:{int(port) + index + 1 if port != '0' else 0}"))
    for plan, addr in plans:
        _apply_plan(node, plan, addr)
    # Time passes without pongs: outstanding pings show a pingwait, none times out yet.
    node.apply(ev.AdvanceClock(draw(st.sampled_from([0, 0.000001, 0.5, 30, 119]))))
    return node


# ------------------------------------------------------------------------------- results
def getpeerinfo_results(
    profile: str = "pai",
    min_peers: int = 0,
    max_peers: int = 8,
    networks: tuple[str, ...] = NETWORKS,
    optional: str = "any",
    large_values: bool = False,
    lenient: bool = False,
) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Whole getpeerinfo results as ``profile`` renders them (Python values, as a JSON
    parser gives them). ``lenient`` adds what a client should also survive: unknown fields of
    newer releases, reordered keys, and the spec page's documented-but-not-real variants."""
    nodes = node_states(min_peers, max_peers, networks, optional, large_values)
    render = get_profile(profile).getpeerinfo
    if not lenient:
        return nodes.map(lambda node: render(node.snapshot()))
    return nodes.flatmap(lambda node: _lenient_results(render, node.snapshot()))


def peer_entries(profile: str = "pai", **options: Any) -> st.SearchStrategy[dict[str, Any]]:
    """One getpeerinfo entry (the same options as ``getpeerinfo_results``)."""
    return getpeerinfo_results(profile, min_peers=1, max_peers=1, **options).map(lambda r: r[0])


_DOCUMENTED_NOT_REAL = ("addrbind", "relaytxes", "addnode")  # absent from the spec page's table


def _lenient_results(render: Any, snapshot: Any) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Each peer may also carry fields of the newest release that ``render``'s lacks, with the
    values that release renders for the same peer."""
    newest = get_profile(NEWEST_PROFILE).getpeerinfo(snapshot)
    entries = [
        _lenient_entry(entry, {k: v for k, v in newer.items() if k not in entry})
        for entry, newer in zip(render(snapshot), newest, strict=True)
    ]
    return st.tuples(*entries).map(list)


def _lenient_entry(
    entry: dict[str, Any], newer: dict[str, Any]
) -> st.SearchStrategy[dict[str, Any]]:
    def variant(extra: dict, drop: set, subver: str | None) -> dict[str, Any]:
        merged = {k: v for k, v in entry.items() if k not in drop}
        if subver is not None:  # a node that does not sanitize user agents
            merged["subver"] = subver
        for key in ("pingtime", "minping"):  # the spec table types them as int
            if key in merged and float(merged[key]).is_integer():
                merged[key] = int(merged[key])
        return merged | extra

    return st.builds(
        variant,
        st.fixed_dictionaries({}, optional={k: st.just(v) for k, v in newer.items()}),
        st.sets(st.sampled_from(_DOCUMENTED_NOT_REAL)),
        st.one_of(st.none(), st.text(max_size=12)),
    ).flatmap(lambda merged: st.permutations(list(merged)).map(
        lambda keys: {key: merged[key] for key in keys}))  # fmt: skip


@st.composite
def scenario_files(draw: st.DrawFn, max_peers: int = 6, max_size: int = 40) -> str:
    """Scenario files (YAML text) that load and run: event sequences applied to a node, written
    out as ``simnode.scenarios.writer`` writes a reproducer."""
    from simnode.model.state import EventError
    from simnode.scenarios.writer import Applied, scenario_text

    node = Node(VirtualClock(DEFAULT_EPOCH_SECONDS))
    start = node.clock.now_us()
    applied = []
    for event in draw(event_sequences(max_peers, max_size)):
        try:
            result = node.apply(event)
        except EventError:
            continue
        applied.append(Applied((node.clock.now_us() - start) / 1e6, event, result))
    return scenario_text(applied, "generated", "A scenario generated by hypothesis.",
                         start_seconds=DEFAULT_EPOCH_SECONDS)  # fmt: skip


def snapshots(**options: Any) -> st.SearchStrategy[PeerSnapshot]:
    """Single peers as the model sees them."""
    return (
        node_states(min_peers=1, max_peers=1, **options)
        .map(lambda node: node.snapshot().peers)
        .filter(bool)
        .map(lambda peers: peers[0])
    )
