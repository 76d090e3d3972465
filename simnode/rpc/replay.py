"""Answering a body a client sends again and again (a monitor's refresh, a dashboard's poll) by
reusing the answers that cannot have changed since the last time, as the peer table reuses
unchanged peers.

A served node keeps a plan per body shape (its calls and their parameters, not their ids):
each call's JSON and what it read, as of when it was answered. A call whose method declares
what it reads (``Reads``: the node's state and the second, or getpeerinfo's peer table) is
answered again only when that moved; every other call (one that changes the node, reads the
clock finely, or the server) runs each time, in order, so a batch that changes the node is seen
changed by the calls after it. The reply is the same bytes the processor would write: each
call's envelope, closed with this body's id, joined as ``dumps_line`` joins a list.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from simnode.model.state import NodeSnapshot
from simnode.profiles.jsontext import coalesce
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

MAX_PLANS = 256  # distinct bodies (and shapes) kept; more and they start over
MAX_PLANNED_BODY_BYTES = 64 * 1024  # a monitor's refresh is a few kilobytes
MAX_ANSWER_BYTES = 64 * 1024 * 1024  # the answers the plans hold (most are shared with caches)
_NEVER = (-1, -1)  # what no snapshot reads as
_ONCE = object()  # a shape seen once

# A body's calls, parameters and protocols, without the ids, as text (its hash is kept).
Shape = str


@dataclass(frozen=True, slots=True)
class _Parsed:
    """A body read as calls: what the plans are found by, and the calls with their ids."""

    shape: Shape
    batch: bool
    calls: tuple[PlannedCall, ...]


@dataclass(frozen=True, slots=True)
class _Answered:
    """One call of a plan as last answered."""

    reads: Reads | None  # what its method's answer reads (None: it runs every time)
    at: tuple[int, int]  # what it read was as of this (``_read_at``) when it was answered
    chunks: list[bytes]  # its envelope up to its id (``PlannedCall.open_envelope``)
    error: RPCError | None


class ReplyPlans:
    """The plans of one served node (``Served`` holds them beside its AnswerCache; a reset
    starts anew). Bodies that differ only in their ids (most clients count them) share one."""

    def __init__(self) -> None:
        self._bodies: dict[bytes, _Parsed | None] = {}  # None: a body no plan can answer
        self._plans: dict[Shape, tuple[_Answered, ...] | object] = {}
        self._bytes = 0  # of answers the plans hold, roughly (most are shared with caches)
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
        parsed = self._bodies.get(body, _ONCE)
        if parsed is _ONCE:
            parsed = self._parse(body, processor)
        if parsed is None:
            return processor.process(body, execute, observe)
        assert isinstance(parsed, _Parsed)
        plan = self._plans.get(parsed.shape)
        if plan is None:  # a body sent once (a test's one call) is not worth a plan
            self._keep(parsed.shape, _ONCE, 0)
            return processor.process(body, execute, observe)
        if plan is _ONCE:
            plan = tuple(_Answered(_reads(table, call.method), _NEVER, [], None)
                         for call in parsed.calls)  # fmt: skip
        assert isinstance(plan, tuple)
        answers = tuple(self._answered(answered, call, execute, snapshot())
                        for answered, call in zip(plan, parsed.calls, strict=True))  # fmt: skip
        self._keep(parsed.shape, answers, sum(len(c) for a in answers for c in a.chunks))
        for answered, call in zip(answers, parsed.calls, strict=True):
            observe(call.method, call.params, call.journal_id, answered.error)
        if not parsed.batch:
            call, answered = parsed.calls[0], answers[0]
            return RPCReply(call.dialect.status_for(answered.error),
                            coalesce([*answered.chunks, call.id_tail, b"\n"]))  # fmt: skip
        parts = [b"["]
        for answered, call in zip(answers, parsed.calls, strict=True):
            parts += answered.chunks
            parts += (call.id_tail, b",")
        parts[-1] = b"]\n"
        return RPCReply(200, coalesce(parts))

    def _parse(self, body: bytes, processor: JSONRPCProcessor) -> _Parsed | None:
        planned = processor.planned_calls(body) if len(body) <= MAX_PLANNED_BODY_BYTES else None
        parsed = None
        if planned is not None:
            batch, calls = planned
            parsed = _Parsed(repr((batch, [call.shape for call in calls])), batch, tuple(calls))
        with self._lock:
            if len(self._bodies) >= MAX_PLANS:
                self._bodies.clear()
            self._bodies[body] = parsed
        return parsed

    @staticmethod
    def _answered(
        answered: _Answered, call: PlannedCall, execute: Executor, snapshot: NodeSnapshot
    ) -> _Answered:
        """The call answered now: as before if what it reads is as it was."""
        at = _read_at(answered.reads, snapshot)
        if at == answered.at and answered.reads is not None:
            return answered
        result, error = run_call(execute, call.method, call.params)
        return _Answered(answered.reads, at, call.open_envelope(result, error), error)

    def _keep(self, shape: Shape, plan: tuple[_Answered, ...] | object, size: int) -> None:
        with self._lock:
            full = shape not in self._plans and len(self._plans) >= MAX_PLANS
            if full or self._bytes + size > MAX_ANSWER_BYTES:
                self._plans.clear()
                self._bytes = 0
            self._plans[shape] = plan
            self._bytes += size


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
