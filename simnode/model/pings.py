"""Pings, as the node sends them and simulated peers answer: automatic pings every interval,
round trips, timeouts, and long clock jumps applied at once. A part of ``Node``."""

from __future__ import annotations

from simnode.model import events as ev
from simnode.model.clock import MICROS
from simnode.model.limits import (
    SKIP_PING_CYCLES_FROM,
)
from simnode.model.messages import (
    BIP31_VERSION,
    MESSAGE_HEADER_BYTES,
    PING_BYTES,
)
from simnode.model.peer import Peer
from simnode.model.state import (
    EventError,
    Timer,
    TimerEntry,
)


class Pings:
    """Node's ping handling (SendMessages and the PONG handler, src/net_processing.cpp @ PAI
    3.0.0); works on the node's peers, timers and clock."""

    def _skip_ping_cycles(self, timer: TimerEntry, peer: Peer, target_us: int) -> bool:
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

    def _fire(self, timer: TimerEntry, peer: Peer) -> None:
        if timer.kind is Timer.PING_DUE:
            if timer.token == peer.ping_seq and peer.ping_sent_us is None:
                self._touch(peer)
                self._send_ping(peer)
        elif timer.kind is Timer.PONG_ARRIVES:
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
        self._schedule(max(due, self._now_us), Timer.PING_DUE, peer.id, peer.ping_seq)

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
        self._schedule(timeout, Timer.PING_TIMEOUT, peer.id, peer.ping_seq)
        if peer.pong_rtt_us is not None:
            arrival = self._now_us + peer.pong_rtt_us
            self._schedule(arrival, Timer.PONG_ARRIVES, peer.id, peer.ping_seq)

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
        rtt_us = to_us(event.rtt_seconds)
        if rtt_us is not None and rtt_us < 0:
            raise EventError("rtt_seconds must not be negative")
        peer = self._peer(event.peer_id)
        self._receive_pong(peer, answers_seq=peer.ping_seq, rtt_us=rtt_us)

    def _set_pong_rtt(self, event: ev.SetPongRtt) -> None:
        rtt_us = to_us(event.pong_rtt_seconds)
        if rtt_us is not None and rtt_us <= 0:
            raise EventError("pong_rtt_seconds must be positive")
        self._peer(event.peer_id).pong_rtt_us = rtt_us


def to_us(seconds: float | None) -> int | None:
    return None if seconds is None else round(seconds * MICROS)
