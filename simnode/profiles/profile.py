"""A profile: one node release's dialect, rendering snapshots into that release's exact JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simnode.model.fakepeers import PopulateOptions, bitcoin_core_agents
from simnode.model.peer import PeerSnapshot
from simnode.model.state import NodeSettings, NodeSnapshot
from simnode.profiles.fields import ABSENT, FIELDS, Field, PeerAttribute, Presence
from simnode.profiles.jsontext import Amount, RawJSON, format_double


@dataclass(frozen=True, slots=True)
class NodeIdentity:
    """Who the node says it is (src/clientversion.*, src/version.h, src/chainparams*.cpp)."""

    client_name: str  # CLIENT_NAME: "Turing" for PAI Core, "Satoshi" for Bitcoin Core
    client_version: tuple[int, int, int]
    version_number: int  # getnetworkinfo.version (CLIENT_VERSION)
    protocol_version: int
    local_services: int
    rpc_port: int
    p2p_port: int
    release_label: str  # how the docs and help name the release
    cli_name: str  # the node's CLI, as its help examples name it
    stop_message: str  # what the stop RPC answers

    @property
    def subversion(self) -> str:
        """``FormatSubVersion``: ``/Turing:3.0.0/``."""
        return f"/{self.client_name}:{'.'.join(map(str, self.client_version))}/"


@dataclass(frozen=True, slots=True)
class NetFeatures:
    """Which shape each of the neighbouring net RPCs has in this release."""

    networkinfo_has_networkactive: bool = True  # 0.14+
    networkinfo_has_incrementalfee: bool = True  # 0.14+
    listbanned_has_reason: bool = True  # up to 0.20.0
    networks: tuple[str, ...] = ("ipv4", "ipv6", "onion")
    # -24 text for `addnode remove` of an unknown node (0.21+ changed it, #19696).
    addnode_remove_unknown: str = "Error: Node has not been added."
    # -30 text for `setban remove` of an address not banned (0.20.1+ says "manually banned").
    unban_unknown: str = "Error: Unban failed. Requested address/subnet was not previously banned."
    work_queue_status: int = 500  # 503 from Bitcoin Core 22 (#18335)
    jsonrpc_v2: bool = False  # JSON-RPC 2.0 beside the legacy protocol, from Bitcoin Core 28
    has_getinfo: bool = True  # PAI Core keeps it; Bitcoin Core removed it in 0.16
    # getnetworkinfo: localservicesnames (0.19+, #16787), connections_in/out (0.21+, #19405),
    # warnings as a list of strings (28+, #29845).
    networkinfo_servicesnames: bool = False
    networkinfo_connections_split: bool = False
    warnings_list: bool = False
    # listbanned: ban_created before banned_until, plus ban_duration and time_remaining (22+).
    listbanned_durations: bool = False
    # Arguments handled as RPCHelpMan does: the arity from which arguments are documented as
    # optional, and every argument's JSON type checked before the handler runs (25+, #26929).
    rpchelpman_arguments: bool = False


@dataclass(eq=False)
class Profile:
    """A release's getpeerinfo field order plus its identity and net-RPC shapes.

    ``peer_fields`` comes from the shared field table (``fields.FIELDS``); rendering is cached
    per peer snapshot, so an unchanged peer costs one dictionary lookup.
    """

    name: str
    identity: NodeIdentity
    field_names: tuple[str, ...]
    features: NetFeatures = NetFeatures()
    summary: str = ""
    # Fields the release's own reference page leaves out of its table: the real node sends
    # them, but a node or client built from the documentation may not.
    undocumented: tuple[str, ...] = ()
    # How the release's node behaves by default (misbehaviour rules, known message types).
    settings: NodeSettings = field(default_factory=NodeSettings)
    peer_fields: tuple[Field, ...] = field(init=False)
    _encode_peer: Callable[[PeerSnapshot, int], str] = field(init=False)
    # peer id -> (the snapshot rendered, its JSON), for peers whose view does not change with time
    _fragments: dict[int, tuple[PeerSnapshot, bytes]] = field(init=False)
    _last_answer: _Answer = field(init=False)

    def __post_init__(self) -> None:
        self.peer_fields = tuple(FIELDS[name] for name in self.field_names)
        self._encode_peer = _compile_encoder(self.peer_fields)
        self._fragments = {}
        self._last_answer = _Answer((), None, [], (), RawJSON("[]"))

    def render_peer(self, peer: PeerSnapshot, now_us: int) -> dict[str, Any]:
        """One getpeerinfo entry, keys in the release's order, absent fields left out."""
        entry = {}
        for f in self.peer_fields:
            value = f.value(peer, now_us)
            if value is not ABSENT:
                entry[f.name] = value
        return entry

    def populate_options(self, **overrides: Any) -> PopulateOptions:
        """How generated peers of this release look: its ports and user agent, and the agents
        and protocol versions of the nodes that connect to it."""
        identity = self.identity
        if identity.client_name == "Satoshi":
            own = identity.protocol_version
            overrides = {"user_agents": bitcoin_core_agents(identity.client_version),
                         "protocol_versions": ((own, 85), (own - 1, 10), (own - 2, 5)),
                         **overrides}  # fmt: skip
        return PopulateOptions(p2p_port=identity.p2p_port, our_subver=identity.subversion,
                               **overrides)  # fmt: skip

    def getpeerinfo(self, snapshot: NodeSnapshot) -> list[dict[str, Any]]:
        return [self.render_peer(peer, snapshot.now_us) for peer in snapshot.peers]

    def getpeerinfo_json(self, snapshot: NodeSnapshot) -> RawJSON:
        """getpeerinfo as JSON, rendering only what changed since the last answer.

        A peer's text is reused while the node hands out the same snapshot object for it; a peer
        whose view changes with time (a ping outstanding) is rendered again when the clock moves.
        A table as long as the last one is compared with it entry by entry, so 1,000 peers of
        which a few changed cost about what those few do.
        """
        now = snapshot.now_us
        peers = snapshot.peers
        last = self._last_answer
        if last.peers is peers and (last.at is None or last.at == now):
            return last.json
        if len(last.peers) == len(peers):
            pairs = enumerate(zip(last.peers, peers, strict=True))
            changed = [i for i, (old, new) in pairs if old is not new]
            parts = list(last.parts)
            timed = [i for i in last.timed if peers[i] is last.peers[i]]
            if last.at != now:
                for index in timed:
                    parts[index] = self._encode_peer(peers[index], now).encode()
            for index in changed:
                parts[index] = self._peer_text(peers[index], now)
            timed = sorted(timed + [i for i in changed if peers[i].changes_with_time])
        else:
            parts = [self._peer_text(peer, now) for peer in peers]
            timed = [i for i, peer in enumerate(peers) if peer.changes_with_time]
        fragments = self._fragments
        if len(fragments) > 2 * len(peers) + 64:  # forget peers that have left
            live = {peer.id for peer in peers}
            # Other threads render too: iterate over a copy, and tolerate their deletions.
            for peer_id in [i for i in list(fragments) if i not in live]:
                fragments.pop(peer_id, None)
        return self._remember(peers, now if timed else None, parts, tuple(timed))

    def _peer_text(self, peer: PeerSnapshot, now_us: int) -> bytes:
        """One entry's JSON: rendered afresh if it reads differently with time, else the text
        rendered for this very snapshot before."""
        if peer.changes_with_time:
            return self._encode_peer(peer, now_us).encode()
        cached = self._fragments.get(peer.id)
        if cached is None or cached[0] is not peer:
            cached = (peer, self._encode_peer(peer, now_us).encode())
            self._fragments[peer.id] = cached
        return cached[1]

    def _remember(
        self,
        peers: tuple[PeerSnapshot, ...],
        at: int | None,
        parts: list[bytes],
        timed: tuple[int, ...],
    ) -> RawJSON:
        answer = RawJSON(encoded=_json_array(parts))
        self._last_answer = _Answer(peers, at, parts, timed, answer)
        return answer


