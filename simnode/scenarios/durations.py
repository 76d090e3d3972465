"""Durations as scenario files write them: ``90``, ``90s``, ``1.5s``, ``250ms``, ``2m``, ``1h30m``,
``1d``. A bare number is seconds."""

from __future__ import annotations

import re

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
_WHOLE = re.compile(r"(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+")


def parse_duration(value: object) -> float:
    """Seconds in ``value``; ValueError says what is accepted."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 90, 90s, 2m or 1h, not a boolean")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"a duration must not be negative, got {value}")
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d+(?:\.\d+)?", text):
            return float(text)
        if _WHOLE.fullmatch(text):
            return sum(float(n) * _UNITS[unit] for n, unit in _PART.findall(text))
    raise ValueError(f"expected a duration such as 90, 90s, 2m or 1h, got {value!r}")


def format_duration(seconds: float) -> str:
    """The shortest exact spelling: ``0s``, ``90s``, ``2m``, ``1h30m``, ``0.25s``."""
    if seconds != int(seconds):
        return f"{seconds:.6f}".rstrip("0") + "s"  # microseconds, the model's resolution
    remaining, parts = int(seconds), []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, remaining = divmod(remaining, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"
