"""Events: plain, immutable descriptions of something that happened to the node.

Every change to peer state goes through one of these (from a scenario file, a hypothesis strategy,
test code or an RPC handler), so every source of change is replayable and the node alone decides
what an event does to its state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Direction = Literal["send", "recv"]
# src/node/connection_types.h @ v31.0 (enum ConnectionType; src/net.h before 24), as
# ConnectionTypeAsString names them; private-broadcast is 31's (#29415).
ConnectionType = Literal["inbound", "outbound-full-relay", "manual", "feeler", "block-relay-only",
                         "addr-fetch", "private-broadcast"]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Connect:
    """A connection is established (inbound: the peer dialled us).

    ``connection_type`` None derives it from the flags: manual (addnode/-connect; "addnode":
    true in PAI 2.x/3.x) if ``manual``, else inbound or outbound-full-relay by ``inbound``.
    Given, it decides, and flags saying otherwise are refused."""

    addr: str
    inbound: bool = True
    whitelisted: bool = False
    manual: bool = False
    addrbind: str | None = None
    # How the simulated peer answers our pings: None never answers (its pings time out).
    pong_rtt_seconds: float | None = None
    connection_type: ConnectionType | None = None
    v2transport: bool = False  # BIP324: the connection is encrypted (needs -v2transport)
    mapped_as: int | None = None  # the peer's AS number from the node's -asmap


@dataclass(frozen=True, slots=True)
class Disconnect:
    peer_id: int


@dataclass(frozen=True, slots=True)
class VersionReceived:
    """The peer's ``version`` message, which completes the handshake in this model.

    ``size`` defaults to the encoded size of a version message carrying ``subver``.
    """

    peer_id: int
    version: int = 70015
    subver: str = "/Turing:3.0.0/"
    services: int = 0x0D
    startingheight: int = 0
    relaytxes: bool = True
    timeoffset: int = 0
    addrlocal: str | None = None
    size: int | None = None


@dataclass(frozen=True, slots=True)
class Traffic:
    """One message of ``msg_type`` and ``nbytes`` (24-byte header included) moving one way.

    ``pending`` sends are queued but not yet written to the socket; ``pending`` receives are raw
    bytes read of a message that is not yet complete (counted under ``msg_type`` when the rest of
    it arrives as a non-pending receive).
    """

    peer_id: int
    msg_type: str
    direction: Direction
    nbytes: int
    pending: bool = False


@dataclass(frozen=True, slots=True)
class SendCmpct:
    """A BIP152 ``sendcmpct`` message (33 bytes) ``direction``: ``high_bandwidth`` received
    means the peer picked us to announce blocks with compact blocks unasked; sent, that we
    picked it (at most 3 peers; picking a fourth drops the oldest pick)."""

    peer_id: int
    direction: Direction
    high_bandwidth: bool = True


@dataclass(frozen=True, slots=True)
class AddrMessage:
    """An ``addr`` (or, ``addrv2``, BIP155 ``addrv2``) message of ``count`` addresses received
    from the peer, which the node's rate limiter processes or drops."""

    peer_id: int
    count: int
    addrv2: bool = False


@dataclass(frozen=True, slots=True)
class FeeFilter:
    """A BIP133 ``feefilter`` message received: the peer wants no transactions announced below
    ``feerate`` satoshis per kvB."""

    peer_id: int
    feerate: int


@dataclass(frozen=True, slots=True)
class FlushSendQueue:
    """The socket accepted everything queued for the peer."""

    peer_id: int


@dataclass(frozen=True, slots=True)
class PingSent:
    """We sent a ``ping`` (with a nonce); ``peer_id`` None pings every peer, as the RPC does."""

    peer_id: int | None = None


@dataclass(frozen=True, slots=True)
class PongReceived:
    """A ``pong`` arrived; ``rtt_seconds`` None measures from the outstanding ping's send time."""

    peer_id: int
    rtt_seconds: float | None = None


@dataclass(frozen=True, slots=True)
class SetPongRtt:
    """Change how the simulated peer answers pings (None: it stops answering)."""

    peer_id: int
    pong_rtt_seconds: float | None


