"""The node: the one owner of peer state, changed only by applying events."""

from __future__ import annotations

import copy
import heapq
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from simnode.model import events as ev
from simnode.model.addresses import IPNetwork, ip_of, is_local, parse_subnet, single_host_subnet
from simnode.model.chain import HEADER_BYTES, Chain
from simnode.model.chainparams import PAI_MAIN, ChainParams
from simnode.model.clock import MICROS, Clock, VirtualClock
from simnode.model.mempool import Mempool
from simnode.model.peer import Peer, PeerSnapshot, sanitize_subver

# src/protocol.cpp @ PAI 3.0.0: allNetMessageTypes. Received messages of any other type are
# counted under "*other*" (NET_MESSAGE_COMMAND_OTHER, src/net.cpp:CNode::ReceiveMsgBytes).
PAI_MESSAGE_TYPES = frozenset(
    (
        *("version", "verack", "addr", "inv", "getdata", "merkleblock", "getblocks"),
        *("getheaders", "tx", "headers", "block", "getaddr", "mempool", "ping", "pong"),
        *("notfound", "filterload", "filteradd", "filterclear", "reject", "sendheaders"),
        *("feefilter", "sendcmpct", "cmpctblock", "getblocktxn", "blocktxn"),
    )
)
# Bitcoin Core 25-31 (src/protocol.cpp): 0.20 dropped reject; 0.21 added BIP155/157/339 types;
# 25 added sendtxrcncl.
MODERN_MESSAGE_TYPES = (PAI_MESSAGE_TYPES - {"reject"}) | frozenset(
    ("addrv2", "sendaddrv2", "getcfilters", "cfilter", "getcfheaders", "cfheaders",
     "getcfcheckpt", "cfcheckpt", "wtxidrelay", "sendtxrcncl")
)  # fmt: skip
OTHER_MESSAGE_TYPE = "*other*"
PING_BYTES = 32  # 24-byte header + 8-byte nonce (asserted by test/functional/net.py @ PAI 3.0.0)
BIP31_VERSION = 60000  # peers at or below it get nonce-less pings and are never timed
MAX_BLOCKS_IN_TRANSIT_PER_PEER = 16  # src/validation.h @ PAI 3.0.0
MESSAGE_HEADER_BYTES = 24
SKIP_PING_CYCLES_FROM = 16  # a clock jump over more cycles than this applies them at once
# ThreadOpenAddedConnections (src/net.cpp @ PAI 3.0.0): after a round that tried a connection
# it sleeps 60 s, otherwise 2 s.
ADDED_NODE_RETRY_SECONDS = 60
ADDED_NODE_POLL_SECONDS = 2


def version_message_size(subver: str) -> int:
    """Bytes of a ``version`` message: header, 80 fixed bytes, varstr subver, height, relay flag."""
    length = len(subver.encode())
    varint = 1 if length < 253 else 3
    return MESSAGE_HEADER_BYTES + 80 + varint + length + 4 + 1


@dataclass(frozen=True, slots=True)
class NodeSettings:
    """Node options; names follow the node's own (``-banscore``, ``-bantime``)."""

    ban_threshold: int = 100  # -banscore, DEFAULT_BANSCORE_THRESHOLD
    ban_time_seconds: int = 86400  # -bantime, DEFAULT_MISBEHAVING_BANTIME
    automatic_pings: bool = True
    ping_interval_seconds: int = 120  # PING_INTERVAL, src/net_processing.h
    ping_timeout_seconds: int = 1200  # TIMEOUT_INTERVAL, src/net.h
    known_message_types: frozenset[str] = PAI_MESSAGE_TYPES
    # "ban": crossing ban_threshold bans the address (PAI Core, Bitcoin Core <= 0.20.0);
    # "discourage": any misbehaviour disconnects, with no ban to list (Bitcoin Core 28+, #29575).
    misbehaviour: str = "ban"
    # The chain: which network, the seed its blocks and transactions derive from, how far the
    # node has validated at start (None: synced), and whether blocks arrive on their own.
    chain: ChainParams = PAI_MAIN
    seed: int = 0
    start_blocks: int | None = None
    block_interval_seconds: float | None = None


