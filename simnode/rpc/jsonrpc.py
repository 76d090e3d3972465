"""JSON-RPC requests, replies and batches: the envelope rules, separate from what methods do.

The dialect object holds every rule that differs between protocol generations (PAI Core and
Bitcoin Core <= 27 speak "legacy"; Bitcoin Core 28+ adds JSON-RPC 2.0, reference section 4.4),
so a 2.0 dialect is one more class, not a rewrite.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from simnode.jsontext import dumps
from simnode.rpc.errors import RPCError, RPCErrorCode, misc_error

_NO_ID = object()  # the request had no "id" key


@dataclass(frozen=True, slots=True)
class RPCReply:
    status: int
    body: str  # JSON text, newline-terminated as the node writes it


class Dialect(Protocol):
    def envelope(self, result: Any, error: RPCError | None, request_id: Any) -> dict[str, Any]: ...

    def status_for(self, error: RPCError | None) -> int: ...


class LegacyDialect:
    """PAI Core 3.0.0 (src/rpc/protocol.cpp JSONRPCReplyObj, src/httprpc.cpp JSONErrorReply):
    ``{"result","error","id"}`` always, ``id`` null when absent, ``jsonrpc`` ignored."""

    def envelope(self, result: Any, error: RPCError | None, request_id: Any) -> dict[str, Any]:
        return {
            "result": None if error is not None else result,
            "error": None if error is None else error.to_json(),
            "id": None if request_id is _NO_ID else request_id,
        }

    def status_for(self, error: RPCError | None) -> int:
        if error is None:
            return 200
        if error.code == RPCErrorCode.INVALID_REQUEST:
            return 400
        if error.code == RPCErrorCode.METHOD_NOT_FOUND:
            return 404
        return 500


LEGACY = LegacyDialect()

# (method name, params) -> result; raises RPCError.
Executor = Callable[[str, list[Any] | dict[str, Any]], Any]
# Told of every call after it ran: (method, params, id, error or None).
Observer = Callable[[str, list[Any] | dict[str, Any], Any, RPCError | None], None]


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # UniValue rejects NaN and Infinity


def _first_key_wins(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """UniValue's find_value returns the first of duplicate keys; Python's json keeps the last."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        result.setdefault(key, value)
    return result


def parse_body(body: bytes) -> Any:
    """The request body as JSON; RPCError -32700 "Parse error" if it is not."""
    try:
        return json.loads(
            body.decode("utf-8"),
            parse_constant=_reject_constant,
            object_pairs_hook=_first_key_wins,
            parse_float=Decimal,  # keeps "1.0" as written, so an id is echoed verbatim
        )
    except (ValueError, RecursionError):
        raise RPCError(RPCErrorCode.PARSE_ERROR, "Parse error") from None


@dataclass(slots=True)
class _Request:
    id: Any
    method: str
    params: list[Any] | dict[str, Any]


def _parse_request(obj: Any) -> _Request:
    """``JSONRPCRequest::parse``: id first (so errors echo it), then method, then params."""
    if not isinstance(obj, dict):
        raise RPCError(RPCErrorCode.INVALID_REQUEST, "Invalid Request object")
    request = _Request(obj.get("id", _NO_ID), "", [])
    method = obj.get("method")
    if method is None:
        raise _WithId(RPCError(RPCErrorCode.INVALID_REQUEST, "Missing method"), request.id)
    if not isinstance(method, str):
        raise _WithId(RPCError(RPCErrorCode.INVALID_REQUEST, "Method must be a string"), request.id)
    request.method = method
    params = obj.get("params")
    if params is None:
        params = []
    elif not isinstance(params, list | dict):
        error = RPCError(RPCErrorCode.INVALID_REQUEST, "Params must be an array or object")
        raise _WithId(error, request.id)
    request.params = params
    return request


class _WithId(Exception):
    """An RPCError raised after the request's id was read, so the reply can echo it."""

    def __init__(self, error: RPCError, request_id: Any) -> None:
        super().__init__(error.message)
        self.error = error
        self.request_id = request_id


class JSONRPCProcessor:
    """Turns a request body into the reply the node would send."""

    def __init__(self, dialect: Dialect = LEGACY) -> None:
        self.dialect = dialect

    def process(self, body: bytes, execute: Executor, observe: Observer | None = None) -> RPCReply:
        """The reply to ``body``; ``observe`` hears of every call that reached ``execute``."""
        try:
            payload = parse_body(body)
        except RPCError as error:
            return self._reply(None, error, _NO_ID)
        if isinstance(payload, list):
            # JSONRPCExecBatch: always 200, every member answered in order.
            replies = [self._call(member, execute, observe)[0] for member in payload]
            return RPCReply(200, dumps(replies) + "\n")
        if not isinstance(payload, dict):
            error = RPCError(RPCErrorCode.PARSE_ERROR, "Top-level object parse error")
            return self._reply(None, error, _NO_ID)
        envelope, error = self._call(payload, execute, observe)
        return RPCReply(self.dialect.status_for(error), dumps(envelope) + "\n")

    def _call(
        self, obj: Any, execute: Executor, observe: Observer | None
    ) -> tuple[dict[str, Any], RPCError | None]:
        try:
            request = _parse_request(obj)
        except _WithId as wrapped:
            return self.dialect.envelope(None, wrapped.error, wrapped.request_id), wrapped.error
        except RPCError as error:
            return self.dialect.envelope(None, error, _NO_ID), error
        error: RPCError | None = None
        result = None
        try:
            result = execute(request.method, request.params)
        except RPCError as raised:
            error = raised
        except Exception as exc:  # std::exception in a handler becomes -1 with e.what()
            error = misc_error(str(exc))
        if observe is not None:
            request_id = None if request.id is _NO_ID else request.id
            observe(request.method, request.params, request_id, error)
        return self.dialect.envelope(result, error, request.id), error

    def _reply(self, result: Any, error: RPCError | None, request_id: Any) -> RPCReply:
        envelope = self.dialect.envelope(result, error, request_id)
        return RPCReply(self.dialect.status_for(error), dumps(envelope) + "\n")
