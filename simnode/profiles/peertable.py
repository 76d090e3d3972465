"""getpeerinfo as JSON text: an encoder per release derived from the field table, and the
incremental renderer a served node keeps so an unchanged peer costs a dictionary lookup."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from itertools import compress, count
from operator import attrgetter, is_not
from typing import Any

from simnode.model.peer import PeerSnapshot
from simnode.model.state import NodeSnapshot
from simnode.profiles.fields import ABSENT, Field, PeerAttribute, Presence
from simnode.profiles.jsontext import Amount, RawJSON, encode_string, format_double

_BOOL_TEXT = {True: "true", False: "false"}


def _int_map(mapping: dict[str, int]) -> str:
    return "{" + ",".join([f"{encode_string(k)}:{v}" for k, v in mapping.items()]) + "}"


def _int_array(values: list[int]) -> str:
    return "[" + ",".join(map(int.__repr__, values)) + "]"


def _string_array(values: list[str]) -> str:
    return "[" + ",".join(map(encode_string, values)) + "]"


def _number(value: Any) -> str:
    return value.text if value.__class__ is Amount else format_double(value)


# How each JSON type (with its items' type) is written; None: ``str.format`` writes it as is.
_WRITERS: dict[tuple[str, str | None], Callable[[Any], str] | None] = {
    ("integer", None): None,
    ("string", None): encode_string,
    ("boolean", None): _BOOL_TEXT.__getitem__,
    ("number", None): _number,
    ("array", "integer"): _int_array,
    ("array", "string"): _string_array,
    ("object", "integer"): _int_map,
}


def _tuple_getter(attributes: list[str]) -> Callable[[PeerSnapshot], tuple[Any, ...]]:
    """Reads the attributes as a tuple in one C call (``attrgetter`` of one name gives the
    value itself, of none nothing)."""
    if len(attributes) > 1:
        return attrgetter(*attributes)
    if attributes:
        read = attrgetter(attributes[0])
        return lambda peer: (read(peer),)
    return lambda peer: ()


_GROUPS = ("integer", "string", "boolean")  # attribute fields read together, by JSON type
_COMPUTED, _OPTIONAL = 3, 4  # the other two arguments of a template


class PeerEncoder:
    """Writes one getpeerinfo entry as JSON text, the same text as ``jsontext.dumps`` of the
    rendered dict, derived from the field table (nothing is generated as source).

    Always-present attribute fields are read grouped by JSON type, one ``attrgetter`` call per
    group, and written by C-level ``map`` (integers as they are); computed and optional fields
    cost a Python call each. One ``str.format`` call writes the entry, with the template for the
    optional fields present (one per combination, made up front): ``{{"id":{0[0]},...}}``.
    """

    def __init__(self, fields: tuple[Field, ...]) -> None:
        grouped: dict[str, list[str]] = {json_type: [] for json_type in _GROUPS}
        self._computed: list[tuple[Callable[[PeerSnapshot, int], Any], Callable[[Any], str]]] = []
        # (attribute or None, the field's value function, its writer) of each optional field
        self._optional: list[tuple[str | None, Callable[[PeerSnapshot, int], Any],
                                   Callable[[Any], str]]] = []  # fmt: skip
        pieces: list[str | None] = []  # a template piece per field; None: an optional one
        names: list[str] = []
        for f in fields:
            writer = _WRITERS[f.json_type, f.items]
            attribute = f.value.attribute if isinstance(f.value, PeerAttribute) else None
            if f.presence is Presence.OPTIONAL:
                pieces.append(None)
                names.append(f.name)
                self._optional.append((attribute, f.value, writer or str))
            elif attribute is not None and f.json_type in grouped:
                group = _GROUPS.index(f.json_type)
                pieces.append(f',"{f.name}":{{{group}[{len(grouped[f.json_type])}]}}')
                grouped[f.json_type].append(attribute)
            else:
                pieces.append(f',"{f.name}":{{{_COMPUTED}[{len(self._computed)}]}}')
                self._computed.append((f.value, writer or str))
        self._integers = _tuple_getter(grouped["integer"])
        self._strings = _tuple_getter(grouped["string"])
        self._booleans = _tuple_getter(grouped["boolean"])
        self._templates = tuple(
            _template(pieces, names, mask) for mask in range(1 << len(self._optional))
        )

    def __call__(self, peer: PeerSnapshot, now_us: int) -> str:
        mask, present, bit = 0, [], 1
        for attribute, compute, writer in self._optional:
            if attribute is not None:
                value = getattr(peer, attribute)
                missing = value is None
            else:
                value = compute(peer, now_us)
                missing = value is ABSENT
            if not missing:
                mask |= bit
                present.append(writer(value))
            bit <<= 1
        return self._templates[mask].format(
            self._integers(peer),
            tuple(map(encode_string, self._strings(peer))),
            tuple(map(_BOOL_TEXT.__getitem__, self._booleans(peer))),
            [writer(compute(peer, now_us)) for compute, writer in self._computed],
            present,
        )


def _template(pieces: list[str | None], names: list[str], mask: int) -> str:
    """The entry's format string when the optional fields in ``mask`` are present. Field names
    are identifiers, so nothing but the object's own braces needs escaping."""
    body, optional, present = [], 0, 0
    for piece in pieces:
        if piece is not None:
            body.append(piece)
            continue
        if mask >> optional & 1:
            body.append(f',"{names[optional]}":{{{_OPTIONAL}[{present}]}}')
            present += 1
        optional += 1
    return "{{" + "".join(body)[1:] + "}}"