@dataclass(frozen=True, slots=True)
class BanEntry:
    subnet: IPNetwork
    created: int
    until: int
    reason: str


@dataclass(frozen=True, slots=True)
class NodeSnapshot:
    """The whole node at one instant: what every RPC answer is rendered from."""

    now_us: int
    started_us: int
    peers: tuple[PeerSnapshot, ...]
    bans: tuple[BanEntry, ...]
    added_nodes: tuple[str, ...]
    listening: tuple[str, ...]  # addresses on the fake network that accept connections
    chain: Chain
    mempool: Mempool
    network_active: bool
    total_bytes_sent: int
    total_bytes_recv: int
    settings: NodeSettings

    @property
    def now_seconds(self) -> int:
        return self.now_us // MICROS


class EventError(ValueError):
    """An event that cannot apply to the current state; the state is left unchanged."""


class ConnectionRefused(EventError):
    """A connection the node would not accept (banned address, network inactive)."""


class _Timer(Enum):
    PING_DUE = 1
    PONG_ARRIVES = 2
    PING_TIMEOUT = 3
    ADDED_NODES = 4  # a round of the added-node thread (peer_id -1)
    BLOCK_DUE = 5  # the network finds a block (settings.block_interval_seconds; peer_id -1)


@dataclass(order=True, slots=True)
class _TimerEntry:
    due_us: int
    seq: int
    kind: _Timer = field(compare=False)
    peer_id: int = field(compare=False)
    token: int = field(compare=False)


