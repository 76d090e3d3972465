"""The call journal: every RPC call a client made, in a bounded ring buffer, with helpers that
read like the assertion a test wants to make. Bounded in calls and in bytes: ten thousand calls
with 20 KB of parameters each held 200 MB (issue 16, defect 9)."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Any, NamedTuple

DEFAULT_CAPACITY = 10_000
DEFAULT_MAX_BYTES = 16 * 1024 * 1024  # of request bodies the kept calls came in
CALL_OVERHEAD_BYTES = 200  # a Call and its small values, beyond its share of the body


class Call(NamedTuple):
    """One call as the journal keeps it (a NamedTuple: a batch of them is made per request)."""

    method: str
    params: list[Any] | dict[str, Any]
    request_id: Any
    user: str | None  # who authenticated (``__cookie__`` for cookie auth)
    node_time: int  # the node's clock, unix seconds
    status: int  # the HTTP status of the reply that carried it
    error_code: int | None  # the JSON-RPC error code, if the call failed
    fault: str | None  # the injected fault it met, if any

    def line(self) -> str:
        outcome = "ok" if self.error_code is None else f"error {self.error_code}"
        fault = f" [fault: {self.fault}]" if self.fault else ""
        return (f"{self.node_time} {self.user or '-'} {self.method}({_short(self.params)}) "
                f"id={self.request_id!r} -> HTTP {self.status} {outcome}{fault}")  # fmt: skip


def _short(params: Any, limit: int = 60) -> str:
    text = repr(params)[1:-1] if isinstance(params, list) else repr(params)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _params_match(actual: list[Any] | dict[str, Any], expected: Any) -> bool:
    """Lists match by prefix, mappings by subset."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            key in actual and actual[key] == value for key, value in expected.items()
        )
    if isinstance(expected, list | tuple):
        return isinstance(actual, list) and actual[: len(expected)] == list(expected)
    raise TypeError("params must be a list (matched as a prefix) or a dict (as a subset)")


class Journal:
    def __init__(
        self, capacity: int = DEFAULT_CAPACITY, max_bytes: int = DEFAULT_MAX_BYTES
    ) -> None:
        self._calls: deque[tuple[Call, int]] = deque()
        self._capacity = capacity
        self._max_bytes = max_bytes
        self._bytes = 0
        self._lock = threading.Lock()
        self.dropped = 0  # calls pushed out of the ring buffer
        self.listeners: list[Callable[[Call], None]] = []  # told of each call (the console log)

    def record(self, call: Call, body_bytes: int = 0) -> None:
        """Keep ``call``, which came with ``body_bytes`` of its request's body; the oldest go
        once there are more than ``capacity`` calls or ``max_bytes`` (the newest always stays)."""
        self.record_all([call], body_bytes)

    def record_all(self, calls: list[Call], body_bytes_each: int = 0) -> None:
        """Keep the calls of one request, each with its share of the body, at once."""
        size = body_bytes_each + CALL_OVERHEAD_BYTES
        kept = self._calls
        with self._lock:
            kept.extend([(call, size) for call in calls])
            self._bytes += size * len(calls)
            while len(kept) > 1 and (len(kept) > self._capacity or self._bytes > self._max_bytes):
                self._bytes -= kept.popleft()[1]
                self.dropped += 1
        for call in calls:
            for listener in self.listeners:
                listener(call)

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()
            self._bytes = 0
            self.dropped = 0

    @property
    def capacity(self) -> int:
        return self._capacity

    def calls(self, method: str | None = None, params: Any = None) -> list[Call]:
        with self._lock:
            calls = [call for call, _ in self._calls]
        return [
            c for c in calls
            if (method is None or c.method == method)
            and (params is None or _params_match(c.params, params))
        ]  # fmt: skip

    def assert_called(self, method: str, times: int | None = None, params: Any = None) -> None:
        """At least once, or exactly ``times``; with ``params`` matched as prefix or subset."""
        found = len(self.calls(method, params))
        wanted = f"{method}" + (f" with params {params!r}" if params is not None else "")
        if times is None and found == 0:
            raise AssertionError(f"{wanted} was never called\n{self.summary()}")
        if times is not None and found != times:
            raise AssertionError(f"{wanted} was called {found} time(s), expected {times}\n"
                                 f"{self.summary()}")  # fmt: skip

    def assert_not_called(self, method: str, params: Any = None) -> None:
        self.assert_called(method, times=0, params=params)

    def summary(self, last: int = 50) -> str:
        calls = self.calls()
        lines = [f"simnode call journal: {len(calls)} call(s)"
                 + (f", {self.dropped} older ones dropped" if self.dropped else "")]  # fmt: skip
        if len(calls) > last:
            lines.append(f"  ... {len(calls) - last} earlier call(s) not shown")
        lines += [f"  {call.line()}" for call in calls[-last:]]
        return "\n".join(lines)
