"""Compact JSON as the node writes it (UniValue ``write()``), with two values json can't express.

``RawJSON`` splices text that is already JSON (cached renderings) into a larger document, and
``Amount`` prints coin amounts with exactly 8 decimals (``ValueFromAmount``: ``0.00001000``).
Floats are printed as UniValue's ``setFloat`` does, ``%.16g`` (src/univalue/lib/univalue.cpp), which
is not Python's shortest repr: 99 microseconds is ``9.899999999999999e-05`` on the wire.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

COIN = 100_000_000
encode_string: Callable[[str], str] = json.encoder.encode_basestring  # type: ignore[attr-defined]


class RawJSON:
    """Text that is already valid JSON, inserted verbatim."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"RawJSON({self.text!r})"


class Amount(float):
    """A coin amount: a float to Python code, printed with exactly 8 decimals as the node's
    ``ValueFromAmount`` does (``0.00001000``)."""

    __slots__ = ("text",)

    def __new__(cls, satoshis: int) -> Amount:
        amount = super().__new__(cls, satoshis / COIN)
        sign = "-" if satoshis < 0 else ""
        whole, frac = divmod(abs(satoshis), COIN)
        amount.text = f"{sign}{whole}.{frac:08d}"
        return amount


def format_double(value: float) -> str:
    """A double as the node prints it: ``0.226368``, ``5.6e-05``, ``1``."""
    return f"{value:.16g}"


def _scalar(value: Any) -> str | None:
    """The text of a value that is not a container, or None for a container."""
    if isinstance(value, str):
        return encode_string(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, Amount):
        return value.text
    if isinstance(value, float):
        return format_double(value)
    if isinstance(value, Decimal):  # a number from a request, written back as it came
        return str(value)
    if isinstance(value, RawJSON):
        return value.text
    if isinstance(value, dict | list | tuple):
        return None
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def dumps(value: Any) -> str:
    """Compact JSON text (no spaces, UTF-8 kept as is, floats as ``%.16g``, like UniValue).

    Written with an explicit stack, so deeply nested values (a request id may be one) cannot
    exhaust Python's recursion limit."""
    text = _scalar(value)
    if text is not None:
        return text
    out: list[str] = []
    stack: list[list[Any]] = []  # [items iterator, closing bracket, is a mapping, is first]

    def begin(container: Any) -> None:
        if isinstance(container, dict):
            out.append("{")
            stack.append([iter(container.items()), "}", True, True])
        else:
            out.append("[")
            stack.append([iter(container), "]", False, True])

    begin(value)
    while stack:
        frame = stack[-1]
        item = next(frame[0], _END)
        if item is _END:
            out.append(frame[1])
            stack.pop()
            continue
        if not frame[3]:
            out.append(",")
        frame[3] = False
        if frame[2]:
            key, item = item
            out.append(encode_string(key) + ":")
        text = _scalar(item)
        if text is None:
            begin(item)
        else:
            out.append(text)
    return "".join(out)


_END = object()
