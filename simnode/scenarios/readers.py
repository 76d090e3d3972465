"""Readers of located YAML values: each checks one value's type and says where it is wrong.

``Fields`` reads a mapping key by key and refuses the keys nobody read, so an unknown key names
itself, its line, and the keys that were expected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from simnode.scenarios.durations import parse_duration
from simnode.scenarios.source import Located, ScenarioError

Reader = Callable[[Located], Any]


def fail(item: Located, expected: str) -> ScenarioError:
    return ScenarioError(item.where, f"expected {expected}, got {item.plain!r}")


def text(item: Located) -> str:
    if not isinstance(item.value, str) or not item.value:
        raise fail(item, "a non-empty string")
    return item.value


def any_text(item: Located) -> str:
    """A string, possibly empty (a user agent may be)."""
    if not isinstance(item.value, str):
        raise fail(item, "a string")
    return item.value


def integer(item: Located) -> int:
    if isinstance(item.value, bool) or not isinstance(item.value, int):
        raise fail(item, "an integer")
    return item.value


def count(item: Located) -> int:
    value = integer(item)
    if value < 0:
        raise fail(item, "a non-negative integer")
    return value


def positive(item: Located) -> int:
    value = integer(item)
    if value <= 0:
        raise fail(item, "a positive integer")
    return value


def positive_number(item: Located) -> float:
    value = item.value
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise fail(item, "a positive number")
    return float(value)


def boolean(item: Located) -> bool:
    if not isinstance(item.value, bool):
        raise fail(item, "true or false")
    return item.value


MAX_DURATION_SECONDS = 100 * 365 * 24 * 3600  # far past any scenario; the clock ends in 292,277


def duration(item: Located) -> float:
    try:
        seconds = parse_duration(item.value)
    except ValueError as error:
        raise ScenarioError(item.where, str(error)) from None
    if seconds > MAX_DURATION_SECONDS:
        raise fail(item, "a duration of at most 100 years (36500d)")
    return seconds


def whole_seconds(item: Located) -> int:
    return int(duration(item))


def round_trip(item: Located) -> float | None:
    """A simulated peer's pong delay: a positive duration, or null (it never answers)."""
    if item.value is None:
        return None
    seconds = duration(item)
    if seconds <= 0:
        raise fail(item, "a positive round-trip time or null (never answers)")
    return seconds


def optional(read: Reader) -> Reader:
    return lambda item: None if item.value is None else read(item)


def one_of(*choices: str) -> Reader:
    def read(item: Located) -> str:
        if item.value not in choices:
            raise fail(item, " or ".join(repr(choice) for choice in choices))
        return item.value

    return read


def integers(item: Located) -> tuple[int, ...]:
    if not isinstance(item.value, list):
        raise fail(item, "a list of integers")
    return tuple(integer(element) for element in item.value)


def items(item: Located) -> list[Located]:
    if not isinstance(item.value, list):
        raise fail(item, "a list")
    return item.value


def services(item: Located) -> int:
    """An integer, or 16 hex digits as getpeerinfo prints them."""
    if isinstance(item.value, str):
        try:
            value = int(item.value, 16)
        except ValueError:
            raise fail(item, "service bits as an integer or hex digits") from None
    else:
        value = integer(item)
    if not 0 <= value < 2**64:
        raise fail(item, "service bits that fit in 64 bits")
    return value


def moment(item: Located) -> float:
    """Unix seconds, or an ISO 8601 date/time (UTC unless it says otherwise)."""
    value = item.value
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise fail(item, "unix seconds or an ISO 8601 time") from None
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return aware.timestamp()
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC).timestamp()
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value)
    raise fail(item, "unix seconds or an ISO 8601 time")


def whole_moment(item: Located) -> int:
    return int(moment(item))


class Fields:
    """Reads a mapping's keys one by one; ``done`` refuses whatever was not read."""

    def __init__(self, item: Located, what: str) -> None:
        if not isinstance(item.value, dict):
            raise ScenarioError(item.where, f"expected a mapping for {what}, got {item.plain!r}")
        self.item, self.what = item, what
        self.values: dict[str, Located] = item.value
        self.read: list[str] = []

    def get(self, key: str, read: Reader, default: Any = None, required: bool = False) -> Any:
        self.read.append(key)
        if key not in self.values:
            if required:
                raise ScenarioError(self.item.where, f"{self.what} needs {key!r}")
            return default
        return read(self.values[key])

    def has(self, key: str) -> bool:
        return key in self.values

    def done(self) -> None:
        for key, value in self.values.items():
            if key not in self.read:
                expected = ", ".join(self.read)
                where = (self.item.key_wheres or {}).get(key, value.where)
                raise ScenarioError(
                    where, f"unknown key {key!r} in {self.what} (expected: {expected})"
                )
