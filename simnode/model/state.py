"""The node's settings, its snapshot, its errors and its timers: the types the node's parts
share."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import NamedTuple

from simnode.model.addresses import IPNetwork
from simnode.model.chain import Chain
from simnode.model.chainparams import PAI_MAIN, ChainParams
from simnode.model.clock import MICROS
from simnode.model.mempool import DEFAULT_MIN_RELAY_TX_FEE, Mempool
from simnode.model.messages import PAI_MESSAGE_TYPES
from simnode.model.peer import PeerSnapshot


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
    # -minrelaytxfee and -incrementalrelayfee in satoshis per kvB: DEFAULT_MIN_RELAY_TX_FEE and
    # DEFAULT_INCREMENTAL_RELAY_FEE, 1000 (src/validation.h, src/policy/policy.h @ PAI 3.0.0),
    # 100 from Bitcoin Core 30 (#33106, src/policy/policy.h @ v31.0).
    min_relay_fee: int = DEFAULT_MIN_RELAY_TX_FEE
    incremental_relay_fee: int = DEFAULT_MIN_RELAY_TX_FEE
    # -v2transport: BIP324 connections possible (default on from Bitcoin Core 27, #29347).
    v2transport: bool = False
    # Whether the node keeps each peer's transaction announcement queue (getpeerinfo's
    # inv_to_send and last_inv_sequence, reported from Bitcoin Core 31): a cost paid only where
    # a release shows it.
    tx_announcements: bool = False
    # Whether private-broadcast connections exist (Bitcoin Core 31, #29415).
    private_broadcast: bool = False
    # Outbound block-relay-only slots generated peers fill (MAX_BLOCK_RELAY_ONLY_CONNECTIONS,
    # 2 from Bitcoin Core 0.19, #15759; PAI Core has none).
    block_relay_connections: int = 0
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
    revision: int  # the node's count of changes: equal revisions, equal state
    started_us: int
    peers: tuple[PeerSnapshot, ...]
    peers_revision: int  # the peer table's count of changes: equal revisions, equal peers
    peers_change_with_time: bool  # a peer in it reads differently as the clock moves
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


class Timer(Enum):
    PING_DUE = 1
    PONG_ARRIVES = 2
    PING_TIMEOUT = 3
    ADDED_NODES = 4  # a round of the added-node thread (peer_id -1)
    BLOCK_DUE = 5  # the network finds a block (settings.block_interval_seconds; peer_id -1)
    INV_TRICKLE = 6  # the peer's next transaction announcement (SendMessages' trickle)


class TimerEntry(NamedTuple):
    """A timer in the node's heap, ordered as a tuple by (due_us, seq): ``seq`` is unique, so
    a comparison never reaches the rest, and the heap compares in C (a dataclass's generated
    ``__lt__`` took a tenth of the model's time)."""

    due_us: int
    seq: int
    kind: Timer
    peer_id: int
    token: int
