"""Compact JSON as the node writes it (UniValue ``write()``), with two values json can't express.

``RawJSON`` splices text that is already JSON (cached renderings) into a larger document, and
``Amount`` prints coin amounts with exactly 8 decimals (``ValueFromAmount``: ``0.00001000``).
Floats are printed as UniValue's ``setFloat`` does, ``%.16g`` (src/univalue/lib/univalue.cpp), which
is not Python's shortest repr: 99 microseconds is ``9.899999999999999e-05`` on the wire.
"""

from __future__ import annotations

import json
import re
from typing import Any

COIN = 100_000_000
_TOKEN = "\x00simnode-raw-{}\x00"
_TOKEN_PATTERN = re.compile(r'"\\u0000simnode-raw-(\d+)\\u0000"')


class RawJSON:
    """Text that is already valid JSON, inserted verbatim."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"RawJSON({self.text!r})"


class Amount(RawJSON):
    """A coin amount in satoshis, printed as the node's ``ValueFromAmount`` does."""

    __slots__ = ("satoshis",)

    def __init__(self, satoshis: int) -> None:
        self.satoshis = satoshis
        sign = "-" if satoshis < 0 else ""
        whole, frac = divmod(abs(satoshis), COIN)
        super().__init__(f"{sign}{whole}.{frac:08d}")


def format_double(value: float) -> str:
    """A double as the node prints it: ``0.226368``, ``5.6e-05``, ``1``."""
    return f"{value:.16g}"


def _with_node_doubles(value: Any) -> Any:
    """A copy of ``value`` whose floats are spliced in as the node prints them."""
    if isinstance(value, float):
        return RawJSON(format_double(value))
    if isinstance(value, dict):
        return {key: _with_node_doubles(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_with_node_doubles(item) for item in value]
    return value


def dumps(value: Any) -> str:
    """Compact JSON text (no spaces, UTF-8 kept as is, floats as ``%.16g``, like UniValue)."""
    value = _with_node_doubles(value)
    raws: list[str] = []

    def splice(obj: object) -> str:
        if isinstance(obj, RawJSON):
            raws.append(obj.text)
            return _TOKEN.format(len(raws) - 1)
        raise TypeError(f"{type(obj).__name__} is not JSON serializable")

    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=splice)
    if not raws:
        return text
    return _TOKEN_PATTERN.sub(lambda m: raws[int(m.group(1))], text)
