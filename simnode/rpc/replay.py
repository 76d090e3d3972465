"""Answering a body a client sends again and again (a monitor's refresh, a dashboard's poll) by
reusing the answers that cannot have changed since the last time, as the peer table reuses
unchanged peers.

A served node keeps a plan per body: its calls, each with its JSON and the node's revision and
second it was answered at. A call whose method declares what it reads
(``Reads``: the node's state and the second, or getpeerinfo's peer table) is answered again
only when that moved; every other call (one that changes the node, reads the clock finely, or
the server) runs each time, in order, so a batch that changes the node is seen changed by the
calls after it. The reply is the same bytes the
processor would write: each call's JSON joined as ``dumps_line`` joins a list.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from simnode.model.state import NodeSnapshot
from simnode.profiles.jsontext import coalesce, dumps_chunks
from simnode.rpc.errors import RPCError
from simnode.rpc.jsonrpc import (
    Executor,
    JSONRPCProcessor,
    Observer,
    PlannedCall,
    RPCReply,
    run_call,
)
from simnode.rpc.methods import MethodTable, Reads

MAX_PLANS = 256  # distinct bodies kept; more and the plans start over
MAX_PLANNED_BODY_BYTES = 64 * 1024  # a monitor's refresh is a few kilobytes
MAX_ANSWER_BYTES = 64 * 1024 * 1024  # the answers the plans hold (most are shared with caches)
_NEVER = (-1, -1)  # a (revision, second) no snapshot has
_UNSEEN = object()  # a body not seen before
_ONCE = object()  # a body seen once


@dataclass(frozen=True, slots=True)
class _Answered:
    """One call of a plan as last answered."""

    call: PlannedCall
    reads: Reads | None  # what its method's answer reads (None: it runs every time)
    at: tuple[int, int]  # what it read was as of this (``_read_at``) when it was answered
    chunks: list[bytes]  # its JSON envelope
    error: RPCError | None


@dataclass(frozen=True, slots=True)
class _Plan:
    batch: bool
    answers: tuple[_Answered, ...]


class ReplyPlans:
    """The plans of one served node (its AnswerCache holds them; a reset starts anew)."""

    def __init__(self) -> None:
        # None: a body no plan can answer; _ONCE: seen once, planned if it comes again
        self._plans: dict[bytes, _Plan | object | None] = {}
        self._sizes: dict[bytes, int] = {}  # bytes of answers each plan holds
        self._bytes = 0  # all of them (most are shared with the answer cache)
        self._lock = threading.Lock()

    def reply(
        self,
        body: bytes,
        processor: JSONRPCProcessor,
        table: MethodTable,
        execute: Executor,
        observe: Observer,
        snapshot: Callable[[], NodeSnapshot],
    ) -> RPCReply:
        """The reply to ``body``, as ``processor.process`` would give it (``observe`` hears of
        every call); ``snapshot`` is the request's view of the node, retaken after a change."""
        plan = self._plans.get(body, _UNSEEN)
        if plan is _UNSEEN:  # a body sent once (a test's one call) is not worth a plan
            self._keep(body, _ONCE)
            return processor.process(body, execute, observe)
        if plan is _ONCE:
            plan = self._plan_of(body, processor, table)
        if plan is None:
            return processor.process(body, execute, observe)
        assert isinstance(plan, _Plan)
        answers = tuple(self._answered(answered, execute, snapshot()) for answered in plan.answers)
        for answered in answers:
            call = answered.call
            observe(call.method, call.params, call.journal_id, answered.error)
        self._keep(body, _Plan(plan.batch, answers))
        if not plan.batch:
            answered = answers[0]
            return RPCReply(answered.call.dialect.status_for(answered.error),
                            coalesce([*answered.chunks, b"\n"]))  # fmt: skip
        parts = [b"["]
        for answered in answers:
            parts += answered.chunks
            parts.append(b",")
        parts[-1] = b"]\n"
        return RPCReply(200, coalesce(parts))

    def _plan_of(
        self, body: bytes, processor: JSONRPCProcessor, table: MethodTable
    ) -> _Plan | None:
        planned = processor.planned_calls(body) if len(body) <= MAX_PLANNED_BODY_BYTES else None
        plan = None
        if planned is not None:
            batch, calls = planned
            plan = _Plan(batch, tuple(_Answered(call, _reads(table, call.method), _NEVER, [],
                                                None) for call in calls))  # fmt: skip
        self._keep(body, plan)
        return plan

    def _answered(
        self, answered: _Answered, execute: Executor, snapshot: NodeSnapshot
    ) -> _Answered:
        """The call answered now: as before if the node and the second are as they were."""
        at = _read_at(answered.reads, snapshot)
        if at == answered.at and answered.reads is not None:
            return answered
        call = answered.call
        result, error = run_call(execute, call.method, call.params)
        return _Answered(call, answered.reads, at, dumps_chunks(call.envelope(result, error)),
                         error)  # fmt: skip

    def _keep(self, body: bytes, plan: _Plan | object | None) -> None:
        size = sum(len(c) for a in plan.answers for c in a.chunks) if isinstance(plan, _Plan) else 0
        with self._lock:
            held = self._bytes - self._sizes.pop(body, 0) + size
            full = body not in self._plans and len(self._plans) >= MAX_PLANS
            if full or held > MAX_ANSWER_BYTES:
                self._plans.clear()
                self._sizes.clear()
                held = size
            self._plans[body] = plan
            self._sizes[body] = size
            self._bytes = held


def _reads(table: MethodTable, name: str) -> Reads | None:
    method = table.methods.get(name)
    return None if method is None else method.reads


def _read_at(reads: Reads | None, snapshot: NodeSnapshot) -> tuple[int, int]:
    """What an answer that reads ``reads`` depends on, as of ``snapshot``: equal, the same."""
    if reads is None:
        return _NEVER
    if reads is Reads.PEERS:
        return (snapshot.peers_revision,
                snapshot.now_us if snapshot.peers_change_with_time else -1)  # fmt: skip
    return (snapshot.revision, snapshot.now_seconds)