def _json_array(items: list[bytes]) -> bytes:
    """``[a,b,...]`` written into one buffer: adding the brackets to a joined answer would copy
    it again, and a fresh copy of a large answer costs ten times the join (page faults)."""
    if not items:
        return b"[]"
    edges = list(items)
    edges[0] = b"[" + edges[0]
    edges[-1] = edges[-1] + b"]"
    return b",".join(edges)


@dataclass(frozen=True, slots=True)
class _Answer:
    """The last getpeerinfo rendered: from which peer table, at what time (None if no peer
    in it changes with time), one JSON object per peer, which of them change with time."""

    peers: tuple[PeerSnapshot, ...]
    at: int | None
    parts: list[bytes]
    timed: tuple[int, ...]
    json: RawJSON


def _int_map(mapping: dict[str, int]) -> str:
    return "{" + ",".join([f"{encode_string(k)}:{v}" for k, v in mapping.items()]) + "}"


def _int_array(values: list[int]) -> str:
    return "[" + ",".join(map(int.__repr__, values)) + "]"


def _string_array(values: list[str]) -> str:
    return "[" + ",".join(map(encode_string, values)) + "]"


encode_string: Callable[[str], str] = json.encoder.encode_basestring  # type: ignore[attr-defined]
# The JSON types (with their items' type) that compiled encoders write through a function.
_ENCODERS: dict[tuple[str, str | None], Callable[[Any], str]] = {
    ("number", None): lambda v: v.text if v.__class__ is Amount else format_double(v),
    ("array", "integer"): _int_array,
    ("array", "string"): _string_array,
    ("object", "integer"): _int_map,
}