@dataclass(frozen=True, slots=True)
class Misbehave:
    peer_id: int
    score: int
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Ban:
    """Ban an address or subnet until ``until_seconds`` (absolute) or for ``bantime_seconds``."""

    subnet: str
    bantime_seconds: int | None = None
    until_seconds: int | None = None
    reason: Literal["manually added", "node misbehaving"] = "manually added"


@dataclass(frozen=True, slots=True)
class Unban:
    subnet: str


@dataclass(frozen=True, slots=True)
class ClearBans:
    pass


@dataclass(frozen=True, slots=True)
class SyncProgress:
    """What we know of the peer's chain; fields left None are unchanged."""

    peer_id: int
    synced_headers: int | None = None
    synced_blocks: int | None = None
    inflight: tuple[int, ...] | None = None
    presynced_headers: int | None = None  # a low-work headers presync's height (-1: none)


@dataclass(frozen=True, slots=True)
class AddNode:
    """``addnode``: ``add``/``remove`` an entry of the added-node list, which the node's
    added-node thread keeps connected when the address listens; ``onetry`` tries once, now."""

    node: str
    command: Literal["add", "remove", "onetry"]


@dataclass(frozen=True, slots=True)
class StartListening:
    """A node on the fake network accepts connections at ``addr`` (as ``host:port``, the way
    addnode names it), and answers our handshake with these version fields (None: those of
    ``VersionReceived``)."""

    addr: str
    version: int | None = None
    subver: str | None = None
    services: int | None = None
    startingheight: int | None = None


@dataclass(frozen=True, slots=True)
class StopListening:
    """The node at ``addr`` goes away: our connection to it drops, new attempts fail."""

    addr: str


@dataclass(frozen=True, slots=True)
class BlocksFound:
    """The network finds ``count`` blocks, one after another. Each confirms what fits of the
    mempool (when the node is synced), and the peers that keep up with the chain relay it."""

    count: int = 1


@dataclass(frozen=True, slots=True)
class BlocksValidated:
    """Initial block download: the node has validated its header chain up to ``height``."""

    height: int


@dataclass(frozen=True, slots=True)
class Reorg:
    """The active chain's last ``depth`` blocks lose to a branch of ``length`` blocks (longer,
    so more work) forking below them; the old blocks remain as a ``valid-fork`` tip."""

    depth: int = 1
    length: int = 2


@dataclass(frozen=True, slots=True)
class StaleBranch:
    """A competing branch of ``length`` blocks forking ``depth`` below the tip, kept as a stale
    tip: a fork the node validated, headers it has not, headers only, or an invalid branch."""

    depth: int = 1
    length: int = 1
    status: Literal["valid-fork", "valid-headers", "headers-only", "invalid"] = "valid-fork"


@dataclass(frozen=True, slots=True)
class TransactionsArrived:
    """``count`` transactions enter the mempool: generated from the seed unless ``feerate``
    (satoshis per virtual byte) or ``vsize`` say otherwise."""

    count: int = 1
    feerate: float | None = None
    vsize: int | None = None


@dataclass(frozen=True, slots=True)
class SetNetworkActive:
    active: bool


@dataclass(frozen=True, slots=True)
class AdvanceClock:
    seconds: float


@dataclass(frozen=True, slots=True)
class SetClock:
    """Move the clock to an absolute time, not before the present (``setmocktime``)."""

    epoch_seconds: float


Event = (
    Connect
    | Disconnect
    | VersionReceived
    | Traffic
    | SendCmpct
    | AddrMessage
    | FeeFilter
    | FlushSendQueue
    | PingSent
    | PongReceived
    | SetPongRtt
    | Misbehave
    | Ban
    | Unban
    | ClearBans
    | SyncProgress
    | AddNode
    | StartListening
    | StopListening
    | BlocksFound
    | BlocksValidated
    | Reorg
    | StaleBranch
    | TransactionsArrived
    | SetNetworkActive
    | AdvanceClock
    | SetClock
)