class Node:
    """Owns every peer, ban and counter; applies events under one lock.

    Time-driven behaviour (automatic pings, simulated pongs, ping timeouts, ban expiry) runs from
    timers, caught up to the clock before any event is applied or any snapshot is taken, so a
    node on a wall clock lives without anyone driving it.
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
        self._timers: list[_TimerEntry] = []
        self._timer_seq = 0
        self._frozen: dict[int, tuple[int, PeerSnapshot]] = {}
        # Bumped by every change to the peer table, so an unchanged table is handed out as the
        # same tuple (and renderers can reuse whole answers).
        self._table_revision = 0
        self._frozen_table: tuple[int, tuple[PeerSnapshot, ...]] = (-1, ())
        # Between connects and disconnects only changed peers are frozen again: which ones, and
        # where each peer sits in the frozen table (None: the table must be rebuilt).
        self._changed: set[int] = set()
        self._positions: dict[int, int] | None = None
        self._handlers: dict[type, Callable[[ev.Event], int | None]] = {
            ev.Connect: self._connect,
            ev.Disconnect: self._disconnect,
            ev.VersionReceived: self._version,
            ev.Traffic: self._traffic,
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

    # ----------------------------------------------------------------------------- public API
    def apply(self, event: ev.Event) -> int | None:
        """Apply one event; returns the new peer id for ``Connect``, else None.

        Raises EventError (and changes nothing) when the event does not fit the state.
        """
        handler = self._handlers.get(type(event))
        if handler is None:
            raise EventError(f"not an event: {event!r}")
        with self._lock:
            self._catch_up(self.clock.now_us())
            return handler(event)

    def advance(self, seconds: float) -> None:
        self.apply(ev.AdvanceClock(seconds))

    def snapshot(self) -> NodeSnapshot:
        with self._lock:
            self._catch_up(self.clock.now_us())
            self._sweep_bans()
            return NodeSnapshot(
                now_us=self._now_us,
                started_us=self._started_us,
                peers=self._freeze_table(),
                bans=tuple(self._bans[subnet] for subnet in sorted(self._bans, key=_subnet_key)),
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
            twin._peers = {peer_id: _copy_peer(peer) for peer_id, peer in self._peers.items()}
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

    # ----------------------------------------------------------------------------- internals
    def _freeze_table(self) -> tuple[PeerSnapshot, ...]:
        """The peer table as a tuple: the same object until a peer changes. With the same peers
        connected, only the changed ones are frozen again (1,000 peers cost what a few do)."""
        revision, table = self._frozen_table
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
        self._frozen_table = (self._table_revision, table)
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

    def _banned_ip(self, addr: str) -> bool:
        ip = ip_of(addr)
        now = self._now_seconds
        return ip is not None and any(
            ip in subnet and entry.until > now
            for subnet, entry in self._bans.items()
            if subnet.version == ip.version
        )

    def _sweep_bans(self) -> None:
        """``CConnman::SweepBanned``: expired bans disappear (src/net.cpp @ PAI 3.0.0)."""
        now = self._now_seconds
        for subnet in [s for s, entry in self._bans.items() if entry.until <= now]:
            del self._bans[subnet]

    # --- timers
    def _schedule(self, due_us: int, kind: _Timer, peer_id: int, token: int) -> None:
        self._timer_seq += 1
        heapq.heappush(self._timers, _TimerEntry(due_us, self._timer_seq, kind, peer_id, token))

    def _catch_up(self, target_us: int) -> None:
        while self._timers and self._timers[0].due_us <= target_us:
            timer = heapq.heappop(self._timers)
            if timer.kind is _Timer.ADDED_NODES:
                self._now_us = max(self._now_us, timer.due_us)
                self._added_nodes_round()
                continue
            if timer.kind is _Timer.BLOCK_DUE:
                self._now_us = max(self._now_us, timer.due_us)
                self._find_blocks(1)
                self._schedule_next_block()
                continue
            peer = self._peers.get(timer.peer_id)
            if peer is None:
                continue
            self._now_us = max(self._now_us, timer.due_us)
            if timer.kind is _Timer.PING_DUE and self._skip_ping_cycles(timer, peer, target_us):
                continue
            self._fire(timer, peer)
        self._now_us = target_us

    def _skip_ping_cycles(self, timer: _TimerEntry, peer: Peer, target_us: int) -> bool:
        """Apply at once the ping cycles (a ping, and the simulated peer's pong) that a long
        jump of the clock would otherwise replay one by one: a year is 260,000 cycles a peer.
        The state afterwards is exactly what the cycles would leave; returns whether it skipped.
        """
        interval = self.settings.ping_interval_seconds * MICROS
        nonce_less = peer.version <= BIP31_VERSION
        rtt = peer.pong_rtt_us
        if (
            timer.token != peer.ping_seq
            or peer.ping_sent_us is not None
            or peer.send_blocked
            or peer.recv_partial_bytes
            or (not nonce_less and (rtt is None or rtt >= interval))
        ):
            return False
        cycles = (target_us - timer.due_us) // interval - 1  # the last ones run as usual
        if cycles < SKIP_PING_CYCLES_FROM:
            return False
        self._touch(peer)
        last_start = timer.due_us + (cycles - 1) * interval
        ping_bytes = MESSAGE_HEADER_BYTES if nonce_less else PING_BYTES
        peer.sent_per_msg["ping"] = peer.sent_per_msg.get("ping", 0) + ping_bytes * cycles
        peer.bytessent += ping_bytes * cycles
        self._total_sent += ping_bytes * cycles
        peer.lastsend = last_start // MICROS
        peer.ping_seq += cycles
        peer.last_ping_start_us = last_start
        if not nonce_less:
            assert rtt is not None
            peer.recv_per_msg["pong"] = peer.recv_per_msg.get("pong", 0) + PING_BYTES * cycles
            peer.bytesrecv += PING_BYTES * cycles
            self._total_recv += PING_BYTES * cycles
            peer.lastrecv = (last_start + rtt) // MICROS
            peer.pingtime_us = rtt
            peer.minping_us = rtt if peer.minping_us is None else min(peer.minping_us, rtt)
        self._now_us = max(self._now_us, last_start + (rtt or 0))
        self._schedule_next_ping(peer)
        return True

    def _fire(self, timer: _TimerEntry, peer: Peer) -> None:
        if timer.kind is _Timer.PING_DUE:
            if timer.token == peer.ping_seq and peer.ping_sent_us is None:
                self._touch(peer)
                self._send_ping(peer)
        elif timer.kind is _Timer.PONG_ARRIVES:
            self._touch(peer)
            self._receive_pong(peer, answers_seq=timer.token, rtt_us=None)
        elif timer.token == peer.ping_seq and peer.ping_sent_us is not None:
            # InactivityCheck (src/net.cpp @ PAI 3.0.0): "ping timeout: %fs" disconnects.
            self._remove_peer(peer.id)

    def _schedule_next_ping(self, peer: Peer) -> None:
        """SendMessages (src/net_processing.cpp @ PAI 3.0.0): ping once PING_INTERVAL has passed
        since the last ping started, and only when none is outstanding."""
        if not self.settings.automatic_pings or not peer.handshake_complete:
            return
        last = peer.last_ping_start_us
        due = self._now_us if last is None else last + self.settings.ping_interval_seconds * MICROS
        self._schedule(max(due, self._now_us), _Timer.PING_DUE, peer.id, peer.ping_seq)

    # --- accounting
    def _account_send(self, peer: Peer, msg_type: str, nbytes: int, pending: bool = False) -> None:
        """PushMessage counts the type when queued; SocketSendData counts totals when written.

        A pending send means the socket stopped taking data: it and everything queued after it
        (the send queue is FIFO) wait for ``FlushSendQueue``."""
        peer.sent_per_msg[msg_type] = peer.sent_per_msg.get(msg_type, 0) + nbytes
        peer.send_queue_bytes += nbytes
        peer.send_blocked = peer.send_blocked or pending
        if not peer.send_blocked:
            self._write_queue(peer)

    def _write_queue(self, peer: Peer) -> None:
        if peer.send_queue_bytes:
            peer.bytessent += peer.send_queue_bytes
            self._total_sent += peer.send_queue_bytes
            peer.send_queue_bytes = 0
            peer.lastsend = self._now_seconds

    def _account_recv(self, peer: Peer, msg_type: str, nbytes: int, pending: bool = False) -> None:
        """ReceiveMsgBytes: raw bytes count at once, the type only when the message completes."""
        read_now = nbytes if pending else max(nbytes - peer.recv_partial_bytes, 0)
        peer.bytesrecv += read_now
        self._total_recv += read_now
        if read_now:
            peer.lastrecv = self._now_seconds
        if pending:
            peer.recv_partial_bytes += nbytes
            return
        peer.recv_partial_bytes = 0
        if msg_type == "tx":
            peer.last_tx_recv = self._now_seconds
        elif msg_type in ("block", "cmpctblock", "blocktxn"):
            peer.last_block_recv = self._now_seconds
        if msg_type not in self.settings.known_message_types:
            msg_type = OTHER_MESSAGE_TYPE
        peer.recv_per_msg[msg_type] = peer.recv_per_msg.get(msg_type, 0) + nbytes

    # --- pings
    def _send_ping(self, peer: Peer) -> None:
        peer.last_ping_start_us = self._now_us
        peer.ping_seq += 1  # stale timers of earlier pings now see another token
        if peer.version <= BIP31_VERSION:
            # Pre-BIP31 peers get a nonce-less ping and are never timed (no pingwait/pingtime).
            self._account_send(peer, "ping", MESSAGE_HEADER_BYTES)
            self._schedule_next_ping(peer)
            return
        peer.ping_sent_us = self._now_us
        self._account_send(peer, "ping", PING_BYTES)
        timeout = self._now_us + self.settings.ping_timeout_seconds * MICROS
        self._schedule(timeout, _Timer.PING_TIMEOUT, peer.id, peer.ping_seq)
        if peer.pong_rtt_us is not None:
            arrival = self._now_us + peer.pong_rtt_us
            self._schedule(arrival, _Timer.PONG_ARRIVES, peer.id, peer.ping_seq)

    def _receive_pong(self, peer: Peer, answers_seq: int, rtt_us: int | None) -> None:
        """The PONG handler: a matching nonce records the round trip; a stale one only counts
        its bytes ("Nonce mismatch"); a zero round trip clears without timing ("timing mishap")."""
        self._account_recv(peer, "pong", PING_BYTES)
        if peer.ping_sent_us is None or answers_seq != peer.ping_seq:
            return
        measured = self._now_us - peer.ping_sent_us if rtt_us is None else rtt_us
        peer.ping_sent_us = None
        if measured > 0:
            peer.pingtime_us = measured
            peer.minping_us = (
                measured if peer.minping_us is None else min(peer.minping_us, measured)
            )
        self._schedule_next_ping(peer)

    # --- the chain
    def _schedule_next_block(self) -> None:
        interval = self.settings.block_interval_seconds
        if interval:
            self._schedule(self._now_us + round(interval * MICROS), _Timer.BLOCK_DUE, -1, 0)

    def _find_blocks(self, count: int) -> None:
        """Blocks found by the network: when the node is synced each confirms the best-paying
        transactions of the mempool; the first peer keeping up announces it by compact block
        (BIP152 high-bandwidth), the others by headers, and each peer that keeps up syncs to it."""
        for _ in range(count):
            chain = self._chain
            tip_before = chain.headers
            synced = chain.height == chain.headers
            confirmed, tx_bytes = self._mempool.block_template() if synced else ((), 0)
            self._chain = chain.extended(self._now_seconds, [(confirmed, tx_bytes)])
            self._mempool = self._mempool.without(confirmed)
            block = self._chain.block_at(self._chain.headers)
            keeping_up = [
                peer for peer in self._peers.values()
                if peer.handshake_complete and peer.synced_headers >= tip_before
            ]  # fmt: skip
            for index, peer in enumerate(keeping_up):
                self._touch(peer)
                if index == 0:  # cmpctblock: header, nonce, short ids, the coinbase prefilled
                    size = MESSAGE_HEADER_BYTES + HEADER_BYTES + 8 + 1 + 6 * (block.ntx - 1) + 200
                    self._account_recv(peer, "cmpctblock", size)
                else:
                    self._account_recv(peer, "headers", MESSAGE_HEADER_BYTES + 1 + HEADER_BYTES + 1)
                peer.synced_headers = max(peer.synced_headers, block.height)
                peer.synced_blocks = max(peer.synced_blocks, block.height)

    def _blocks_found(self, event: ev.BlocksFound) -> None:
        if not 1 <= event.count <= MAX_BLOCKS_PER_EVENT:
            raise EventError(f"count must be between 1 and {MAX_BLOCKS_PER_EVENT}")
        self._find_blocks(event.count)

    def _blocks_validated(self, event: ev.BlocksValidated) -> None:
        if not 0 <= event.height <= self._chain.headers:
            raise EventError(f"height must be between 0 and the best header, {self._chain.headers}")
        self._chain = self._chain.validated_to(event.height)

    def _check_branch(self, depth: int, length: int) -> None:
        if not 1 <= depth <= min(self._chain.height, MAX_REORG_DEPTH):
            raise EventError(
                f"depth must be between 1 and {min(self._chain.height, MAX_REORG_DEPTH)}"
            )
        if not 1 <= length <= MAX_REORG_DEPTH + 1:
            raise EventError(f"length must be between 1 and {MAX_REORG_DEPTH + 1}")
        if self._chain.height != self._chain.headers:
            raise EventError("the node is still syncing: branches need a synced chain")

    def _reorg(self, event: ev.Reorg) -> None:
        self._check_branch(event.depth, event.length)
        if event.length <= event.depth:
            raise EventError("a reorganisation needs a longer branch: length > depth")
        self._chain = self._chain.reorganized(event.depth, event.length, self._now_seconds)
        for peer in self._peers.values():
            if peer.handshake_complete and peer.synced_headers >= self._chain.height - event.length:
                self._touch(peer)
                peer.synced_headers = peer.synced_blocks = self._chain.height

    def _stale_branch(self, event: ev.StaleBranch) -> None:
        self._check_branch(event.depth, event.length)
        if event.status == "valid-fork" and event.length > event.depth:
            raise EventError("a valid fork longer than the active chain would be active: reorg")
        self._chain = self._chain.with_branch(event.depth, event.length, event.status,
                                              self._now_seconds)  # fmt: skip

    def _transactions_arrived(self, event: ev.TransactionsArrived) -> None:
        if not 1 <= event.count <= MAX_TRANSACTIONS_PER_EVENT:
            raise EventError(f"count must be between 1 and {MAX_TRANSACTIONS_PER_EVENT}")
        if event.feerate is not None and not 0 < event.feerate <= 1e6:
            raise EventError("feerate must be positive, in satoshis per virtual byte")
        if event.vsize is not None and not 60 <= event.vsize <= 100_000:
            raise EventError("vsize must be between 60 and 100,000 virtual bytes")
        self._mempool = self._mempool.with_arrivals(event.count, self._now_seconds,
                                                    self._chain.height, event.feerate,
                                                    event.vsize)  # fmt: skip

    # --- added nodes
    def _wake_added_nodes(self) -> None:
        """Schedule the added-node thread's next round, when it has something to do: while it
        retries an unreachable node, on its 60 s grid; otherwise after its 60 s rest, polling
        every 2 s (ThreadOpenAddedConnections, src/net.cpp @ PAI 3.0.0)."""
        if self._added_round_due or not self._network_active:
            return
        last, now = self._added_round_us, self._now_us
        retry = ADDED_NODE_RETRY_SECONDS * MICROS
        if last is None:
            due = now + ADDED_NODE_POLL_SECONDS * MICROS
        elif self._added_retrying:
            due = last + max(1, -(-(now - last) // retry)) * retry
        else:
            due = max(last + retry, now + ADDED_NODE_POLL_SECONDS * MICROS)
        self._added_round_due = True
        self._schedule(due, _Timer.ADDED_NODES, -1, 0)

    def _added_nodes_round(self) -> None:
        """One round: try every added node not connected. Rounds that would only fail again
        are not run; a node that starts listening (or a dropped connection) wakes the thread."""
        self._added_round_due = False
        connected = {peer.addr for peer in self._peers.values()}
        pending = [node for node in self._added_nodes if node not in connected]
        if not pending:
            return
        self._added_round_us = self._now_us
        unreached = [node for node in pending if not self._open_connection(node)]
        self._added_retrying = bool(unreached)

    def _open_connection(self, addr: str) -> bool:
        """``OpenNetworkConnection`` for an addnode target: nothing while the network is off or
        a peer already has that address, no ban check (pszDest set); it connects only where a
        node listens, and the handshake completes with that node's version message."""
        if not self._network_active or any(p.addr == addr for p in self._peers.values()):
            return False
        listener = self._listening.get(addr)
        if listener is None:
            return False
        peer_id = self._connect(ev.Connect(addr, inbound=False, manual=True))
        handshake = {name: getattr(listener, name)
                     for name in ("version", "subver", "services", "startingheight")
                     if getattr(listener, name) is not None}  # fmt: skip
        self._version(ev.VersionReceived(peer_id, **handshake))
        return True

    # --- removal and bans
    def _remove_peer(self, peer_id: int) -> None:
        self._membership_changed()
        addr = self._peers.pop(peer_id).addr
        self._frozen.pop(peer_id, None)
        if addr in self._added_nodes:
            self._wake_added_nodes()  # the thread reconnects it on its next round

    def _add_ban(self, subnet: IPNetwork, until: int, reason: str) -> None:
        """``CConnman::Ban``: keep the later expiry, then disconnect every peer in the subnet."""
        existing = self._bans.get(subnet)
        if existing is None or existing.until < until:
            self._bans[subnet] = BanEntry(subnet, self._now_seconds, until, reason)
        for peer in list(self._peers.values()):
            ip = ip_of(peer.addr)
            if ip is not None and ip.version == subnet.version and ip in subnet:
                self._remove_peer(peer.id)

    # ----------------------------------------------------------------------------- handlers
    def _connect(self, event: ev.Connect) -> int:
        if not self._network_active:
            raise ConnectionRefused("network is disabled (setnetworkactive false)")
        # AcceptConnection skips the ban check for whitelisted peers and OpenNetworkConnection
        # skips it for addnode/-connect targets (src/net.cpp @ PAI 3.0.0).
        exempt = (event.inbound and event.whitelisted) or (not event.inbound and event.manual)
        if not exempt and self._banned_ip(event.addr):
            raise ConnectionRefused(f"{event.addr} is banned")
        if event.pong_rtt_seconds is not None and event.pong_rtt_seconds <= 0:
            raise EventError("pong_rtt_seconds must be positive")
        peer_id = self._next_id  # GetNewNodeId: from 0, never reused
        self._next_id += 1
        self._membership_changed()
        self._peers[peer_id] = Peer(
            id=peer_id,
            addr=event.addr,
            inbound=event.inbound,
            manual=event.manual,
            whitelisted=event.whitelisted,
            conntime=self._now_seconds,
            addrbind=event.addrbind,
            pong_rtt_us=_to_us(event.pong_rtt_seconds),
        )
        return peer_id

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
        peer.relaytxes = event.relaytxes
        peer.timeoffset = event.timeoffset
        peer.addrlocal = event.addrlocal
        size = version_message_size(event.subver) if event.size is None else event.size
        self._account_recv(peer, "version", size)
        peer.handshake_complete = True
        self._schedule_next_ping(peer)

    def _traffic(self, event: ev.Traffic) -> None:
        if event.nbytes <= 0:
            raise EventError("nbytes must be positive")
        if event.direction not in ("send", "recv"):
            raise EventError(f"direction must be 'send' or 'recv', not {event.direction!r}")
        if not event.msg_type:
            raise EventError("msg_type must not be empty")
        peer = self._peer(event.peer_id)
        if event.direction == "send":
            self._account_send(peer, event.msg_type, event.nbytes, event.pending)
        else:
            self._account_recv(peer, event.msg_type, event.nbytes, event.pending)

    def _flush(self, event: ev.FlushSendQueue) -> None:
        peer = self._peer(event.peer_id)
        peer.send_blocked = False
        self._write_queue(peer)

    def _ping(self, event: ev.PingSent) -> None:
        """The ``ping`` RPC queues a ping for every peer; it goes out even if one is outstanding,
        replacing the nonce. Peers still in the handshake get none (SendMessages returns early)."""
        if event.peer_id is None:
            targets = [p for p in self._peers.values() if p.handshake_complete]
        else:
            targets = [self._peer(event.peer_id)]
            if not targets[0].handshake_complete:
                raise EventError(f"peer {event.peer_id} has not completed the handshake")
        for peer in targets:
            self._touch(peer)
            self._send_ping(peer)

    def _pong(self, event: ev.PongReceived) -> None:
        rtt_us = _to_us(event.rtt_seconds)
        if rtt_us is not None and rtt_us < 0:
            raise EventError("rtt_seconds must not be negative")
        peer = self._peer(event.peer_id)
        self._receive_pong(peer, answers_seq=peer.ping_seq, rtt_us=rtt_us)

    def _set_pong_rtt(self, event: ev.SetPongRtt) -> None:
        rtt_us = _to_us(event.pong_rtt_seconds)
        if rtt_us is not None and rtt_us <= 0:
            raise EventError("pong_rtt_seconds must be positive")
        self._peer(event.peer_id).pong_rtt_us = rtt_us

    def _misbehave(self, event: ev.Misbehave) -> None:
        """``Misbehaving`` then ``SendRejectsAndCheckIfBanned`` (src/net_processing.cpp @ PAI
        3.0.0): crossing -banscore punishes the peer unless it is whitelisted or manual; local
        peers are disconnected but not banned; anyone else is disconnected and banned."""
        if event.score < 0:
            raise EventError("a misbehaviour score must not be negative")
        peer = self._peer(event.peer_id)
        if self.settings.misbehaviour == "discourage":
            # PeerManagerImpl::Misbehaving @ v28: no score; the peer is discouraged and
            # disconnected unless noban or manual (MaybeDiscourageAndDisconnect).
            if event.score and not (peer.whitelisted or peer.manual):
                self._remove_peer(peer.id)
            return
        threshold = self.settings.ban_threshold
        crossed = peer.banscore < threshold <= peer.banscore + event.score
        peer.banscore += event.score
        if not crossed or peer.whitelisted or peer.manual:
            return
        subnet = single_host_subnet(peer.addr)
        if is_local(peer.addr) or subnet is None:
            self._remove_peer(peer.id)
            return
        until = self._now_seconds + self.settings.ban_time_seconds
        self._add_ban(subnet, until, "node misbehaving")  # disconnects the peer too

    def _ban(self, event: ev.Ban) -> None:
        try:
            subnet = parse_subnet(event.subnet)
        except ValueError:
            raise EventError(f"invalid IP/subnet {event.subnet!r}") from None
        if event.until_seconds is not None:
            until = event.until_seconds
        else:
            bantime = event.bantime_seconds or self.settings.ban_time_seconds
            until = self._now_seconds + bantime
        self._add_ban(subnet, until, event.reason)

    def _unban(self, event: ev.Unban) -> None:
        try:
            subnet = parse_subnet(event.subnet)
        except ValueError:
            raise EventError(f"invalid IP/subnet {event.subnet!r}") from None
        self._sweep_bans()
        if self._bans.pop(subnet, None) is None:
            raise EventError(f"{event.subnet} is not banned")

    def _clear_bans(self, event: ev.ClearBans) -> None:
        self._bans.clear()

    def _sync(self, event: ev.SyncProgress) -> None:
        if event.inflight is not None and len(event.inflight) > MAX_BLOCKS_IN_TRANSIT_PER_PEER:
            raise EventError(f"at most {MAX_BLOCKS_IN_TRANSIT_PER_PEER} blocks can be in flight")
        for height in (event.synced_headers, event.synced_blocks, *(event.inflight or ())):
            if height is not None and height < -1:
                raise EventError("block heights must be -1 or more")
        peer = self._peer(event.peer_id)
        if event.synced_headers is not None:
            peer.synced_headers = event.synced_headers
        if event.synced_blocks is not None:
            peer.synced_blocks = event.synced_blocks
        if event.inflight is not None:
            peer.inflight = tuple(event.inflight)

    def _add_node(self, event: ev.AddNode) -> None:
        if event.command == "add":
            if event.node in self._added_nodes:
                raise EventError(f"{event.node} is already added")
            self._added_nodes.append(event.node)
            self._wake_added_nodes()
        elif event.command == "onetry":
            self._open_connection(event.node)
        elif event.command == "remove":
            if event.node not in self._added_nodes:
                raise EventError(f"{event.node} has not been added")
            self._added_nodes.remove(event.node)
        else:
            raise EventError(
                f"addnode command must be 'add', 'remove' or 'onetry', not {event.command!r}"
            )

    def _start_listening(self, event: ev.StartListening) -> None:
        self._listening[event.addr] = event
        if event.addr in self._added_nodes:
            self._wake_added_nodes()

    def _stop_listening(self, event: ev.StopListening) -> None:
        if self._listening.pop(event.addr, None) is None:
            raise EventError(f"nothing listens at {event.addr}")
        for peer in list(self._peers.values()):
            if peer.addr == event.addr and not peer.inbound:
                self._remove_peer(peer.id)

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
        _check_reachable(self._now_us + event.seconds * MICROS)
        self.clock.advance(event.seconds)
        self._catch_up(self.clock.now_us())

    def _set_clock(self, event: ev.SetClock) -> None:
        """Only forwards: peer times already recorded must not end up before conntime."""
        _check_reachable(event.epoch_seconds * MICROS)
        if round(event.epoch_seconds * MICROS) < self._now_us:
            raise EventError("the node's clock does not go back")
        self.clock.set(event.epoch_seconds)
        self._catch_up(self.clock.now_us())


LATEST_US = 2**63 - 1  # the node keeps microseconds in an int64 (GetTimeMicros)
# Bounds on one event's work (a scenario or control-plane request cannot make the node build
# a million blocks in one step).
MAX_BLOCKS_PER_EVENT = 1000
MAX_REORG_DEPTH = 1000
MAX_TRANSACTIONS_PER_EVENT = 100_000


def _check_reachable(time_us: float) -> None:
    if not math.isfinite(time_us) or time_us > LATEST_US:
        raise EventError("the clock cannot go past 2^63-1 microseconds (the node's int64 time)")


def _copy_peer(peer: Peer) -> Peer:
    twin = copy.copy(peer)
    twin.sent_per_msg = dict(peer.sent_per_msg)
    twin.recv_per_msg = dict(peer.recv_per_msg)
    return twin


def _to_us(seconds: float | None) -> int | None:
    return None if seconds is None else round(seconds * MICROS)


def _subnet_key(subnet: IPNetwork) -> tuple[int, bytes, int]:
    """banmap_t is a std::map keyed by CSubNet: IPv4 (stored v4-mapped) before IPv6, then bytes."""
    return (subnet.version, subnet.network_address.packed, subnet.prefixlen)
