"""Clocks: the only place simnode reads time from.

The model keeps time in integer microseconds since the Unix epoch, as the node does internally
(``GetTimeMicros``); seconds-resolution fields are derived from it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol

# 2021-09-15 14:00:00 UTC, the day PAI Core 3.0.0's master branch was cut: a fixed, reproducible
# start for virtual time.
DEFAULT_EPOCH_SECONDS = 1631714400
MICROS = 1_000_000


class Clock(Protocol):
    """Tells the current time in microseconds since the Unix epoch, and can be moved."""

    def now_us(self) -> int: ...

    def advance(self, seconds: float) -> int: ...

    def set(self, epoch_seconds: float) -> None: ...


class VirtualClock:
    """A clock that moves only when told to, so every run sees the same times."""

    def __init__(self, start_seconds: float = DEFAULT_EPOCH_SECONDS) -> None:
        self._now_us = round(start_seconds * MICROS)
        self._lock = threading.Lock()

    def now_us(self) -> int:
        return self._now_us

    def advance(self, seconds: float) -> int:
        """Move forward by ``seconds`` (never backwards) and return the new time."""
        if seconds < 0:
            raise ValueError("a virtual clock only advances; use set() to jump")
        with self._lock:
            self._now_us += round(seconds * MICROS)
            return self._now_us

    def set(self, epoch_seconds: float) -> None:
        """Jump to an absolute time, forwards or backwards (as ``setmocktime`` may)."""
        with self._lock:
            self._now_us = round(epoch_seconds * MICROS)


class WallClock:
    """Follows a time source at ``speed`` times real speed, starting from ``start_seconds``
    (default: the source's now, less ``behind_seconds``: a node whose history is then played
    forward at once reads the real time afterwards).

    Used by ``simnode serve`` so a demo node lives in (optionally accelerated) real time.
    """

    def __init__(
        self,
        speed: float = 1.0,
        start_seconds: float | None = None,
        source: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        behind_seconds: float = 0.0,
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self._monotonic = monotonic
        self._origin_mono = monotonic()
        start = source() - behind_seconds if start_seconds is None else start_seconds
        self._origin_us = round(start * MICROS)
        self._offset_us = 0
        self._lock = threading.Lock()

    def now_us(self) -> int:
        elapsed = self._monotonic() - self._origin_mono
        return self._origin_us + self._offset_us + round(elapsed * self.speed * MICROS)

    def advance(self, seconds: float) -> int:
        """Skip ahead by ``seconds`` on top of the running time."""
        if seconds < 0:
            raise ValueError("a clock only advances; use set() to jump")
        with self._lock:
            self._offset_us += round(seconds * MICROS)
        return self.now_us()

    def set(self, epoch_seconds: float) -> None:
        """Jump so that the clock reads ``epoch_seconds`` now, then keeps running."""
        with self._lock:
            self._offset_us += round(epoch_seconds * MICROS) - self.now_us()
