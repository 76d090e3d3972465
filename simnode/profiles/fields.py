"""Every getpeerinfo field simnode knows, defined once: name, JSON type, presence, value, meaning.

A profile is an ordered selection of these; rendering, JSON Schemas, strategies and docs all read
the same definitions, so no field list is ever written twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from simnode.model.clock import MICROS
from simnode.model.peer import PeerSnapshot


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


def _optional(value: Any) -> Any:
    return ABSENT if value is None else value


_FIELDS = [
    Field(
        "id",
        "integer",
        Presence.ALWAYS,
        lambda p, now: p.id,
        "Peer index, from 0 at node start, never reused",
        constraints={"minimum": 0},
    ),
    Field(
        "addr",
        "string",
        Presence.ALWAYS,
        lambda p, now: p.addr,
        "The IP address and port of the peer (or the addnode string as typed)",
        constraints={"minLength": 1},
    ),
    Field(
        "addrlocal",
        "string",
        Presence.OPTIONAL,
        lambda p, now: _optional(p.addrlocal),
        "Our address and port as the peer reported it in its version message",
        when="the peer reported a valid address for us",
        constraints={"minLength": 1},
    ),
    Field(
        "addrbind",
        "string",
        Presence.OPTIONAL,
        lambda p, now: _optional(p.addrbind),
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
        lambda p, now: p.relaytxes,
        "Whether the peer asked us to relay transactions (its version message's fRelay)",
    ),
    Field(
        "lastsend",
        "integer",
        Presence.ALWAYS,
        lambda p, now: p.lastsend,
        "Unix time of the last send to the peer, 0 before the first",
        constraints={"minimum": 0},
    ),
    Field(
        "lastrecv",
        "integer",
        Presence.ALWAYS,
        lambda p, now: p.lastrecv,
        "Unix time of the last receive from the peer, 0 before the first",
        constraints={"minimum": 0},
    ),
    Field(
        "bytessent",
        "integer",
        Presence.ALWAYS,
        lambda p, now: p.bytessent,
        "Bytes written to the peer's socket",
        constraints={"minimum": 0},
    ),
    Field(
        "bytesrecv",
        "integer",
        Presence.ALWAYS,
        lambda p, now: p.bytesrecv,
        "Bytes read from the peer's socket",
        constraints={"minimum": 0},
    ),
    Field(
        "conntime",
        "integer",
        Presence.ALWAYS,
        lambda p, now: p.conntime,
        "Unix time of the connection",
        constraints={"minimum": 0},
    ),
    Field(
        "timeoffset",
        "integer",
        Presence.ALWAYS,
        lambda p, now: p.timeoffset,
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
        lambda p, now: p.version,
        "The peer's protocol version, 0 before its version message",
        constraints={"minimum": 0},
    ),
    Field(
        "subver",
        "string",
        Presence.ALWAYS,
        lambda p, now: p.subver,
        "The peer's user agent, sanitized; empty before its version message",
    ),
    Field(
        "inbound",
        "boolean",
        Presence.ALWAYS,
        lambda p, now: p.inbound,
        "Whether the peer connected to us",
    ),
    Field(
        "addnode",
        "boolean",
        Presence.ALWAYS,
        lambda p, now: p.manual,
        "Whether the connection is manual (addnode, -connect, onetry)",
    ),
    Field(
        "startingheight",
        "integer",
        Presence.ALWAYS,
        lambda p, now: p.startingheight,
        "The peer's chain height at connection, -1 before its version message",
        constraints={"minimum": -1},
    ),
    Field(
        "banscore",
        "integer",
        Presence.WITH_STATE,
        lambda p, now: p.banscore,
        "The misbehaviour score; crossing -banscore (100) disconnects and bans",
        constraints={"minimum": 0},
    ),
    Field(
        "synced_headers",
        "integer",
        Presence.WITH_STATE,
        lambda p, now: p.synced_headers,
        "Last header we have in common with the peer, -1 if unknown",
        constraints={"minimum": -1},
    ),
    Field(
        "synced_blocks",
        "integer",
        Presence.WITH_STATE,
        lambda p, now: p.synced_blocks,
        "Last block we have in common with the peer, -1 if unknown",
        constraints={"minimum": -1},
    ),
    Field(
        "inflight",
        "array",
        Presence.WITH_STATE,
        lambda p, now: list(p.inflight),
        "Heights of blocks requested from the peer (at most 16)",
        items="integer",
        constraints={"maxItems": 16, "items": {"type": "integer", "minimum": 0}},
    ),
    Field(
        "whitelisted",
        "boolean",
        Presence.ALWAYS,
        lambda p, now: p.whitelisted,
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

FIELDS: dict[str, Field] = {f.name: f for f in _FIELDS}
