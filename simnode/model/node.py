"""The node: the one owner of peer, chain and mempool state, changed only by applying events.

Its parts live beside it, one job each: pings, traffic accounting, bans, added nodes, and
chain events; the types they share (settings, snapshot, errors, timers) are in ``state``."""

from __future__ import annotations

import heapq
import math
import threading
from collections.abc import Callable
from dataclasses import fields
from operator import attrgetter

from simnode.model import events as ev
from simnode.model.addednodes import AddedNodes
from simnode.model.addresses import IPNetwork, parse_subnet
from simnode.model.bans import Bans, subnet_key
from simnode.model.blocks import ChainEvents
from simnode.model.chain import Chain
from simnode.model.clock import MICROS, Clock, VirtualClock
from simnode.model.limits import (
    LATEST_US,
)
from simnode.model.mempool import Mempool
from simnode.model.messages import (
    version_message_size,
)
from simnode.model.peer import INBOUND, MANUAL, Peer, PeerSnapshot, sanitize_subver
from simnode.model.pings import Pings
from simnode.model.relay import PeerRelay, connection_type_of
from simnode.model.state import (
    BanEntry,
    ConnectionRefused,
    EventError,
    NodeSettings,
    NodeSnapshot,
    Timer,
    TimerEntry,
)
from simnode.model.traffic import TrafficAccounting


