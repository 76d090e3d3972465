"""What the node knows of each connection beyond its bytes: its type and transport, the
compact-block high-bandwidth picks both ways, address relay and its rate limiter, the peer's fee
filter and the transaction announcement queue (src/net_processing.cpp, src/net.cpp @ v31.0). A
part of ``Node``."""

from __future__ import annotations

import hashlib

from simnode.model import events as ev
from simnode.model.addresses import ip_of
from simnode.model.clock import MICROS
from simnode.model.messages import MESSAGE_HEADER_BYTES, addr_message_size
from simnode.model.peer import (
    BLOCK_RELAY,
    CONNECTION_TYPES,
    FEELER,
    INBOUND,
    MANUAL,
    OUTBOUND_FULL_RELAY,
    PRIVATE_BROADCAST,
    Peer,
)
from simnode.model.pings import to_us
from simnode.model.state import EventError, Timer

# src/net_processing.cpp @ v31.0: the address rate limiter (#22387, Bitcoin Core 22).
MAX_ADDR_TO_SEND = 1000
MAX_ADDR_RATE_PER_SECOND = 0.1
MAX_ADDR_PROCESSING_TOKEN_BUCKET = MAX_ADDR_TO_SEND
ADDR_MESSAGE_SIZE_SCORE = 20  # Misbehaving(..., 20) for an oversized addr message (pre-28)
BIP152_HIGH_BANDWIDTH_PEERS = 3  # MaybeSetPeerAsAnnouncingHeaderAndIDs: "only get 3 of our peers"
SENDCMPCT_BYTES = MESSAGE_HEADER_BYTES + 1 + 8  # announce flag, version
FEEFILTER_BYTES = MESSAGE_HEADER_BYTES + 8  # CAmount
MAX_MONEY = 21_000_000 * 100_000_000  # MoneyRange, src/consensus/amount.h
# SendMessages' transaction announcements (src/net_processing.cpp @ v31.0): a trickle every 5 s
# on average to inbound peers, 2 s to outbound ones (here at exactly those intervals), at most
# INVENTORY_BROADCAST_TARGET (14/s * 5 s) plus 5 per 1000 queued, never past 1000.
INBOUND_INVENTORY_BROADCAST_INTERVAL_US = 5 * MICROS
OUTBOUND_INVENTORY_BROADCAST_INTERVAL_US = 2 * MICROS
INVENTORY_BROADCAST_TARGET = 14 * 5
INVENTORY_BROADCAST_MAX = 1000
# No transaction relay with these (the TxRelay is only set up for others, VERSION handling).
_NO_TX_RELAY = (BLOCK_RELAY, FEELER)


def connection_type_of(event: ev.Connect, private_broadcast: bool = False) -> str:
    """The one connection type a Connect describes; flags that contradict a given type are
    refused rather than silently dropped, and so is a private-broadcast connection on a node
    whose release has none (``private_broadcast``: Bitcoin Core 31's)."""
    kind = event.connection_type
    if kind is None:
        return MANUAL if event.manual else INBOUND if event.inbound else OUTBOUND_FULL_RELAY
    if kind not in CONNECTION_TYPES:
        raise EventError(f"connection_type must be one of {', '.join(CONNECTION_TYPES)}")
    if kind == PRIVATE_BROADCAST and not private_broadcast:
        raise EventError("this node's release has no private-broadcast connections (Bitcoin "
                         "Core 31 added them, #29415)")  # fmt: skip
    if event.manual and kind != MANUAL:
        raise EventError(f"manual is true but connection_type is {kind!r}")
    if not event.inbound and kind == INBOUND:
        raise EventError("inbound is false but connection_type is 'inbound'")
    return kind


def bip324_session_id(seed: int, peer_id: int) -> str:
    """A v2 connection's session id: 32 bytes the key exchange would give (BIP324), here
    derived from the node's seed and the peer id so the same scenario shows the same ids."""
    return hashlib.sha256(f"bip324:{seed}:{peer_id}".encode()).hexdigest()


