"""A served node's answer cache: the chain, mempool and mining answers are pure functions of the
chain, the mempool and the current second, so while those three are the same objects an answer
is rendered and encoded once. A monitor asking the same thirty methods every few seconds then
costs the node little more than its envelopes (issue 10's refresh benchmark)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simnode.model.chain import Chain
from simnode.model.mempool import Mempool
from simnode.model.state import NodeSnapshot
from simnode.profiles.jsontext import RawJSON, dumps
from simnode.profiles.profile import Profile

MAX_ANSWERS = 512  # distinct (method, arguments) kept; more and the cache starts over


@dataclass(frozen=True, slots=True)
class _Answer:
    chain: Chain
    mempool: Mempool
    second: int
    json: RawJSON


class AnswerCache:
    """Belongs to one served node (its simulation) and the release it is rendered as; a reset
    starts a new one. ``peer_table`` renders its getpeerinfo incrementally."""

    def __init__(self, profile: Profile, previous: AnswerCache | None = None) -> None:
        self.peer_table = profile.peer_table()
        if previous is not None:  # the served node this one replaces
            self.peer_table.inherit(previous.peer_table)
        self._answers: dict[tuple[str, str], _Answer] = {}
        self._lock = threading.Lock()

    def answer(
        self, method: str, args: list[Any], snapshot: NodeSnapshot, render: Callable[[], Any]
    ) -> RawJSON:
        """The answer to ``method(args)`` for this snapshot's chain, mempool and second."""
        key = (method, dumps(args))  # JSON as sent: -0 and -0e0 are two calls
        second = snapshot.now_seconds
        cached = self._answers.get(key)
        if (cached is not None and cached.chain is snapshot.chain
                and cached.mempool is snapshot.mempool and cached.second == second):  # fmt: skip
            return cached.json
        answer = RawJSON(dumps(render()))
        with self._lock:
            if len(self._answers) >= MAX_ANSWERS:
                self._answers.clear()
            self._answers[key] = _Answer(snapshot.chain, snapshot.mempool, second, answer)
        return answer
