"""Blocks and transactions reaching the node: found blocks relayed by the peers, validation
during initial download, reorganisations, stale branches, mempool arrivals, peers' sync
progress. A part of ``Node``; the chain and mempool themselves are ``Chain`` and ``Mempool``."""

from __future__ import annotations

from simnode.model import events as ev
from simnode.model.chain import HEADER_BYTES
from simnode.model.clock import MICROS
from simnode.model.limits import (
    MAX_BLOCKS_IN_TRANSIT_PER_PEER,
    MAX_BLOCKS_PER_EVENT,
    MAX_REORG_DEPTH,
    MAX_TRANSACTIONS_PER_EVENT,
)
from simnode.model.messages import (
    MESSAGE_HEADER_BYTES,
)
from simnode.model.state import (
    EventError,
    Timer,
)

# Peers this few blocks behind the tip still follow it (a peer generated a block or two behind
# catches up with the next one); peers further behind are syncing and move only by events.
RELAY_LAG_BLOCKS = 6


class ChainEvents:
    """Node's chain and mempool events; the chain and mempool are immutable values it replaces."""

    def _schedule_next_block(self) -> None:
        interval = self.settings.block_interval_seconds
        if interval:
            self._schedule(self._now_us + round(interval * MICROS), Timer.BLOCK_DUE, -1, 0)

    def _find_blocks(self, count: int) -> None:
        """Blocks found by the network: when the node is synced each confirms the best-paying
        transactions of the mempool; the first peer keeping up announces it by compact block
        (BIP152 high-bandwidth), the others by headers, and each peer that keeps up syncs to it."""
        for _ in range(count):
            chain = self._chain
            tip_before = chain.headers
            synced = chain.height == chain.headers
            confirmed = self._mempool.block_template() if synced else ()
            self._chain = chain.extended(self._now_seconds, [confirmed])
            self._mempool = self._mempool.without(tuple(tx.txid for tx in confirmed))
            self._mempool_changed(0)
            block = self._chain.block_at(self._chain.headers)
            keeping_up = [
                peer for peer in self._peers.values()
                if peer.handshake_complete and peer.synced_headers >= tip_before - RELAY_LAG_BLOCKS
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
        self._mempool_changed(event.count)

    def _sync(self, event: ev.SyncProgress) -> None:
        if event.inflight is not None and len(event.inflight) > MAX_BLOCKS_IN_TRANSIT_PER_PEER:
            raise EventError(f"at most {MAX_BLOCKS_IN_TRANSIT_PER_PEER} blocks can be in flight")
        heights = (event.synced_headers, event.synced_blocks, event.presynced_headers)
        for height in (*heights, *(event.inflight or ())):
            if height is not None and height < -1:
                raise EventError("block heights must be -1 or more")
        peer = self._peer(event.peer_id)
        if event.synced_headers is not None:
            peer.synced_headers = event.synced_headers
        if event.synced_blocks is not None:
            peer.synced_blocks = event.synced_blocks
        if event.inflight is not None:
            peer.inflight = tuple(event.inflight)
        if event.presynced_headers is not None:
            peer.presynced_headers = event.presynced_headers