class Node(Pings, TrafficAccounting, PeerRelay, Bans, AddedNodes, ChainEvents):
    """Owns every peer, ban, added node, the chain and the mempool; applies events under one
    lock.

    Time-driven behaviour (automatic pings, simulated pongs, ping timeouts, ban expiry, the
    added-node thread, blocks found every interval) runs from timers, caught up to the clock
    before any event is applied or any snapshot is taken, so a node on a wall clock lives
    without anyone driving it.
    """

    def __init__(self, clock: Clock | None = None, settings: NodeSettings | None = None) -> None:
        self.clock = clock if clock is not None else VirtualClock()
        self.settings = settings or NodeSettings()
        self._lock = threading.RLock()
        self._now_us = self.clock.now_us()
        self._started_us = self._now_us
        self._peers: dict[int, Peer] = {}
        self._next_id = 0
        self._bans: dict[IPNetwork, BanEntry] = {}
        self._added_nodes: list[str] = []
        self._listening: dict[str, ev.StartListening] = {}
        # The added-node thread: when its last round ran, whether that round left an added
        # node unconnected (it then retries every 60 s), and whether a round is scheduled.
        self._added_round_us: int | None = None
        self._added_retrying = False
        self._added_round_due = False
        settings = self.settings
        self._chain = Chain.starting(settings.chain, settings.seed, self._now_seconds,
                                     settings.start_blocks)  # fmt: skip
        self._mempool = Mempool(settings.seed)
        self._network_active = True
        self._total_sent = 0
        self._total_recv = 0
        self._timers: list[TimerEntry] = []
        self.events_applied = 0  # how many events were applied: readers tell change by it
        # Bumped by every change of state (an event, a timer, a ban expiring): while it and the
        # second are the same, an answer that reads only the state and the second is the same.
        self._revision = 0
        self._timer_seq = 0
        self._frozen: dict[int, tuple[int, PeerSnapshot]] = {}
        # Bumped by every change to the peer table, so an unchanged table is handed out as the
        # same tuple (and renderers can reuse whole answers).
        self._table_revision = 0
        # (the table revision it was frozen at, the frozen table, whether a peer in it reads
        # differently as the clock moves)
        self._frozen_table: tuple[int, tuple[PeerSnapshot, ...], bool] = (-1, (), False)
        # Between connects and disconnects only changed peers are frozen again: which ones, and
        # where each peer sits in the frozen table (None: the table must be rebuilt).
        self._changed: set[int] = set()
        self._positions: dict[int, int] | None = None
        self._handlers: dict[type, Callable[[ev.Event], int | None]] = {
            ev.Connect: self._connect,
            ev.Disconnect: self._disconnect,
            ev.VersionReceived: self._version,
            ev.Traffic: self._traffic,
            ev.SendCmpct: self._send_cmpct,
            ev.AddrMessage: self._addr_message,
            ev.FeeFilter: self._fee_filter,
            ev.FlushSendQueue: self._flush,
            ev.PingSent: self._ping,
            ev.PongReceived: self._pong,
            ev.SetPongRtt: self._set_pong_rtt,
            ev.Misbehave: self._misbehave,
            ev.Ban: self._ban,
            ev.Unban: self._unban,
            ev.ClearBans: self._clear_bans,
            ev.SyncProgress: self._sync,
            ev.AddNode: self._add_node,
            ev.StartListening: self._start_listening,
            ev.StopListening: self._stop_listening,
            ev.SetNetworkActive: self._set_network_active,
            ev.BlocksFound: self._blocks_found,
            ev.BlocksValidated: self._blocks_validated,
            ev.Reorg: self._reorg,
            ev.StaleBranch: self._stale_branch,
            ev.TransactionsArrived: self._transactions_arrived,
            ev.AdvanceClock: self._advance,
            ev.SetClock: self._set_clock,
        }
        self._schedule_next_block()

    def apply(self, event: ev.Event) -> int | None:
        """Apply one event; returns the new peer id for ``Connect``, else None.

        Raises EventError (and changes nothing) when the event does not fit the state.
        """
        handler = self._handlers.get(type(event))
        if handler is None:
            raise EventError(f"not an event: {event!r}")
        with self._lock:
            self._catch_up(self.clock.now_us())
            self.events_applied += 1  # even if it fails: a reader's snapshot is then retaken
            self._revision += 1
            return handler(event)

    def advance(self, seconds: float) -> None:
        self.apply(ev.AdvanceClock(seconds))

    def snapshot(self) -> NodeSnapshot:
        with self._lock:
            self._catch_up(self.clock.now_us())
            self._sweep_bans()
            peers = self._freeze_table()
            return NodeSnapshot(
                now_us=self._now_us,
                revision=self._revision,
                started_us=self._started_us,
                peers=peers,
                peers_revision=self._frozen_table[0],
                peers_change_with_time=self._frozen_table[2],
                bans=tuple(self._bans[subnet] for subnet in sorted(self._bans, key=subnet_key)),
                added_nodes=tuple(self._added_nodes),
                listening=tuple(self._listening),
                chain=self._chain,
                mempool=self._mempool,
                network_active=self._network_active,
                total_bytes_sent=self._total_sent,
                total_bytes_recv=self._total_recv,
                settings=self.settings,
            )

    def is_banned(self, address_or_subnet: str, *, exact_subnet: bool = False) -> bool:
        """``CConnman::IsBanned``: an address inside any live ban, or exactly this subnet banned."""
        with self._lock:
            self._catch_up(self.clock.now_us())
            self._sweep_bans()
            if exact_subnet:
                return parse_subnet(address_or_subnet) in self._bans
            return self._banned_ip(address_or_subnet)

    def clone(self) -> Node:
        """An independent node in exactly this state, on a virtual clock at this node's time.

        Cheaper than replaying the events that built this one: what the pytest plugin does to
        give every test the same populated node."""
        with self._lock:
            self._catch_up(self.clock.now_us())
            self._freeze_table()  # frozen here once, the peers' snapshots serve every twin
            twin = Node(VirtualClock(self._now_us / MICROS), self.settings)
            twin._started_us = self._started_us
            twin._peers = {peer_id: copy_peer(peer) for peer_id, peer in self._peers.items()}
            twin._next_id = self._next_id
            twin._bans = dict(self._bans)
            twin._added_nodes = list(self._added_nodes)
            twin._listening = dict(self._listening)
            twin._chain, twin._mempool = self._chain, self._mempool  # immutable: shared
            twin._added_round_us = self._added_round_us
            twin._added_retrying = self._added_retrying
            twin._added_round_due = self._added_round_due
            twin._network_active = self._network_active
            twin._total_sent, twin._total_recv = self._total_sent, self._total_recv
            twin._timers = list(self._timers)  # entries are never changed once scheduled
            twin._timer_seq = self._timer_seq
            twin._frozen = dict(self._frozen)  # snapshots are immutable: shared
            twin._table_revision = self._table_revision
            twin._frozen_table = self._frozen_table
            twin._positions = self._positions  # never changed in place: replaced on rebuild
            return twin

    def is_connected(self, peer_id: int) -> bool:
        with self._lock:
            self._catch_up(self.clock.now_us())
            return peer_id in self._peers

    def peer_ids(self) -> list[int]:
        with self._lock:
            return list(self._peers)

    def _freeze_table(self) -> tuple[PeerSnapshot, ...]:
        """The peer table as a tuple: the same object until a peer changes. With the same peers
        connected, only the changed ones are frozen again (1,000 peers cost what a few do)."""
        revision, table, _ = self._frozen_table
        if revision == self._table_revision:
            return table
        positions = self._positions
        if positions is None:
            table = tuple(self._freeze(peer) for peer in self._peers.values())
            self._positions = {peer.id: index for index, peer in enumerate(table)}
        else:
            rows = list(table)
            for peer_id in self._changed:
                rows[positions[peer_id]] = self._freeze(self._peers[peer_id])
            table = tuple(rows)
        self._changed.clear()
        timed = PeerSnapshot.any_change_with_time(table)
        self._frozen_table = (self._table_revision, table, timed)
        return table

    def _freeze(self, peer: Peer) -> PeerSnapshot:
        cached = self._frozen.get(peer.id)
        if cached is not None and cached[0] == peer.revision:
            return cached[1]
        frozen = peer.freeze()
        self._frozen[peer.id] = (peer.revision, frozen)
        return frozen

    def _peer(self, peer_id: int) -> Peer:
        """The connected peer ``peer_id``, marked as about to change."""
        peer = self._peers.get(peer_id)
        if peer is None:
            raise EventError(f"no connected peer with id {peer_id}")
        self._touch(peer)
        return peer

    def _touch(self, peer: Peer) -> None:
        """Mark ``peer`` (and so the peer table) as about to change."""
        peer.revision += 1
        self._table_revision += 1
        self._changed.add(peer.id)

    def _membership_changed(self) -> None:
        """A peer joined or left: the next frozen table is built whole."""
        self._table_revision += 1
        self._positions = None
        self._changed.clear()

    @property
    def _now_seconds(self) -> int:
        return self._now_us // MICROS

    def _schedule(self, due_us: int, kind: Timer, peer_id: int, token: int) -> None:
        self._timer_seq += 1
        heapq.heappush(self._timers, TimerEntry(due_us, self._timer_seq, kind, peer_id, token))

    def _catch_up(self, target_us: int) -> None:
        while self._timers and self._timers[0].due_us <= target_us:
            timer = heapq.heappop(self._timers)
            self._revision += 1
            if timer.kind is Timer.ADDED_NODES:
                self._now_us = max(self._now_us, timer.due_us)
                self._added_nodes_round()
                continue
            if timer.kind is Timer.BLOCK_DUE:
                self._now_us = max(self._now_us, timer.due_us)
                self._find_blocks(1)
                self._schedule_next_block()
                continue
            peer = self._peers.get(timer.peer_id)
            if peer is None:
                continue
            self._now_us = max(self._now_us, timer.due_us)
            if timer.kind is Timer.PING_DUE and self._skip_ping_cycles(timer, peer, target_us):
                continue
            if timer.kind is Timer.INV_TRICKLE:
                self._trickle(peer)
                continue
            self._fire(timer, peer)
        self._now_us = target_us

    def _remove_peer(self, peer_id: int) -> None:
        self._membership_changed()
        addr = self._peers.pop(peer_id).addr
        self._frozen.pop(peer_id, None)
        if addr in self._added_nodes:
            self._wake_added_nodes()  # the thread reconnects it on its next round

    def _connect(self, event: ev.Connect) -> int:
        if not self._network_active:
            raise ConnectionRefused("network is disabled (setnetworkactive false)")
        kind = connection_type_of(event, self.settings.private_broadcast)
        # AcceptConnection skips the ban check for whitelisted peers and OpenNetworkConnection
        # skips it for addnode/-connect targets (src/net.cpp @ PAI 3.0.0).
        exempt = (kind == INBOUND and event.whitelisted) or kind == MANUAL
        if not exempt and self._banned_ip(event.addr):
            raise ConnectionRefused(f"{event.addr} is banned")
        if event.pong_rtt_seconds is not None and event.pong_rtt_seconds <= 0:
            raise EventError("pong_rtt_seconds must be positive")
        peer = self._new_peer(event, kind, self._next_id)  # GetNewNodeId: from 0, never reused
        self._next_id += 1
        self._membership_changed()
        self._peers[peer.id] = peer
        return peer.id

    def _disconnect(self, event: ev.Disconnect) -> None:
        self._peer(event.peer_id)
        self._remove_peer(event.peer_id)

    def _version(self, event: ev.VersionReceived) -> None:
        peer = self._peer(event.peer_id)
        if peer.handshake_complete:
            raise EventError(f"peer {peer.id} already sent its version message")
        if not 0 <= event.services < 2**64:
            raise EventError("services must fit in 64 bits")
        peer.version = event.version
        peer.subver = sanitize_subver(event.subver)
        peer.services = event.services
        peer.startingheight = event.startingheight
        self._start_relay(peer, event.relaytxes)
        peer.timeoffset = event.timeoffset
        peer.addrlocal = event.addrlocal
        size = version_message_size(event.subver) if event.size is None else event.size
        self._account_recv(peer, "version", size)
        peer.handshake_complete = True
        self._schedule_next_ping(peer)

    def _set_network_active(self, event: ev.SetNetworkActive) -> None:
        """``CConnman::SetNetworkActive(false)`` disconnects every peer."""
        self._network_active = event.active
        if not event.active:
            for peer_id in list(self._peers):
                self._remove_peer(peer_id)
        elif self._added_nodes:
            self._wake_added_nodes()

    def _advance(self, event: ev.AdvanceClock) -> None:
        if event.seconds < 0:
            raise EventError("the clock only advances")
        check_reachable(self._now_us + event.seconds * MICROS)
        self.clock.advance(event.seconds)
        self._catch_up(self.clock.now_us())

    def _set_clock(self, event: ev.SetClock) -> None:
        """Only forwards: peer times already recorded must not end up before conntime."""
        check_reachable(event.epoch_seconds * MICROS)
        if round(event.epoch_seconds * MICROS) < self._now_us:
            raise EventError("the node's clock does not go back")
        self.clock.set(event.epoch_seconds)
        self._catch_up(self.clock.now_us())


def check_reachable(time_us: float) -> None:
    if not math.isfinite(time_us) or time_us > LATEST_US:
        raise EventError("the clock cannot go past 2^63-1 microseconds (the node's int64 time)")


_PEER_FIELDS = tuple(f.name for f in fields(Peer))
_read_peer = attrgetter(*_PEER_FIELDS)


def copy_peer(peer: Peer) -> Peer:
    """An independent copy: every field read in one call and set on a bare instance (copy.copy
    of a slotted dataclass goes through __reduce_ex__, ~4x slower; a fixture reset copies
    every peer of its template), the per-message maps copied."""
    twin = object.__new__(Peer)
    for name, value in zip(_PEER_FIELDS, _read_peer(peer), strict=True):
        setattr(twin, name, value)
    twin.sent_per_msg = dict(peer.sent_per_msg)
    twin.recv_per_msg = dict(peer.recv_per_msg)
    return twin
