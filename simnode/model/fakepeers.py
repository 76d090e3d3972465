"""Plausible peers on demand: seeded draws (``PeerDraws``) and ``populate``.

Addresses come only from the documentation ranges (RFC 5737 for IPv4, RFC 3849 for IPv6), as the
spec page's example does, so a generated peer table never names a real host. The draws are plain
``random.Random`` calls, so generating peers does not import Faker (~60 ms of start-up);
``simnode.model.fakerprovider`` offers them to Faker's users as a provider.
"""

from __future__ import annotations

import ipaddress
import random
import re
from dataclasses import dataclass
from typing import Any, TypeVar

from simnode.model import events as ev
from simnode.model.messages import version_message_size
from simnode.model.node import Node
from simnode.model.peer import BLOCK_RELAY

DOCUMENTATION_IPV4 = tuple(
    ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")
)
DOCUMENTATION_IPV6 = ipaddress.ip_network("2001:db8::/32")
OUR_ADDRESS = "198.51.100.1"  # our own public address, from RFC 5737 too

# Who really connects to a PAI Core node, with rough weights: current and older Turing releases
# (src/clientversion.cpp CLIENT_NAME), one with -uacomment, and Bitcoin-derived clients like the
# spec page's example.
USER_AGENTS = (
    ("/Turing:3.0.0/", 50),
    ("/Turing:2.3.1/", 15),
    ("/Turing:2.0.2/", 6),
    ("/Turing:0.16.1/", 4),
    ("/Turing:3.0.0(pool)/", 3),
    ("/Satoshi:0.12.1/", 2),
    ("/Satoshi:0.15.1/", 2),
)
# Bitcoin Core releases a Bitcoin node meets (CLIENT_VERSION as FormatSubVersion prints it):
# peers of a release run it and the few before it.
BITCOIN_CORE_RELEASES = (
    "0.12.1", "0.13.0", "0.13.1", "0.13.2", "0.14.2", "0.15.1", "0.16.3", "0.17.1", "0.18.1",
    "0.19.1", "0.20.1", "0.21.2", "22.0.0", "23.0.0", "24.0.1", "25.1.0", "26.1.0", "27.1.0",
    "28.0.0", "28.1.0", "29.0.0", "30.0.0", "31.0.0",
)  # fmt: skip
RECENT_RELEASE_WEIGHTS = (40, 20, 15, 10, 8, 7)  # the node's own release first
NODE_P2P_V2 = 1 << 11  # src/protocol.h @ v31.0; advertised by default from 27 (#29347)
_V2_BY_DEFAULT = re.compile(r"/Satoshi:(2[7-9]|[3-9]\d)\.")


_RELAY_FEE_100 = re.compile(r"/Satoshi:([3-9]\d)\.")


def _relay_fee_of(subver: str) -> int:
    """The feefilter a peer of this user agent sends with an empty mempool: its default
    -minrelaytxfee, 1000 sat/kvB, or 100 from Bitcoin Core 30 (src/policy/policy.h)."""
    return 100 if _RELAY_FEE_100.match(subver) else 1000


def _runs_v2(subver: str) -> bool:
    """Whether a peer of this user agent has v2 transport on by default (Bitcoin Core 27+)."""
    return _V2_BY_DEFAULT.match(subver) is not None


def bitcoin_core_agents(version: tuple[int, int, int]) -> tuple[tuple[str, int], ...]:
    """Who connects to a Bitcoin Core node of ``version``: its release and the ones before."""

    def number(text: str) -> tuple[int, ...]:
        return tuple(int(part) for part in text.split("."))

    known = [r for r in BITCOIN_CORE_RELEASES if number(r) <= version] or [BITCOIN_CORE_RELEASES[0]]
    recent = reversed(known[-len(RECENT_RELEASE_WEIGHTS) :])
    pairs = zip(recent, RECENT_RELEASE_WEIGHTS, strict=False)
    return tuple((f"/Satoshi:{release}/", weight) for release, weight in pairs)