def json_array(items: list[bytes]) -> bytes:
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


class PeerTable:
    """One served node's getpeerinfo in one release's shape, rendered incrementally.

    A peer's text is reused while the node hands out the same snapshot object for it; a peer
    whose view changes with time (a ping outstanding) is rendered again when the clock moves.
    A table as long as the last one is compared with it entry by entry, so 1,000 peers of which
    a few changed cost about what those few do. It belongs to one node: a reset starts a new one.
    """

    def __init__(self, encode_peer: PeerEncoder) -> None:
        self._encode = encode_peer
        self._fragments: dict[int, tuple[PeerSnapshot, bytes]] = {}  # peer id -> its text
        self._last = _Answer((), None, [], (), RawJSON("[]"))
        self._lock = threading.Lock()

    def inherit(self, previous: PeerTable) -> None:
        """Start from the texts ``previous`` (the node this one replaces) rendered. A reset
        clones one template node, whose peers' snapshots every clone shares as the very same
        objects, so a fresh node's first getpeerinfo is mostly lookups; a text is only ever
        reused for the snapshot object it was rendered from."""
        if previous._encode is self._encode:
            self._fragments = dict(previous._fragments)

    def render(self, snapshot: NodeSnapshot) -> RawJSON:
        now = snapshot.now_us
        peers = snapshot.peers
        last = self._last
        if last.peers is peers and (last.at is None or last.at == now):
            return last.json
        with self._lock:  # worker threads render the same table: once is enough
            return self._render(peers, now)

    def _render(self, peers: tuple[PeerSnapshot, ...], now: int) -> RawJSON:
        last = self._last
        if last.peers is peers and (last.at is None or last.at == now):
            return last.json
        if len(last.peers) == len(peers):
            # The indices whose snapshot object changed, found in C (1,000 peers: ~10 us).
            changed = list(compress(count(), map(is_not, last.peers, peers)))
            parts = list(last.parts)
            timed = [i for i in last.timed if peers[i] is last.peers[i]]
            if last.at != now:
                for index in timed:
                    parts[index] = self._encode(peers[index], now).encode()
            for index in changed:
                parts[index] = self._peer_text(peers[index], now)
            timed = sorted(timed + [i for i in changed if peers[i].changes_with_time])
        else:
            parts = [self._peer_text(peer, now) for peer in peers]
            timed = [i for i, peer in enumerate(peers) if peer.changes_with_time]
        if len(self._fragments) > 2 * len(peers) + 64:  # forget peers that have left
            live = {peer.id for peer in peers}
            self._fragments = {i: text for i, text in self._fragments.items() if i in live}
        answer = RawJSON(encoded=json_array(parts))
        self._last = _Answer(peers, now if timed else None, parts, tuple(timed), answer)
        return answer

    def _peer_text(self, peer: PeerSnapshot, now_us: int) -> bytes:
        """One entry's JSON: rendered afresh if it reads differently with time, else the text
        rendered for this very snapshot before."""
        if peer.changes_with_time:
            return self._encode(peer, now_us).encode()
        cached = self._fragments.get(peer.id)
        if cached is None or cached[0] is not peer:
            cached = (peer, self._encode(peer, now_us).encode())
            self._fragments[peer.id] = cached
        return cached[1]
