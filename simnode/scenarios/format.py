"""The scenario format, described once: every key a file may use, the attribute it fills (a model
event's, a peer spec's, the node settings'), how it is read, and how it is written back.

The reader (``spec.py``) and the writer (``writer.py``) both work from these tables, so a key is
named, typed and defaulted in one place; the values' types come from the model's own dataclasses.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simnode.model import events as ev
from simnode.model.limits import MAX_BLOCKS_IN_TRANSIT_PER_PEER
from simnode.model.peer import CONNECTION_TYPES
from simnode.scenarios import readers as read
from simnode.scenarios.actions import (
    Action,
    NodeEventAction,
    PeerAction,
    PeerEventAction,
    PeerSpec,
    VersionSpec,
)
from simnode.scenarios.durations import format_duration
from simnode.scenarios.source import Located


@dataclass(frozen=True, slots=True)
class Key:
    """One key of a mapping in a scenario file."""

    name: str  # as the file spells it
    field: str  # the attribute it fills
    read: read.Reader
    required: bool = False
    write: Callable[[Any], Any] = lambda value: value  # the value as the writer prints it


def read_keys(keys: tuple[Key, ...], item: Located, what: str) -> dict[str, Any]:
    """The attributes the mapping ``item`` gives, by field name; absent optional keys are left
    out, so the target's own defaults apply. Unknown keys are refused."""
    fields = read.Fields(item, what)
    values = {}
    for key in keys:
        if fields.has(key.name) or key.required:
            values[key.field] = fields.get(key.name, key.read, required=key.required)
        else:
            fields.read.append(key.name)
    fields.done()
    return values


def write_keys(
    keys: tuple[Key, ...], source: Any, defaults: Any = None, peer_name: Callable = str
) -> dict[str, Any]:
    """The mapping that reads back as ``source``; with ``defaults`` (an instance or class of the
    same dataclass), values that reading would fill in anyway are left out."""
    written = {}
    for key in keys:
        value = getattr(source, key.field)
        if defaults is not None and value == _default(defaults, key.field):
            continue
        written[key.name] = peer_name(value) if key is PEER else key.write(value)
    return written


def _default(defaults: Any, field: str) -> Any:
    for f in dataclasses.fields(defaults):
        if f.name == field:
            return f.default
    raise KeyError(field)


# ------------------------------------------------------------------------------ the keys
PEER = Key("peer", "peer_id", read.text, required=True)  # a peer's name, its id at run time

VERSION_KEYS = (
    Key("version", "version", read.integer),
    Key("subver", "subver", read.any_text),
    Key("services", "services", read.services),
    Key("startingheight", "startingheight", read.integer),
    Key("relaytxes", "relaytxes", read.boolean),
    Key("timeoffset", "timeoffset", read.integer),
    Key("addrlocal", "addrlocal", read.optional(read.text)),
)


def version_message(item: Located) -> VersionSpec | None:
    """A version message, ``true`` for the defaults, or ``false`` for none yet."""
    if item.value is True:
        return VersionSpec()
    if item.value is False:
        return None
    return VersionSpec(tuple(read_keys(VERSION_KEYS, item, "version").items()))


def _write_version(version: VersionSpec | None) -> Any:
    return False if version is None else dict(version.fields) or True


CONNECT_KEYS = (
    Key("name", "name", read.text, required=True),
    Key("addr", "addr", read.text, required=True),
    Key("inbound", "inbound", read.boolean),
    Key("whitelisted", "whitelisted", read.boolean),
    Key("manual", "manual", read.boolean),
    Key("addrbind", "addrbind", read.optional(read.text)),
    Key("pong_rtt", "pong_rtt", read.round_trip),
    Key("version", "version", version_message, write=_write_version),
    Key("connection_type", "connection_type", read.optional(read.one_of(*CONNECTION_TYPES))),
    Key("v2transport", "v2transport", read.boolean),
    Key("mapped_as", "mapped_as", read.optional(read.positive)),
)

# Generated peers: ``count`` plausible peers, and what the file overrides of PopulateOptions.
GENERATED_KEYS = (
    Key("count", "count", read.count, required=True),
    Key("prefix", "prefix", read.text),
    Key("inbound", "inbound", read.boolean),
    Key("whitelisted", "whitelisted", read.boolean),
    Key("manual", "manual", read.boolean),
    Key("pong_rtt", "pong_rtt_seconds", read.round_trip),
    Key("version", "version", version_message),
)

SETTINGS_KEYS = (
    Key("ban_threshold", "ban_threshold", read.integer),
    Key("ban_time", "ban_time_seconds", read.whole_seconds, write=format_duration),
    Key("automatic_pings", "automatic_pings", read.boolean),
    Key("ping_interval", "ping_interval_seconds", read.whole_seconds, write=format_duration),
    Key("ping_timeout", "ping_timeout_seconds", read.whole_seconds, write=format_duration),
    Key(
        "block_interval",
        "block_interval_seconds",
        read.optional(read.duration),
        write=lambda seconds: None if seconds is None else format_duration(seconds),
    ),
)

# The chain the node follows: a network of the profile's node ("main", "test", "regtest"), how
# many blocks it has (its height), and how far it has validated at start (initial download).
CHAIN_KEYS = (
    Key("network", "network", read.one_of("main", "test", "regtest")),
    Key("height", "height", read.count),
    Key("blocks", "blocks", read.count),
)


