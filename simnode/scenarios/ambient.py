"""Background traffic for a living demo node: each peer announces and relays transactions.

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
            for peer_id in self.node.peer_ids():
                for event in _slot_traffic(rng, peer_id):
                    try:
                        self.node.apply(event)
                        applied += 1
                    except EventError:  # the peer left meanwhile
                        break
            self._next_slot += 1
        return applied


def _slot_traffic(rng: random.Random, peer_id: int) -> list[ev.Traffic]:
    if rng.random() < 0.4:
        return []
    announced = rng.randint(1, 8)
    traffic = [ev.Traffic(peer_id, "inv", rng.choice(("send", "recv")), 24 + 1 + 36 * announced)]
    if rng.random() < 0.5:
        traffic.append(ev.Traffic(peer_id, "getdata", "recv", 24 + 1 + 36 * announced))
        traffic += [
            ev.Traffic(peer_id, "tx", "send", 24 + rng.randint(190, 600)) for _ in range(announced)
        ]
    return traffic