class PeerRelay:
    """Node's per-connection relay state, set at connect and by the messages that change it."""

    def _new_peer(self, event: ev.Connect, kind: str, peer_id: int) -> Peer:
        """The peer a Connect of type ``kind`` opens, or EventError naming what does not fit."""
        if event.v2transport and not self.settings.v2transport:
            # src/rpc/net.cpp:addnode @ v31.0 answers the same to a v2 request without it.
            raise EventError("v2transport requested but not enabled (see -v2transport)")
        if event.mapped_as is not None:
            # CNetAddr::GetMappedAS @ v31.0 maps only the NET_IPV4 and NET_IPV6 classes:
            # publicly routable addresses (documentation and private ranges map to nothing).
            ip = ip_of(event.addr)
            if ip is None or not ip.is_global:
                raise EventError("mapped_as needs a publicly routable IPv4 or IPv6 address "
                                 "(the asmap maps no other)")  # fmt: skip
            if not 1 <= event.mapped_as < 2**32:
                raise EventError("mapped_as must be an AS number from 1 to 4294967295")
        # V2Transport::GetInfo @ v31.0: "detecting" until the peer's first bytes (an inbound
        # peer of a -v2transport node may speak either) or, for v2, its version packet.
        detecting = event.v2transport or (kind == INBOUND and self.settings.v2transport)
        return Peer(
            id=peer_id,
            addr=event.addr,
            connection_type=kind,
            whitelisted=event.whitelisted,
            conntime=self._now_seconds,
            addrbind=event.addrbind,
            pong_rtt_us=to_us(event.pong_rtt_seconds),
            transport_v2=event.v2transport,
            session_id=bip324_session_id(self.settings.seed, peer_id) if event.v2transport else "",
            transport_detecting=detecting,
            mapped_as=event.mapped_as,
            addr_token_timestamp_us=self._now_us,  # m_addr_token_timestamp: the Peer's creation
        )

    def _start_relay(self, peer: Peer, relaytxes: bool) -> None:
        """VERSION handling: transaction relay as the peer asked (none for block-relay-only
        and feeler connections), and address relay with outbound peers, whom the node sends a
        getaddr and so allows MAX_ADDR_TO_SEND more addresses."""
        peer.relaytxes = relaytxes and peer.connection_type not in _NO_TX_RELAY
        peer.last_inv_sequence = 1 if peer.relaytxes else 0  # TxRelay::m_last_inv_sequence{1}
        if not peer.inbound and self._setup_addr_relay(peer):
            peer.addr_token_bucket += MAX_ADDR_TO_SEND

    @staticmethod
    def _setup_addr_relay(peer: Peer) -> bool:
        """``SetupAddressRelay``: never with block-relay-only peers, else on from now."""
        if peer.connection_type == BLOCK_RELAY:
            return False
        peer.addr_relay_enabled = True
        return True

    def _send_cmpct(self, event: ev.SendCmpct) -> None:
        peer = self._peer(event.peer_id)
        if event.direction == "recv":
            self._account_recv(peer, "sendcmpct", SENDCMPCT_BYTES)
            # "receiving sendcmpct(1) signals high-bandwidth, sendcmpct(0) low-bandwidth"
            peer.bip152_hb_from = event.high_bandwidth
            return
        self._account_send(peer, "sendcmpct", SENDCMPCT_BYTES)
        if not event.high_bandwidth:
            peer.hb_to_rank = None
            return
        picked = sorted((p for p in self._peers.values()
                         if p.hb_to_rank is not None and p is not peer),
                        key=lambda p: p.hb_to_rank)  # fmt: skip
        rank = max((p.hb_to_rank for p in picked), default=0) + 1  # type: ignore[type-var]
        if len(picked) >= BIP152_HIGH_BANDWIDTH_PEERS:
            dropped = picked[0]
            # "If we're adding an inbound HB peer, make sure we're not removing our last
            # outbound HB peer in the process."
            if peer.inbound and not dropped.inbound and sum(not p.inbound for p in picked) == 1:
                dropped = picked[1]
            self._touch(dropped)
            dropped.hb_to_rank = None
            self._account_send(dropped, "sendcmpct", SENDCMPCT_BYTES)
        peer.hb_to_rank = rank

    def _addr_message(self, event: ev.AddrMessage) -> None:
        """ProcessMessage ADDR/ADDRV2: a token bucket refilled at 0.1 address a second up to
        1000 decides which addresses are processed; the rest count as rate-limited (every
        address is taken as useful and not banned). Oversized messages are misbehaviour."""
        if event.count < 0:
            raise EventError("count must be zero or more")
        peer = self._peer(event.peer_id)
        msg_type = "addrv2" if event.addrv2 else "addr"
        self._account_recv(peer, msg_type, addr_message_size(event.count, event.addrv2))
        if not self._setup_addr_relay(peer):
            return  # "ignoring addr message from block-relay-only peer"
        if event.count > MAX_ADDR_TO_SEND:
            reason = f"{msg_type} message size = {event.count}"
            self._misbehave(ev.Misbehave(peer.id, ADDR_MESSAGE_SIZE_SCORE, reason))
            return
        if peer.addr_token_bucket < MAX_ADDR_PROCESSING_TOKEN_BUCKET:
            elapsed = max(self._now_us - peer.addr_token_timestamp_us, 0) / 1_000_000
            refill = elapsed * MAX_ADDR_RATE_PER_SECOND
            peer.addr_token_bucket = min(peer.addr_token_bucket + refill,
                                         MAX_ADDR_PROCESSING_TOKEN_BUCKET)  # fmt: skip
        peer.addr_token_timestamp_us = self._now_us
        processed = min(event.count, int(peer.addr_token_bucket))
        peer.addr_token_bucket -= processed
        peer.addr_processed += processed
        peer.addr_rate_limited += event.count - processed

    def _fee_filter(self, event: ev.FeeFilter) -> None:
        """ProcessMessage FEEFILTER: kept if in MoneyRange and the peer relays transactions."""
        peer = self._peer(event.peer_id)
        self._account_recv(peer, "feefilter", FEEFILTER_BYTES)
        if 0 <= event.feerate <= MAX_MONEY and peer.relaytxes:
            peer.fee_filter_received = event.feerate

    def _mempool_changed(self, accepted: int) -> None:
        """``InitiateTxBroadcastToAll``: each of ``accepted`` new transactions is queued for
        every peer we relay transactions with past its handshake; a trickle then announces
        them and records the mempool sequence (also after removals, which move it)."""
        if not self.settings.tx_announcements:
            return
        for peer in self._peers.values():
            if not (peer.relaytxes and peer.handshake_complete):
                continue
            if accepted:
                self._touch(peer)
                peer.inv_to_send += accepted
            self._schedule_trickle(peer)

    def _schedule_trickle(self, peer: Peer) -> None:
        if peer.trickle_due:
            return
        peer.trickle_due = True
        interval = (INBOUND_INVENTORY_BROADCAST_INTERVAL_US if peer.inbound
                    else OUTBOUND_INVENTORY_BROADCAST_INTERVAL_US)  # fmt: skip
        self._schedule(self._now_us + interval, Timer.INV_TRICKLE, peer.id, 0)

    def _trickle(self, peer: Peer) -> None:
        """One trickle: announce what the broadcast limit allows (transactions confirmed
        meanwhile are dropped from the queue unannounced in the node; counted alike here), and
        remember the mempool sequence announced up to. The inv bytes are not counted: traffic is
        the scenario's to script."""
        self._touch(peer)
        peer.trickle_due = False
        queued = peer.inv_to_send
        broadcast_max = min(
            INVENTORY_BROADCAST_MAX, INVENTORY_BROADCAST_TARGET + queued // 1000 * 5
        )
        peer.inv_to_send = queued - min(queued, broadcast_max)
        peer.last_inv_sequence = self._mempool.sequence
        if peer.inv_to_send:
            self._schedule_trickle(peer)
