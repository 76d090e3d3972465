"""Every getpeerinfo field simnode knows, defined once: name, JSON type, presence, value, meaning.

A profile is an ordered selection of these; rendering, JSON Schemas, strategies and docs all read
the same definitions, so no field list is ever written twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from simnode.model.addresses import ip_of, split_host_port
from simnode.model.clock import MICROS
from simnode.model.limits import MAX_BLOCKS_IN_TRANSIT_PER_PEER
from simnode.model.peer import CONNECTION_TYPES, PeerSnapshot
from simnode.profiles.jsontext import Amount


class Absent:
    """Marks a field the node leaves out of this peer's object."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = Absent()


class Presence(Enum):
    ALWAYS = "always"
    OPTIONAL = "optional"
    # Present whenever the node holds validation state for the peer (CNodeState): simnode always
    # does, a real node misses it only in connect/disconnect races (GetNodeStateStats fails).
    WITH_STATE = "with_state"


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    json_type: str  # JSON Schema type name: integer, number, string, boolean, array, object
    presence: Presence
    value: Callable[[PeerSnapshot, int], Any]  # (peer, now_us) -> value or ABSENT
    description: str
    when: str = ""  # for optional fields: when the node includes it
    items: str | None = None  # element/value type of arrays and objects
    # Further JSON Schema keywords the node's values always satisfy (minimum, pattern, ...).
    constraints: Mapping[str, Any] = field(default_factory=dict)


def _seconds(micros: int | None) -> float | Absent:
    return ABSENT if micros is None else micros / MICROS


def _wait_seconds(micros: int | None) -> float | Absent:
    """The node shows pingwait only when it is > 0, and on a real node time always moves between
    a ping and the next getpeerinfo. On a stopped virtual clock simnode shows the smallest wait
    the node can report, 1 microsecond, so an outstanding ping is never invisible."""
    return ABSENT if micros is None else max(micros, 1) / MICROS


@dataclass(frozen=True, slots=True)
class PeerAttribute:
    """A field's value that is a peer snapshot's attribute as it is (None: absent). Compiled
    encoders read it inline instead of calling a function per field."""

    attribute: str

    def __call__(self, peer: PeerSnapshot, now_us: int) -> Any:
        value = getattr(peer, self.attribute)
        return ABSENT if value is None else value


def _network(addr: str) -> str:
    """``CNetAddr::GetNetClass`` as getpeerinfo names it (22+: ``not_publicly_routable`` for
    loopback, private and documentation ranges, which Bitcoin Core does not route)."""
    host = split_host_port(addr)[0]
    if host.endswith(".onion"):
        return "onion"
    if host.endswith(".b32.i2p"):
        return "i2p"
    ip = ip_of(addr)
    if ip is None:
        return "not_publicly_routable"
    if ip.version == 6 and ip.packed[0] == 0xFC:
        return "cjdns"
    if not ip.is_global:
        return "not_publicly_routable"
    return "ipv4" if ip.version == 4 else "ipv6"


# src/protocol.cpp:serviceFlagsToStr @ 31.0: named bits, the rest as UNKNOWN[2^n].
_SERVICE_NAMES = {0: "NETWORK", 2: "BLOOM", 3: "WITNESS", 6: "COMPACT_FILTERS",
                  10: "NETWORK_LIMITED", 11: "P2P_V2"}  # fmt: skip


def services_names(services: int) -> list[str]:
    return [
        _SERVICE_NAMES.get(bit, f"UNKNOWN[2^{bit}]") for bit in range(64) if services >> bit & 1
    ]


def _permissions(peer: PeerSnapshot) -> list[str]:
    """A -whitelist range's implicit permissions: noban (which includes download), relay and
    mempool, listed in NetPermissions::ToStrings order."""
    return ["noban", "relay", "mempool", "download"] if peer.whitelisted else []


