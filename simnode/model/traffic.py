"""Bytes on the wire: per message type when queued or completed, totals when written or read
(src/net.cpp @ PAI 3.0.0). A part of ``Node``."""

from __future__ import annotations

from simnode.model import events as ev
from simnode.model.messages import (
    OTHER_MESSAGE_TYPE,
)
from simnode.model.peer import Peer
from simnode.model.state import (
    EventError,
)

# The messages whose receipt starts address relay with a peer (ProcessMessage @ v31.0).
ADDR_RELAY_MESSAGES = ("addr", "addrv2", "getaddr")


class TrafficAccounting:
    """Node's traffic counters: per-peer, per message type, and the node's totals."""

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
            peer.transport_detecting = False  # the first bytes settle it (v2: its handshake)
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
            if event.msg_type in ADDR_RELAY_MESSAGES and not event.pending:
                self._setup_addr_relay(peer)  # type: ignore[attr-defined]

    def _flush(self, event: ev.FlushSendQueue) -> None:
        peer = self._peer(event.peer_id)
        peer.send_blocked = False
        self._write_queue(peer)
