"""One connected peer: the mutable record the node keeps, and the frozen view it hands out."""

from __future__ import annotations

import operator
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from functools import partial
from typing import get_args

from simnode.model.events import ConnectionType

# src/utilstrencodings.cpp @ PAI 3.0.0: SAFE_CHARS_DEFAULT, what SanitizeString keeps of a subver.
_SAFE_SUBVER_CHARS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01234567890 .,;-_/:?@()"
)
MAX_SUBVERSION_LENGTH = 256  # src/net_processing.cpp @ PAI 3.0.0

# Names for the connection types the model reads (model/events.py lists them all).
INBOUND, MANUAL, OUTBOUND_FULL_RELAY = "inbound", "manual", "outbound-full-relay"
BLOCK_RELAY, ADDR_FETCH, FEELER = "block-relay-only", "addr-fetch", "feeler"
PRIVATE_BROADCAST = "private-broadcast"
CONNECTION_TYPES: tuple[str, ...] = get_args(ConnectionType)  # the events' own list


def sanitize_subver(subver: str) -> str:
    """``cleanSubVer = SanitizeString(strSubVer)``: drop every character not in the safe set."""
    return "".join(c for c in subver[:MAX_SUBVERSION_LENGTH] if c in _SAFE_SUBVER_CHARS)


class _Direction:
    """What the connection type says of direction: the one fact, read two ways."""

    __slots__ = ()
    connection_type: str

    @property
    def inbound(self) -> bool:
        return self.connection_type == INBOUND

    @property
    def manual(self) -> bool:
        """Opened by addnode, -connect or onetry (getpeerinfo's ``addnode`` up to 0.21)."""
        return self.connection_type == MANUAL


@dataclass(slots=True)
class Peer(_Direction):
    """Mutable peer state; only ``Node`` touches it, bumping ``revision`` on every change."""

    id: int
    addr: str
    connection_type: str  # one of CONNECTION_TYPES; inbound and manual derive from it
    whitelisted: bool
    conntime: int
    addrbind: str | None
    pong_rtt_us: int | None
    # BIP324: whether the connection speaks v2, its session id (hex, "" for v1), and whether
    # the node is still detecting which transport the peer speaks (nothing received yet).
    transport_v2: bool = False
    session_id: str = ""
    transport_detecting: bool = False
    mapped_as: int | None = None  # the peer's AS from the node's -asmap, None without one
    # From the version message; the node's defaults before it (CNode constructor @ PAI 3.0.0).
    addrlocal: str | None = None
    services: int = 0
    relaytxes: bool = False
    version: int = 0
    subver: str = ""
    startingheight: int = -1
    timeoffset: int = 0
    handshake_complete: bool = False
    # Traffic.
    bytessent: int = 0
    bytesrecv: int = 0
    lastsend: int = 0
    lastrecv: int = 0
    last_tx_recv: int = 0  # when a tx message last arrived (last_transaction, 0.21+)
    last_block_recv: int = 0  # when a block message last arrived (last_block, 0.21+)
    sent_per_msg: dict[str, int] = field(default_factory=dict)
    recv_per_msg: dict[str, int] = field(default_factory=dict)
    send_queue_bytes: int = 0
    send_blocked: bool = False  # the socket stopped taking data; sends queue until a flush
    recv_partial_bytes: int = 0
    # Pings, in microseconds like the node's nPingUsec* fields.
    ping_sent_us: int | None = None  # an outstanding ping's send time
    ping_seq: int = 0  # stands in for the nonce: which ping a pong answers
    last_ping_start_us: int | None = None
    pingtime_us: int | None = None
    minping_us: int | None = None
    # Validation state (CNodeState).
    banscore: int = 0
    synced_headers: int = -1
    synced_blocks: int = -1
    inflight: tuple[int, ...] = ()
    presynced_headers: int = -1  # a low-work headers presync's height (24+), -1 if none
    # Relay state (Peer and TxRelay, src/net_processing.cpp @ v31.0): compact-block
    # high-bandwidth mode both ways (hb_to_rank orders our picks, None: not picked), address
    # relay and its rate limiter, the peer's feefilter, the transaction announcement queue.
    hb_to_rank: int | None = None
    bip152_hb_from: bool = False
    addr_relay_enabled: bool = False
    addr_token_bucket: float = 1.0  # m_addr_token_bucket: starts at 1 for a self-announcement
    addr_token_timestamp_us: int = 0
    addr_processed: int = 0
    addr_rate_limited: int = 0
    tx_relay: bool = False  # whether the node keeps a TxRelay for the peer (set at version)
    fee_filter_received: int = 0  # satoshis per kvB
    last_inv_sequence: int = 0
    inv_to_send: int = 0
    trickle_due: bool = False  # an INV_TRICKLE timer is pending for the peer
    revision: int = 0

    @property
    def bip152_hb_to(self) -> bool:
        return self.hb_to_rank is not None

    def freeze(self) -> PeerSnapshot:
        """The frozen view: every field ``PeerSnapshot`` declares, per-message maps as sorted
        tuples."""
        return PeerSnapshot(
            *_copied_fields(self),
            tuple(sorted(self.sent_per_msg.items())),
            tuple(sorted(self.recv_per_msg.items())),
        )