_FIELDS = [
    Field(
        "id",
        "integer",
        Presence.ALWAYS,
        PeerAttribute("id"),
        "Peer index, from 0 at node start, never reused",
        constraints={"minimum": 0},
    ),
    Field(
        "addr",
        "string",
        Presence.ALWAYS,
        PeerAttribute("addr"),
        "The IP address and port of the peer (or the addnode string as typed)",
        constraints={"minLength": 1},
    ),
    Field(
        "addrlocal",
        "string",
        Presence.OPTIONAL,
        PeerAttribute("addrlocal"),
        "Our address and port as the peer reported it in its version message",
        when="the peer reported a valid address for us",
        constraints={"minLength": 1},
    ),
    Field(
        "addrbind",
        "string",
        Presence.OPTIONAL,
        PeerAttribute("addrbind"),
        "Our side of the socket (getsockname)",
        when="the bind address is known",
        constraints={"minLength": 1},
    ),
    Field(
        "services",
        "string",
        Presence.ALWAYS,
        lambda p, now: f"{p.services:016x}",
        "The services offered by the peer, 16 hex digits",
        constraints={"pattern": "^[0-9a-f]{16}$"},
    ),
    Field(
        "relaytxes",
        "boolean",
        Presence.ALWAYS,
        PeerAttribute("relaytxes"),
        "Whether the peer asked us to relay transactions (its version message's fRelay)",
    ),
    Field(
        "lastsend",
        "integer",
        Presence.ALWAYS,
        PeerAttribute("lastsend"),
        "Unix time of the last send to the peer, 0 before the first",
        constraints={"minimum": 0},
    ),
    Field(
        "lastrecv",
        "integer",
        Presence.ALWAYS,
        PeerAttribute("lastrecv"),
        "Unix time of the last receive from the peer, 0 before the first",
        constraints={"minimum": 0},
    ),
    Field(
        "bytessent",
        "integer",
        Presence.ALWAYS,
        PeerAttribute("bytessent"),
        "Bytes written to the peer's socket",
        constraints={"minimum": 0},
    ),
    Field(
        "bytesrecv",
        "integer",
        Presence.ALWAYS,
        PeerAttribute("bytesrecv"),
        "Bytes read from the peer's socket",
        constraints={"minimum": 0},
    ),
    Field(
        "conntime",
        "integer",
        Presence.ALWAYS,
        PeerAttribute("conntime"),
        "Unix time of the connection",
        constraints={"minimum": 0},
    ),
    Field(
        "timeoffset",
        "integer",
        Presence.ALWAYS,
        PeerAttribute("timeoffset"),
        "The peer's clock minus ours in seconds, from its version message",
    ),
    Field(
        "pingtime",
        "number",
        Presence.OPTIONAL,
        lambda p, now: _seconds(p.pingtime_us),
        "Round trip of the last answered ping, in seconds",
        when="after the first pong",
        constraints={"exclusiveMinimum": 0},
    ),
    Field(
        "minping",
        "number",
        Presence.OPTIONAL,
        lambda p, now: _seconds(p.minping_us),
        "Shortest ping round trip seen, in seconds",
        when="after the first pong",
        constraints={"exclusiveMinimum": 0},
    ),
    Field(
        "pingwait",
        "number",
        Presence.OPTIONAL,
        lambda p, now: _wait_seconds(p.pingwait_us(now)),
        "Seconds the outstanding ping has waited",
        when="a ping is outstanding",
        constraints={"exclusiveMinimum": 0},
    ),
    Field(
        "version",
        "integer",
        Presence.ALWAYS,
        PeerAttribute("version"),
        "The peer's protocol version, 0 before its version message",
        constraints={"minimum": 0},
    ),
    Field(
        "subver",
        "string",
        Presence.ALWAYS,
        PeerAttribute("subver"),
        "The peer's user agent, sanitized; empty before its version message",
    ),
    Field(
        "inbound",
        "boolean",
        Presence.ALWAYS,
        PeerAttribute("inbound"),
        "Whether the peer connected to us",
    ),
    Field(
        "addnode",
        "boolean",
        Presence.ALWAYS,
        PeerAttribute("manual"),
        "Whether the connection is manual (addnode, -connect, onetry)",
    ),
    Field(
        "startingheight",
        "integer",
        Presence.ALWAYS,
        PeerAttribute("startingheight"),
        "The peer's chain height at connection, -1 before its version message",
        constraints={"minimum": -1},
    ),
    Field(
        "banscore",
        "integer",
        Presence.WITH_STATE,
        PeerAttribute("banscore"),
        "The misbehaviour score; crossing -banscore (100) disconnects and bans",
        constraints={"minimum": 0},
    ),
    Field(
        "synced_headers",
        "integer",
        Presence.WITH_STATE,
        PeerAttribute("synced_headers"),
        "Last header we have in common with the peer, -1 if unknown",
        constraints={"minimum": -1},
    ),
    Field(
        "synced_blocks",
        "integer",
        Presence.WITH_STATE,
        PeerAttribute("synced_blocks"),
        "Last block we have in common with the peer, -1 if unknown",
        constraints={"minimum": -1},
    ),
    Field(
        "inflight",
        "array",
        Presence.WITH_STATE,
        lambda p, now: list(p.inflight),
        f"Heights of blocks requested from the peer (at most {MAX_BLOCKS_IN_TRANSIT_PER_PEER})",
        items="integer",
        constraints={
            "maxItems": MAX_BLOCKS_IN_TRANSIT_PER_PEER,
            "items": {"type": "integer", "minimum": 0},
        },
    ),
    Field(
        "whitelisted",
        "boolean",
        Presence.ALWAYS,
        PeerAttribute("whitelisted"),
        "Whether the peer is whitelisted (never banned for misbehaviour)",
    ),
    Field(
        "bytessent_per_msg",
        "object",
        Presence.ALWAYS,
        lambda p, now: dict(p.sent_per_msg),
        "Bytes sent per message type, non-zero types only, keys sorted",
        items="integer",
        constraints={"additionalProperties": {"type": "integer", "minimum": 1}},
    ),
    Field(
        "bytesrecv_per_msg",
        "object",
        Presence.ALWAYS,
        lambda p, now: dict(p.recv_per_msg),
        "Bytes received per message type, unknown types under *other*",
        items="integer",
        constraints={"additionalProperties": {"type": "integer", "minimum": 1}},
    ),
]

