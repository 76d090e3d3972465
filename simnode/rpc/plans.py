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
from typing import Any

from simnode.model.state import NodeSnapshot
from simnode.profiles.jsontext import coalesce
from simnode.rpc.errors import RPCError
from simnode.rpc.jsonrpc import (
    Executor,
    JSONRPCProcessor,
    Observer,
    PlannedCall,
    RPCReply,
    parse_body,
    run_call,
)
from simnode.rpc.methods import MethodTable, Reads

MAX_PLANS = 256  # shapes with a plan; more and the plans start over
MAX_BODIES = 1024  # bodies remembered as read (or as not plannable); more and they start over
MAX_PLANNED_BODY_BYTES = 64 * 1024  # a monitor's refresh is a few kilobytes; larger: no plan
MAX_ANSWER_BYTES = 64 * 1024 * 1024  # the answers the plans hold (most are shared with caches)
_NEVER = (-1, -1)  # what no snapshot reads as
_UNREAD = object()  # a body not read before

# A body's calls, parameters and protocols, without the ids, as text.
Shape = str


@dataclass(frozen=True, slots=True)
class _Parsed:
    """A body read as calls: what its plan is found by, and the calls with their ids."""

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
    starts anew). Bodies that differ only in their ids (most clients count them) share one; a
    shape gets a plan the second time it comes (a test's one call is not worth one)."""

    def __init__(self) -> None:
        self._bodies: dict[bytes, _Parsed | None] = {}  # None: no plan can answer it
        self._seen_once: set[Shape] = set()
        self._plans: dict[Shape, tuple[_Answered, ...]] = {}
        self._sizes: dict[Shape, int] = {}  # bytes of answers each plan holds
        self._bytes = 0  # all of them
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
        payload: Any = _UNREAD  # the body parsed here, if it was

        def afresh() -> RPCReply:
            if payload is _UNREAD:
                return processor.process(body, execute, observe)
            return processor.process_payload(payload, execute, observe)

        parsed = self._bodies.get(body, _UNREAD)
        if parsed is _UNREAD:
            if len(body) > MAX_PLANNED_BODY_BYTES:
                return afresh()
            try:
                payload = parse_body(body)
            except RPCError:
                return afresh()  # its parse error reply
            parsed = self._read(body, payload, processor)
        if parsed is None:
            return afresh()
        assert isinstance(parsed, _Parsed)
        plan = self._plans.get(parsed.shape)
        if plan is None:
            if parsed.shape not in self._seen_once:
                with self._lock:
                    if len(self._seen_once) >= MAX_BODIES:  # an indexer walking the chain
                        self._seen_once.clear()
                    self._seen_once.add(parsed.shape)
                return afresh()
            plan = tuple(_Answered(_reads(table, call.method), _NEVER, [], None)
                         for call in parsed.calls)  # fmt: skip
        answers = tuple(self._answered(answered, call, execute, snapshot())
                        for answered, call in zip(plan, parsed.calls, strict=True))  # fmt: skip
        self._keep(parsed.shape, answers)
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

    def _read(self, body: bytes, payload: Any, processor: JSONRPCProcessor) -> _Parsed | None:
        """The body's calls, remembered by its bytes so the same body is not read again."""
        calls = processor.planned_calls(payload)
        parsed = None
        if calls is not None:
            batch = isinstance(payload, list)
            parsed = _Parsed(repr((batch, [call.shape for call in calls])), batch, tuple(calls))
        with self._lock:
            if len(self._bodies) >= MAX_BODIES:
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

    def _keep(self, shape: Shape, plan: tuple[_Answered, ...]) -> None:
        size = sum(len(chunk) for answered in plan for chunk in answered.chunks)
        with self._lock:
            held = self._bytes - self._sizes.get(shape, 0) + size
            full = shape not in self._plans and len(self._plans) >= MAX_PLANS
            if full or held > MAX_ANSWER_BYTES:
                self._plans.clear()
                self._sizes.clear()
                self._seen_once.clear()
                held = size
            self._plans[shape] = plan
            self._sizes[shape] = size
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