def _compile_encoder(fields: tuple[Field, ...]) -> Callable[[PeerSnapshot, int], str]:
    """A function writing one entry as JSON text, generated from the field table: each value
    written by its field's JSON type, optional ones only when present. It gives the same text as
    ``jsontext.dumps(render_peer(...))``. Runs of always-present fields become one f-string and
    attribute fields are read inline, which brings a cold rendering to about 1.2x ``json.dumps``
    of the built dict (a call per field costs 1.7x)."""
    namespace: dict[str, Any] = {"ABSENT": ABSENT, "es": encode_string, "BOOL": _BOOL_TEXT}
    lines = ["def encode_peer(peer, now_us):", "    parts = []"]
    run: list[str] = []  # always-present fields not yet appended, as f-string pieces

    def append(pieces: str, indent: str = "    ") -> None:
        # Field names are identifiers: the JSON text has no quote or brace to escape here.
        lines.append(f"{indent}parts.append(f'{pieces}')")

    for index, f in enumerate(fields):
        if isinstance(f.value, PeerAttribute):
            read, missing = f"peer.{f.value.attribute}", "None"
        else:
            namespace[f"value_{index}"] = f.value
            read, missing = f"value_{index}(peer, now_us)", "ABSENT"
        if f.presence is not Presence.OPTIONAL:
            run.append(f',"{f.name}":{{{_text_of(f, index, read, namespace)}}}')
            continue
        if run:
            append("".join(run))
            run.clear()
        lines += [f"    value = {read}", f"    if value is not {missing}:"]
        append(f',"{f.name}":{{{_text_of(f, index, "value", namespace)}}}', indent="        ")
    if run:
        append("".join(run))
    lines.append('    return "{" + "".join(parts)[1:] + "}"')
    exec("\n".join(lines), namespace)  # the source is built from the field table above only
    return namespace["encode_peer"]


_BOOL_TEXT = {True: "true", False: "false"}


def _text_of(f: Field, index: int, value: str, namespace: dict[str, Any]) -> str:
    """The expression writing ``value`` (an expression) as the field's JSON text."""
    if f.json_type == "integer":
        return value
    if f.json_type == "string":
        return f"es({value})"
    if f.json_type == "boolean":
        return f"BOOL[{value}]"
    namespace[f"encode_{index}"] = _ENCODERS[f.json_type, f.items]
    return f"encode_{index}({value})"
