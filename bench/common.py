"""Timing helpers for the benchmarks: best of several runs, printed as ratios to a baseline
measured in the same run (these machines are noisy; absolute numbers mean little)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from werkzeug.wrappers import Request, Response


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


def canned_app(payload: bytes) -> Callable:
    """The ceiling: the same stack returning ``payload`` without computing anything."""

    def canned(environ, start_response):
        Request(environ).get_data()
        return Response(payload, content_type="application/json")(environ, start_response)

    return canned


def reply_bytes(node: Any, body: object) -> bytes:
    """What ``node`` (a LocalNode) answers to ``body``, as the bytes of its reply."""
    reply = node.app.reply_to(json.dumps(body).encode())
    return b"".join(bytes(chunk) for chunk in reply.chunks)