SERVICE_FLAGS = ((0x0D, 70), (0x09, 15), (0x05, 5), (0x01, 5), (0x00, 5))
PROTOCOL_VERSIONS = ((70015, 85), (70014, 8), (70012, 5), (70001, 2))
EPHEMERAL_PORTS = (32768, 60999)
GENERATED = "generated"  # an option left to the generator
_T = TypeVar("_T")


class PeerDraws:
    """Plausible peer details drawn from one seeded ``random.Random``.

    Each draw is the very ``random`` call Faker's ``BaseProvider`` makes for it (``random_int``
    is ``randrange(low, high + 1)``, ``random_element`` of a tuple is ``choice``), so the peers
    are those simnode's Faker provider drew when ``populate`` went through Faker."""

    def __init__(self, rng: random.Random) -> None:
        self.random = rng

    def ephemeral_port(self) -> int:
        return self.random.randrange(EPHEMERAL_PORTS[0], EPHEMERAL_PORTS[1] + 1)

    def peer_ipv4(self) -> str:
        network = self.random.choice(DOCUMENTATION_IPV4)
        return str(network.network_address + self.random.randrange(1, 255))

    def peer_ipv6(self) -> str:
        offset = self.random.getrandbits(96)
        return str(DOCUMENTATION_IPV6.network_address + offset)

    def peer_address(self, port: int | None = None, ipv6_share: float = 0.15) -> str:
        """``ip:port``, IPv6 in brackets; an ephemeral port unless one is given."""
        port = self.ephemeral_port() if port is None else port
        if self.random.random() < ipv6_share:
            return f"[{self.peer_ipv6()}]:{port}"
        return f"{self.peer_ipv4()}:{port}"

    def user_agent_node(self, agents: tuple[tuple[str, int], ...] = USER_AGENTS) -> str:
        return self._weighted(agents)

    def service_flags(self) -> int:
        return self._weighted(SERVICE_FLAGS)

    def protocol_version(self, versions: tuple[tuple[int, int], ...] = PROTOCOL_VERSIONS) -> int:
        return self._weighted(versions)

    def _weighted(self, table: tuple[tuple[_T, int], ...]) -> _T:
        values, weights = zip(*table, strict=True)
        return self.random.choices(values, weights=weights)[0]


def seeded_draws(seed: int) -> PeerDraws:
    """Draws of their own, seeded with ``seed``: the same seed, the same peers."""
    return PeerDraws(random.Random(seed))


@dataclass(frozen=True, slots=True)
class PopulateOptions:
    """How ``populate`` makes peers."""

    outbound: int = 8  # PAI's default full outbound slots (MAX_OUTBOUND_CONNECTIONS)
    p2p_port: int = 8567
    our_subver: str = "/Turing:3.0.0/"
    # Who connects: user agents and protocol versions with their weights (a PAI node's peers).
    user_agents: tuple[tuple[str, int], ...] = USER_AGENTS
    protocol_versions: tuple[tuple[int, int], ...] = PROTOCOL_VERSIONS
    chain_height: int | None = None  # None: the node's best header
    # Connections are spread over this much virtual time, which passes while populating, so
    # pings have been answered and the table looks lived-in.
    history_seconds: float = 600.0
    # Overrides of what is generated (the random draws stay the same, so overriding one
    # thing does not change the others).
    inbound: bool | None = None  # None: the first `outbound` peers outbound, the rest inbound
    whitelisted: bool = False
    manual: bool = False
    pong_rtt_seconds: float | str | None = GENERATED  # None: the peers never answer pings
    version: tuple[tuple[str, Any], ...] = ()  # VersionReceived fields, e.g. (("subver", ""),)