@dataclass(frozen=True, slots=True, eq=False, weakref_slot=True)
class PeerSnapshot(_Direction):
    """A peer at one instant. Compared by identity, so renderers can cache per snapshot object.

    Per-message maps are tuples of (type, bytes) sorted by type, non-zero entries only, as the
    node's ``std::map`` filtered on ``> 0`` gives them (src/rpc/net.cpp:getpeerinfo).
    """

    id: int
    addr: str
    addrlocal: str | None
    addrbind: str | None
    services: int
    relaytxes: bool
    lastsend: int
    lastrecv: int
    last_tx_recv: int
    last_block_recv: int
    bytessent: int
    bytesrecv: int
    conntime: int
    timeoffset: int
    pingtime_us: int | None
    minping_us: int | None
    ping_sent_us: int | None
    version: int
    subver: str
    connection_type: str
    startingheight: int
    banscore: int
    synced_headers: int
    synced_blocks: int
    inflight: tuple[int, ...]
    whitelisted: bool
    send_queue_bytes: int
    recv_partial_bytes: int
    handshake_complete: bool
    transport_v2: bool
    session_id: str
    transport_detecting: bool
    mapped_as: int | None
    presynced_headers: int
    bip152_hb_to: bool
    bip152_hb_from: bool
    addr_relay_enabled: bool
    addr_processed: int
    addr_rate_limited: int
    tx_relay: bool
    fee_filter_received: int
    last_inv_sequence: int
    inv_to_send: int
    # Last, so that ``Peer.freeze`` copies every field before them by position.
    sent_per_msg: tuple[tuple[str, int], ...]
    recv_per_msg: tuple[tuple[str, int], ...]

    @property
    def transport_type(self) -> str:
        """``V2Transport::GetInfo`` (src/net.cpp @ v31.0): detecting until the transport is
        settled, then v1 or v2."""
        if self.transport_detecting:
            return "detecting"
        return "v2" if self.transport_v2 else "v1"

    @property
    def reported_session_id(self) -> str:
        """The session id once the v2 handshake is done ("" while detecting and for v1)."""
        return "" if self.transport_detecting else self.session_id

    @property
    def changes_with_time(self) -> bool:
        """Whether this view reads differently as the clock moves (an outstanding ping's wait)."""
        return self.ping_sent_us is not None

    @staticmethod
    def any_change_with_time(peers: Iterable[PeerSnapshot]) -> bool:
        """Whether any of ``peers`` ``changes_with_time``, read in C (1,000 peers: ~15 us)."""
        return any(map(_IS_SET, map(_PING_SENT, peers)))

    def pingwait_us(self, now_us: int) -> int | None:
        """How long the outstanding ping has waited, or None when there is none."""
        return None if self.ping_sent_us is None else now_us - self.ping_sent_us


# Every snapshot field but the per-message maps is copied from the Peer attribute of that name.
_copied_fields = operator.attrgetter(*[f.name for f in fields(PeerSnapshot)][:-2])


_PING_SENT = operator.attrgetter("ping_sent_us")
_IS_SET = partial(operator.is_not, None)
