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
    """JSON that is already written, inserted verbatim: made from text, or from UTF-8 bytes.

    A cached rendering is sent many times: its UTF-8 form is kept (``encoded``) and spliced into
    each reply by ``dumps_line``, so a large answer is not copied again per request."""

    __slots__ = ("_encoded", "_text")

    def __init__(self, text: str | None = None, *, encoded: bytes | None = None) -> None:
        if (text is None) == (encoded is None):
            raise TypeError("RawJSON takes either text or encoded bytes")
        self._text = text
        self._encoded = encoded

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self._encoded.decode()  # type: ignore[union-attr]
        return self._text

    @property
    def encoded(self) -> bytes:
        if self._encoded is None:
            self._encoded = self._text.encode()  # type: ignore[union-attr]
        return self._encoded

    def __repr__(self) -> str:
        return f"RawJSON({self.text!r})"


class NumberText(Decimal):
    """A number from a request that Python's int would not write back the same (a fraction, an
    exponent, ``-0``), kept with the text it was written as. UniValue stores numbers as their
    text (univalue_read.cpp), so an id of ``1e2`` is echoed as ``1e2``, not ``100``."""

    __slots__ = ("text",)

    def __new__(cls, text: str) -> NumberText:
        number = super().__new__(cls, text)
        number.text = text
        return number

    @property
    def is_integer_literal(self) -> bool:
        """Written as an integer (``-0``): what ``ParseInt64`` accepts; ``1.0`` and ``1e2`` are
        not."""
        return self.text.lstrip("-").isdigit()


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


def _scalar(value: Any) -> str | RawJSON | None:
    """The text of a value that is not a container (a RawJSON as itself), or None for one."""
    write = _WRITERS.get(value.__class__)
    if write is not None:
        return write(value)
    return _scalar_of_subclass(value)


def _scalar_of_subclass(value: Any) -> str | RawJSON | None:
    if value is True or value is False:
        return _BOOLEANS[value]
    for kind, write in _WRITERS.items():
        if isinstance(value, kind):
            return write(value)
    if isinstance(value, dict | list | tuple):
        return None
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


_BOOLEANS = {True: "true", False: "false"}
# Each JSON value's writer by its exact class, the one lookup most values need; subclasses
# (an IntEnum, a str subclass) are matched in this order. Containers map to None.
_WRITERS: dict[type, Callable[[Any], str | RawJSON | None]] = {
    str: encode_string,
    type(None): lambda value: "null",
    bool: _BOOLEANS.__getitem__,
    int: int.__repr__,
    Amount: lambda value: value.text,
    float: format_double,
    NumberText: lambda value: value.text,
    RawJSON: lambda value: value,
    dict: lambda value: None,
    list: lambda value: None,
    tuple: lambda value: None,
}


def dumps(value: Any) -> str:
    """Compact JSON text (no spaces, UTF-8 kept as is, floats as ``%.16g``, like UniValue)."""
    return "".join(p.text if p.__class__ is RawJSON else p for p in _pieces(value))


# A cached part at least this large goes to the server as it is; smaller ones are copied into
# the reply's buffer: waitress writes (and tries to send) each chunk of a reply on its own, so
# a batch answered as 80 chunks cost 80 sends where one would do.
OWN_CHUNK_BYTES = 64 * 1024


def dumps_line(value: Any) -> list[bytes]:
    """``dumps(value)`` and a newline, as UTF-8 chunks to send one after the other: a reply body
    as the node writes it (``strReply = valReply.write() + "\n"``, src/httprpc.cpp). Large
    RawJSON parts are their cached bytes, never copied; the rest is joined into few chunks."""
    return coalesce([*_encoded_parts(value), b"\n"])


def dumps_chunks(value: Any) -> list[bytes]:
    """``dumps(value)`` as UTF-8 chunks, as ``dumps_line`` writes them (without the newline)."""
    return coalesce(_encoded_parts(value))


def coalesce(parts: list[bytes]) -> list[bytes]:
    """The parts joined into as few chunks as keep every large part (a cached answer) whole."""
    chunks: list[bytes] = []
    pending: list[bytes] = []  # the next chunk, in parts
    for part in parts:
        if len(part) < OWN_CHUNK_BYTES:
            pending.append(part)
            continue
        if pending:
            chunks.append(b"".join(pending))
            pending.clear()
        chunks.append(part)
    if pending:
        chunks.append(b"".join(pending))
    return chunks


def _encoded_parts(value: Any) -> list[bytes]:
    """The UTF-8 text of ``value``: runs of written text, and each RawJSON's cached bytes."""
    parts: list[bytes] = []
    text: list[str] = []
    for piece in _pieces(value):
        if piece.__class__ is RawJSON:
            if text:
                parts.append("".join(text).encode())
                text.clear()
            parts.append(piece.encoded)
        else:
            text.append(piece)
    if text:
        parts.append("".join(text).encode())
    return parts


def _pieces(value: Any) -> list[Any]:
    """The JSON text of ``value`` as str pieces, with RawJSON values left whole.

    Written with an explicit stack, so deeply nested values (a request id may be one) cannot
    exhaust Python's recursion limit."""
    text = _scalar(value)
    if text is not None:
        return [text]
    out: list[Any] = []
    stack: list[list[Any]] = []  # [items iterator, closing bracket, is a mapping, is first]

    def begin(container: Any) -> None:
        flat = _flat_text(container)
        if flat is not None:
            out.append(flat)
        elif isinstance(container, dict):
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
    return out


_END = object()


def _flat_text(container: Any) -> str | None:
    """The text of a container whose items are all plain scalars, in one pass (most leaves of
    an answer are such objects and arrays); None when an item is a container, a RawJSON or a
    subclass, which the stack walk writes."""
    try:
        if isinstance(container, dict):
            items = [encode_string(key) + ":" + _PLAIN[value.__class__](value)
                     for key, value in container.items()]  # fmt: skip
            return "{" + ",".join(items) + "}"
        return "[" + ",".join([_PLAIN[value.__class__](value) for value in container]) + "]"
    except KeyError:
        return None


# Scalars written as text by their exact class (RawJSON and containers are not plain).
_PLAIN = {kind: write for kind, write in _WRITERS.items() if kind not in (RawJSON, dict, list,
                                                                          tuple)}  # fmt: skip
