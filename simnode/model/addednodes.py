"""The addnode list and the node's added-node thread, on the virtual clock, and the fake
network's listening addresses it connects to. A part of ``Node``."""

from __future__ import annotations

from simnode.model import events as ev
from simnode.model.clock import MICROS
from simnode.model.limits import (
    ADDED_NODE_POLL_SECONDS,
    ADDED_NODE_RETRY_SECONDS,
)
from simnode.model.state import (
    EventError,
    Timer,
)


class AddedNodes:
    """Node's added nodes (ThreadOpenAddedConnections, OpenNetworkConnection @ PAI 3.0.0)."""

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
        self._schedule(due, Timer.ADDED_NODES, -1, 0)

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