def _inflight(item: Located) -> tuple[int, ...]:
    heights = read.integers(item)
    if len(heights) > MAX_BLOCKS_IN_TRANSIT_PER_PEER:
        raise read.fail(item, f"at most {MAX_BLOCKS_IN_TRANSIT_PER_PEER} block heights in flight")
    return heights


@dataclass(frozen=True, slots=True)
class EventAction:
    """A timeline action that applies one model event."""

    name: str  # the timeline key
    event: type
    keys: tuple[Key, ...]
    scalar: str | None = None  # a bare value fills this key ("ban: 10.0.0.0/8")

    def parse(self, item: Located) -> Action:
        if self.scalar is not None and not isinstance(item.value, dict):
            item = Located({self.scalar: item}, item.where)
        values = read_keys(self.keys, item, self.name) if self.keys else {}
        peer = values.pop("peer_id", None)
        if peer is None:
            return NodeEventAction(self.event(**values))
        return PeerEventAction(peer, self.event, tuple(values.items()))


EVENT_ACTIONS = {action.name: action for action in (
    EventAction("disconnect", ev.Disconnect, (PEER,), scalar="peer"),
    EventAction("version", ev.VersionReceived, (PEER, *VERSION_KEYS)),
    EventAction("traffic", ev.Traffic, (
        PEER,
        Key("type", "msg_type", read.text, required=True),
        Key("direction", "direction", read.one_of("send", "recv"), required=True),
        Key("bytes", "nbytes", read.positive, required=True),
        Key("pending", "pending", read.boolean),
    )),
    EventAction("flush", ev.FlushSendQueue, (PEER,), scalar="peer"),
    EventAction("pong", ev.PongReceived, (
        PEER, Key("rtt", "rtt_seconds", read.optional(read.duration))
    ), scalar="peer"),
    EventAction("pong_rtt", ev.SetPongRtt, (
        PEER, Key("rtt", "pong_rtt_seconds", read.round_trip, required=True)
    )),
    EventAction("misbehave", ev.Misbehave, (
        PEER, Key("score", "score", read.count, required=True), Key("reason", "reason", read.text)
    )),
    EventAction("ban", ev.Ban, (
        Key("subnet", "subnet", read.text, required=True),
        Key("bantime", "bantime_seconds", read.optional(read.whole_seconds)),
        Key("until", "until_seconds", read.optional(read.whole_moment)),
    ), scalar="subnet"),
    EventAction("unban", ev.Unban, (Key("subnet", "subnet", read.text, required=True),),
                scalar="subnet"),
    EventAction("clearbanned", ev.ClearBans, ()),
    EventAction("addnode", ev.AddNode, (
        Key("node", "node", read.text, required=True),
        Key("command", "command", read.one_of("add", "remove", "onetry"), required=True),
    )),
    EventAction("listen", ev.StartListening, (
        Key("addr", "addr", read.text, required=True),
        *(key for key in VERSION_KEYS if key.name in ("version", "subver", "services",
                                                      "startingheight")),
    ), scalar="addr"),
    EventAction("stop_listening", ev.StopListening, (
        Key("addr", "addr", read.text, required=True),
    ), scalar="addr"),
    EventAction("sync", ev.SyncProgress, (
        PEER,
        Key("headers", "synced_headers", read.optional(read.integer)),
        Key("blocks", "synced_blocks", read.optional(read.integer)),
        Key("inflight", "inflight", read.optional(_inflight)),
        Key("presynced_headers", "presynced_headers", read.optional(read.integer)),
    )),
    EventAction("sendcmpct", ev.SendCmpct, (
        PEER,
        Key("direction", "direction", read.one_of("send", "recv"), required=True),
        Key("high_bandwidth", "high_bandwidth", read.boolean),
    )),
    EventAction("addr", ev.AddrMessage, (
        PEER,
        Key("count", "count", read.count, required=True),
        Key("addrv2", "addrv2", read.boolean),
    )),
    EventAction("feefilter", ev.FeeFilter, (
        PEER, Key("feerate", "feerate", read.integer, required=True),  # out of range: ignored
    )),
    EventAction("blocks", ev.BlocksFound, (
        Key("count", "count", read.positive, required=True),
    ), scalar="count"),
    EventAction("validated", ev.BlocksValidated, (
        Key("height", "height", read.count, required=True),
    ), scalar="height"),
    EventAction("reorg", ev.Reorg, (
        Key("depth", "depth", read.positive), Key("length", "length", read.positive),
    )),
    EventAction("stale_branch", ev.StaleBranch, (
        Key("depth", "depth", read.positive), Key("length", "length", read.positive),
        Key("status", "status", read.one_of("valid-fork", "valid-headers", "headers-only",
                                            "invalid")),
    )),
    EventAction("transactions", ev.TransactionsArrived, (
        Key("count", "count", read.positive, required=True),
        Key("feerate", "feerate", read.optional(read.positive_number)),
        Key("vsize", "vsize", read.optional(read.positive)),
    ), scalar="count"),
    EventAction("network_active", ev.SetNetworkActive, (
        Key("active", "active", read.boolean, required=True),
    ), scalar="active"),
)}  # fmt: skip
EVENT_ACTION_OF = {action.event: action for action in EVENT_ACTIONS.values()}

ACTIONS: dict[str, Callable[[Located], Action]] = {
    "connect": lambda item: PeerSpec(**read_keys(CONNECT_KEYS, item, "connect")),
    "ping": lambda item: PeerAction(read.text(item), "ping"),
    "unanswered_ping": lambda item: PeerAction(read.text(item), "unanswered_ping"),
    **{name: action.parse for name, action in EVENT_ACTIONS.items()},
}
