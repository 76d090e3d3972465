"""What a timeline entry does, turned into model events when it runs.

Actions name peers by the labels the scenario gives them; ids are the node's business and come
from ``Connect`` at run time. ``"all"`` means every peer connected at that moment.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from simnode.model import events as ev
from simnode.model.node import Node
from simnode.model.state import ConnectionRefused

if TYPE_CHECKING:
    from simnode.scenarios.source import Where

ALL = "all"


class Run(Protocol):
    """What an action needs from the runner."""

    node: Node

    def peer_id(self, name: str) -> int: ...

    def bind(self, name: str, peer_id: int) -> None: ...

    def unbind(self, name: str) -> None: ...


@dataclass(frozen=True, slots=True)
class VersionSpec:
    """A version message's fields as the file gives them; the rest take ``VersionReceived``'s
    defaults (a PAI Core 3.0.0 peer)."""

    fields: tuple[tuple[str, Any], ...] = ()

    def event(self, peer_id: int) -> ev.VersionReceived:
        return ev.VersionReceived(peer_id, **dict(self.fields))


@dataclass(frozen=True, slots=True)
class PeerSpec:
    """A peer the scenario connects: explicitly, at start or from the timeline."""

    name: str
    addr: str
    inbound: bool = True
    whitelisted: bool = False
    manual: bool = False
    addrbind: str | None = None
    pong_rtt: float | None = 0.1
    version: VersionSpec | None = VersionSpec()  # None: the peer never sends its version
    connection_type: ev.ConnectionType | None = None  # None: from inbound and manual
    v2transport: bool = False
    mapped_as: int | None = None

    def __call__(self, run: Run) -> None:
        """Connect; a refused connection (a banned address) leaves the name unbound."""
        event = ev.Connect(
            self.addr, self.inbound, self.whitelisted, self.manual, self.addrbind, self.pong_rtt,
            self.connection_type, self.v2transport, self.mapped_as,
        )  # fmt: skip
        try:
            peer_id = run.node.apply(event)
        except ConnectionRefused:
            return
        assert peer_id is not None
        run.bind(self.name, peer_id)
        if self.version is not None:
            run.node.apply(self.version.event(peer_id))

    def referenced_peers(self) -> tuple[str, ...]:
        return ()


@dataclass(frozen=True, slots=True)
class GeneratedPeers:
    """``count: N`` plausible peers from ``populate``'s seeded draws, named ``prefix-0`` ...,
    with what the file overrides (``inbound``, ``whitelisted``, ``manual``, ``pong_rtt``,
    ``version`` fields)."""

    count: int
    prefix: str
    where: Where
    overrides: tuple[tuple[str, Any], ...] = ()  # PopulateOptions fields


class Action(Protocol):
    def __call__(self, run: Run) -> None: ...

    def referenced_peers(self) -> tuple[str, ...]: ...


def _targets(run: Run, peer: str) -> list[int]:
    return run.node.peer_ids() if peer == ALL else [run.peer_id(peer)]


@functools.lru_cache(maxsize=1 << 16)
def _event(make: type, peer_id: int, arguments: tuple[tuple[str, Any], ...]) -> ev.Event:
    """Events are immutable values: a repeated entry reuses them instead of building each one
    again (building a frozen dataclass costs more than applying it)."""
    return make(peer_id, **dict(arguments))


@dataclass(frozen=True, slots=True)
class PeerAction:
    """A ping for one named peer (or every peer, for "all"); ``unanswered_ping`` first makes
    the peer stop answering."""

    peer: str
    kind: Literal["ping", "unanswered_ping"]

    def __call__(self, run: Run) -> None:
        if self.kind == "ping" and self.peer == ALL:
            run.node.apply(ev.PingSent(None))  # as the ping RPC: peers past their handshake
            return
        for peer_id in _targets(run, self.peer):
            if self.kind == "unanswered_ping":
                run.node.apply(ev.SetPongRtt(peer_id, None))
            run.node.apply(ev.PingSent(peer_id))

    def referenced_peers(self) -> tuple[str, ...]:
        return () if self.peer == ALL else (self.peer,)


@dataclass(frozen=True, slots=True)
class PeerEventAction:
    """A model event for one named peer (or every peer, for "all"), its ``peer_id`` filled in
    at run time; a disconnected peer's name is free again."""

    peer: str
    make: type  # an event class whose first field is peer_id
    arguments: tuple[tuple[str, Any], ...] = ()  # the other fields, by name

    def __call__(self, run: Run) -> None:
        for peer_id in _targets(run, self.peer):
            run.node.apply(_event(self.make, peer_id, self.arguments))
        if self.make is ev.Disconnect and self.peer != ALL:
            run.unbind(self.peer)

    def referenced_peers(self) -> tuple[str, ...]:
        return () if self.peer == ALL else (self.peer,)


@dataclass(frozen=True, slots=True)
class NodeEventAction:
    """A model event that names no peer (bans, addnode, network switch)."""

    event: ev.Event

    def __call__(self, run: Run) -> None:
        run.node.apply(self.event)

    def referenced_peers(self) -> tuple[str, ...]:
        return ()
