"""Faults a test arms for the next call(s) of one method or of every method: the failures real
clients meet (a slow node, a dropped connection, a half-sent reply, the node still warming up).

A fault fires ``times`` times (None: until cleared). The app consults the plan for each request.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from enum import Enum

LOG = logging.getLogger("simnode.faults")


class FaultKind(Enum):
    LATENCY = "latency"  # answer after a delay
    RESET = "reset"  # send the headers and half the body, then reset the connection (RST)
    TRUNCATED = "truncated"  # send the headers and half the body, then close (FIN)
    DROP = "drop"  # close the connection without answering
    MALFORMED_JSON = "malformed_json"  # a 200 whose body is cut-off JSON
    HTTP_500_EMPTY = "http_500_empty"  # 500 with an empty body
    WORK_QUEUE_FULL = "work_queue_full"  # the node's plain-text "Work queue depth exceeded"
    WARMUP = "warmup"  # -28 with an init message, as during start-up
    WRONG_ID = "wrong_id"  # a reply whose id is not the request's
    CLOSE_AFTER_RESPONSE = "close_after_response"  # answer, then drop the kept-alive connection


@dataclass(slots=True)
class Fault:
    kind: FaultKind
    method: str | None = None  # None: any method
    times: int | None = 1  # None: until cleared
    seconds: float = 0.0  # for LATENCY
    message: str = "Loading block index..."  # for WARMUP
    fired: int = field(default=0)

    def describe(self) -> str:
        target = self.method or "any method"
        count = "until cleared" if self.times is None else f"{self.times} time(s)"
        return f"{self.kind.value} for {target}, {count}, fired {self.fired}"


class FaultPlan:
    """The armed faults, first armed first fired. Thread-safe: requests run on many threads."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def arm(self, fault: Fault) -> Fault:
        if fault.times is not None and fault.times < 1:
            raise ValueError("a fault fires at least once (times >= 1, or None: until cleared)")
        with self._lock:
            self._faults.append(fault)
        LOG.info("fault armed: %s", fault.describe())
        return fault

    def take(self, methods: list[str]) -> Fault | None:
        """The fault to apply to a request calling ``methods`` (a batch calls several)."""
        if not self._faults:  # the common case, without the lock
            return None
        with self._lock:
            for fault in self._faults:
                if fault.method is None or fault.method in methods:
                    fault.fired += 1
                    if fault.times is not None and fault.fired >= fault.times:
                        self._faults.remove(fault)
                    LOG.info("fault fired: %s (request calls %s)", fault.describe(),
                             ", ".join(methods))  # fmt: skip
                    return fault
        return None

    @property
    def armed(self) -> bool:
        return bool(self._faults)

    def all(self) -> list[Fault]:
        """Every armed fault, in firing order (those armed until cleared too)."""
        with self._lock:
            return list(self._faults)

    def pending(self) -> list[Fault]:
        """Faults armed for a number of calls that have not all happened."""
        with self._lock:
            return [f for f in self._faults if f.times is not None]

    def clear(self) -> None:
        with self._lock:
            if self._faults:
                LOG.info("faults cleared (%d armed)", len(self._faults))
            self._faults.clear()