def populate(
    node: Node, n: int, seed: int = 0, options: PopulateOptions | None = None
) -> list[int]:
    """Connect ``n`` plausible peers that have finished the handshake and exchanged some traffic,
    advancing the node's clock by ``options.history_seconds`` meanwhile.

    The same node state, ``n`` and ``seed`` always give the same peers. Returns their ids.
    """
    options = options or PopulateOptions()
    chain_height = options.chain_height
    if chain_height is None:
        chain_height = node.snapshot().chain.headers
    draws = seeded_draws(seed)
    rng = draws.random
    settings = node.settings
    ids = []
    history = options.history_seconds if n else 0.0  # no peers, no history to pass
    end_us = node.clock.now_us() + round(history * 1_000_000)
    gap = options.history_seconds / max(n, 1)
    for index in range(n):
        if index:
            node.advance(round(rng.uniform(0, gap), 6))
        inbound = index >= options.outbound if options.inbound is None else options.inbound
        # The same draws whatever the direction, so an override changes nothing else.
        ephemeral = draws.ephemeral_port()
        peer_addr = draws.peer_address(port=ephemeral if inbound else options.p2p_port)
        bind_port = options.p2p_port if inbound else ephemeral
        rtt = round(rng.uniform(0.02, 0.4), 6)
        # The peer's version message is drawn before it connects (same draws, same order as
        # ever): a peer running Bitcoin Core 27+ speaks v2 to a node that has it on.
        version = {
            "version": draws.protocol_version(options.protocol_versions),
            "subver": draws.user_agent_node(options.user_agents),
            "services": draws.service_flags(),
            "startingheight": chain_height - rng.randint(0, 50),
            "relaytxes": rng.random() > 0.05,
            "timeoffset": rng.choice((0, 0, 0, -1, 1, 2, -2)),
            "addrlocal": f"{OUR_ADDRESS}:{bind_port}" if rng.random() > 0.2 else None,
            **dict(options.version),
        }
        v2 = settings.v2transport and _runs_v2(version["subver"])
        if v2:
            version["services"] |= NODE_P2P_V2
        block_relay = not inbound and index >= options.outbound - settings.block_relay_connections
        peer_id = node.apply(
            ev.Connect(
                addr=peer_addr,
                inbound=inbound and not options.manual,
                whitelisted=options.whitelisted,
                manual=options.manual,
                addrbind=f"{OUR_ADDRESS}:{bind_port}",
                pong_rtt_seconds=rtt
                if options.pong_rtt_seconds == GENERATED
                else options.pong_rtt_seconds,  # type: ignore[arg-type]
                connection_type=BLOCK_RELAY if block_relay and not options.manual else None,
                v2transport=v2,
            )
        )
        assert peer_id is not None
        ids.append(peer_id)
        sent = version_message_size(options.our_subver)
        node.apply(ev.Traffic(peer_id, "version", "send", sent))
        node.apply(ev.VersionReceived(peer_id, **version))
        for msg_type, direction, size in _opening_traffic(rng):
            if msg_type == "feefilter" and direction == "recv":
                node.apply(ev.FeeFilter(peer_id, _relay_fee_of(version["subver"])))
            else:
                node.apply(ev.Traffic(peer_id, msg_type, direction, size))
        height = chain_height - rng.choice((0, 0, 0, 1, 2))
        node.apply(ev.SyncProgress(peer_id, synced_headers=height, synced_blocks=height))
    node.advance(max(end_us - node.clock.now_us(), 0) / 1_000_000)
    return ids


def _opening_traffic(rng) -> list[tuple[str, str, int]]:  # type: ignore[no-untyped-def]
    """The messages that follow a handshake, with sizes as a PAI node sends them."""
    traffic = [
        ("verack", "send", 24),
        ("verack", "recv", 24),
        ("sendheaders", "send", 24),
        ("sendheaders", "recv", 24),
        ("sendcmpct", "send", 33),
        ("sendcmpct", "recv", 33),
        ("feefilter", "send", 32),
        ("feefilter", "recv", 32),
        ("getheaders", "send", 24 + 997),
        ("headers", "recv", 24 + 82 * rng.randint(0, 2) + 1),
    ]
    for _ in range(rng.randint(1, 12)):
        count = rng.randint(1, 20)
        traffic.append(("inv", rng.choice(("send", "recv")), 24 + 1 + 36 * count))
    for _ in range(rng.randint(0, 6)):
        traffic.append(("tx", rng.choice(("send", "recv")), 24 + rng.randint(190, 600)))
    return traffic
