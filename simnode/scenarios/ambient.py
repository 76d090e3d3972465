"""Background traffic for a living demo node: each peer announces and relays transactions, and
the transactions relayed reach the mempool (blocks, found every block interval, confirm them).

Traffic is decided per time slot from (seed, slot), so what a peer sent by a given virtual time
does not depend on when anyone looked.
"""

from __future__ import annotations

import random

from simnode.model import events as ev
from simnode.model.clock import MICROS
from simnode.model.node import Node
from simnode.model.state import EventError

SLOT_SECONDS = 10
NEW_TRANSACTION_SHARE = 0.15


class AmbientTraffic:
    """Applies plausible inv/getdata/tx traffic for every slot that has passed."""

    def __init__(self, node: Node, seed: int = 0) -> None:
        self.node = node
        self.seed = seed
        self._next_slot = node.clock.now_us() // (SLOT_SECONDS * MICROS) + 1

    def catch_up(self) -> int:
        """Apply the traffic of every slot up to the node's current time; returns events applied."""
        applied = 0
        now_slot = self.node.clock.now_us() // (SLOT_SECONDS * MICROS)
        # A long jump replays at most the last hour of slots, not days of them.
        self._next_slot = max(self._next_slot, now_slot - 360)
        while self._next_slot <= now_slot:
            rng = random.Random(f"{self.seed}:{self._next_slot}")
            relayed = 0  # transactions peers relayed to us in this slot
            for peer_id in self.node.peer_ids():
                for event in _slot_traffic(rng, peer_id):
                    try:
                        self.node.apply(event)
                        applied += 1
                    except EventError:  # the peer left meanwhile
                        break
                    if event.msg_type == "tx" and event.direction == "recv":
                        relayed += 1
            # Most relayed transactions are ones the pool already has: about one new one in a
            # minute reaches it, PAI mainnet's pace (ChainTxData: 0.00368 tx/s, far below).
            if relayed and rng.random() < NEW_TRANSACTION_SHARE:
                self.node.apply(ev.TransactionsArrived(1))
                applied += 1
            self._next_slot += 1
        return applied


def _slot_traffic(rng: random.Random, peer_id: int) -> list[ev.Traffic]:
    if rng.random() < 0.4:
        return []
    announced = rng.randint(1, 8)
    traffic = [ev.Traffic(peer_id, "inv", rng.choice(("send", "recv")), 24 + 1 + 36 * announced)]
    if rng.random() < 0.5:
        traffic.append(ev.Traffic(peer_id, "getdata", "recv", 24 + 1 + 36 * announced))
        direction = rng.choice(("send", "recv"))  # we relay theirs, or they fetch ours
        traffic += [
            ev.Traffic(peer_id, "tx", direction, 24 + rng.randint(190, 600))
            for _ in range(announced)
        ]
    return traffic