# Fields of Bitcoin Core 0.19 to 28 (reference section 2.1), derived from the same peer state.
_FIELDS += [
    Field("network", "string", Presence.ALWAYS, lambda p, now: _network(p.addr),
          "Network of the peer (ipv4, ipv6, onion, i2p, cjdns, not_publicly_routable)",
          constraints={"enum": ["ipv4", "ipv6", "onion", "i2p", "cjdns",
                                "not_publicly_routable", "internal"]}),
    Field("servicesnames", "array", Presence.ALWAYS, lambda p, now: services_names(p.services),
          "The services offered, by name", items="string"),
    Field("last_transaction", "integer", Presence.ALWAYS, PeerAttribute("last_tx_recv"),
          "Unix time of the last transaction received from the peer, 0 if none",
          constraints={"minimum": 0}),
    Field("last_block", "integer", Presence.ALWAYS, PeerAttribute("last_block_recv"),
          "Unix time of the last block received from the peer, 0 if none",
          constraints={"minimum": 0}),
    # 0.20 (#16702): only with -asmap loaded and an AS found for the peer's address.
    Field("mapped_as", "integer", Presence.OPTIONAL, PeerAttribute("mapped_as"),
          "The peer's AS number from the node's -asmap", when="the node has an asmap",
          constraints={"minimum": 1, "maximum": 2**32 - 1}),
    Field("bip152_hb_to", "boolean", Presence.ALWAYS, PeerAttribute("bip152_hb_to"),
          "Whether we selected the peer as a compact-block high-bandwidth peer"),
    Field("bip152_hb_from", "boolean", Presence.ALWAYS, PeerAttribute("bip152_hb_from"),
          "Whether the peer selected us as a compact-block high-bandwidth peer"),
    Field("presynced_headers", "integer", Presence.ALWAYS, PeerAttribute("presynced_headers"),
          "Height of a low-work headers presync, -1 if none", constraints={"minimum": -1}),
    Field("addr_relay_enabled", "boolean", Presence.ALWAYS, PeerAttribute("addr_relay_enabled"),
          "Whether we relay addresses to this peer"),
    Field("addr_processed", "integer", Presence.ALWAYS, PeerAttribute("addr_processed"),
          "Addresses from the peer that were processed", constraints={"minimum": 0}),
    Field("addr_rate_limited", "integer", Presence.ALWAYS, PeerAttribute("addr_rate_limited"),
          "Addresses from the peer dropped by rate limiting", constraints={"minimum": 0}),
    Field("permissions", "array", Presence.ALWAYS, lambda p, now: _permissions(p),
          "The peer's permissions (noban, relay, mempool, download, ...)", items="string"),
    Field("minfeefilter", "number", Presence.ALWAYS,
          lambda p, now: Amount(p.fee_filter_received),
          "The minimum fee rate the peer announced (feefilter), in BTC/kvB",
          constraints={"minimum": 0}),
    Field("connection_type", "string", Presence.ALWAYS, PeerAttribute("connection_type"),
          "inbound, outbound-full-relay, manual, block-relay-only, addr-fetch, feeler or "
          "private-broadcast (31)", constraints={"enum": list(CONNECTION_TYPES)}),
    Field("transport_protocol_type", "string", Presence.ALWAYS, PeerAttribute("transport_type"),
          "detecting, v1 or v2", constraints={"enum": ["detecting", "v1", "v2"]}),
    # 31.0 (#33448, src/rpc/net.cpp:getpeerinfo): the transaction announcement queue
    # (TxRelay's m_last_inv_sequence, 1 until the first trickle, and the size of
    # m_tx_inventory_to_send; 0 and 0 for a peer without transaction relay): model/relay.py.
    Field("last_inv_sequence", "integer", Presence.ALWAYS, PeerAttribute("last_inv_sequence"),
          "Mempool sequence number of the last transaction announcement to the peer",
          constraints={"minimum": 0}),
    Field("inv_to_send", "integer", Presence.ALWAYS, PeerAttribute("inv_to_send"),
          "Transactions queued for announcement to the peer", constraints={"minimum": 0}),
    Field("session_id", "string", Presence.ALWAYS, PeerAttribute("reported_session_id"),
          "The BIP324 session id (64 hex digits for v2, empty otherwise)",
          constraints={"pattern": "^([0-9a-f]{64})?$"}),
]  # fmt: skip

FIELDS: dict[str, Field] = {f.name: f for f in _FIELDS}
