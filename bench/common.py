"""Timing helpers for the benchmarks: best of several runs, printed as ratios to a baseline
measured in the same run (these machines are noisy; absolute numbers mean little)."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_time(action: Callable[[], object], repeat: int = 5, number: int = 1) -> float:
    """Seconds for one call of ``action``: the best of ``repeat`` runs of ``number`` calls."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for _ in range(number):
            action()
        best = min(best, (time.perf_counter() - started) / number)
    return best


def row(*cells: object, widths: tuple[int, ...] = (34, 14, 14, 10)) -> str:
    return "".join(f"{c!s:<{w}}" for c, w in zip(cells, widths, strict=False))
