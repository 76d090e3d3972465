"""JSON-RPC requests, replies and batches: the envelope rules, separate from what methods do.

The dialect object holds every rule that differs between protocol generations (PAI Core and
Bitcoin Core <= 27 speak "legacy"; Bitcoin Core 28+ adds JSON-RPC 2.0, reference section 4.4),
so a 2.0 dialect is one more class, not a rewrite.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from simnode.profiles.jsontext import NumberText, dumps, dumps_chunks, dumps_line
from simnode.rpc.errors import RPCError, RPCErrorCode, misc_error

_NO_ID = object()  # the request had no "id" key


@dataclass(frozen=True, slots=True)
class RPCReply:
    status: int
    # UTF-8 JSON, newline-terminated as the node writes it, in chunks to send in turn (a cached
    # getpeerinfo answer is one of them, uncopied); none for 204.
    chunks: list[bytes]

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)


class Dialect(Protocol):
    named_params: bool  # params may be an object (named parameters)

    def envelope(self, result: Any, error: RPCError | None, request_id: Any) -> dict[str, Any]: ...

    def members(self, result: Any, error: RPCError | None) -> dict[str, Any]: ...

    def answers_id(self, request_id: Any) -> bool: ...

    def status_for(self, error: RPCError | None) -> int: ...


@dataclass(frozen=True, slots=True)
class LegacyDialect:
    """PAI Core 3.0.0 (src/rpc/protocol.cpp JSONRPCReplyObj, src/httprpc.cpp JSONErrorReply):
    ``{"result","error","id"}`` always; HTTP 400 for -32600, 404 for -32601, 500 for other
    errors. A request without an id gets ``"id":null``, or, from Bitcoin Core 28 on
    (``omit_absent_id``), a reply without an id. Named parameters (an object) from Bitcoin
    Core 0.14 (#8811) and in PAI Core; before, ``named_params`` off, params must be an array
    (JSONRequest::parse, src/rpc/server.cpp @ v0.13.2)."""

    omit_absent_id: bool = False
    named_params: bool = True

    def envelope(self, result: Any, error: RPCError | None, request_id: Any) -> dict[str, Any]:
        return _with_id(self, self.members(result, error), request_id)

    def members(self, result: Any, error: RPCError | None) -> dict[str, Any]:
        """The envelope's members before its id (the id is always last)."""
        return {
            "result": None if error is not None else result,
            "error": None if error is None else error.to_json(),
        }

    def answers_id(self, request_id: Any) -> bool:
        return request_id is not _NO_ID or not self.omit_absent_id

    def status_for(self, error: RPCError | None) -> int:
        if error is None:
            return 200
        if error.code == RPCErrorCode.INVALID_REQUEST:
            return 400
        if error.code == RPCErrorCode.METHOD_NOT_FOUND:
            return 404
        return 500


@dataclass(frozen=True, slots=True)
class V2Dialect:
    """JSON-RPC 2.0 as Bitcoin Core 28+ speaks it (#27101, doc/JSON-RPC-interface.md): only one
    of ``result``/``error``, HTTP 200 even for errors (400 for an invalid request)."""

    named_params = True  # 2.0 came with them

    def envelope(self, result: Any, error: RPCError | None, request_id: Any) -> dict[str, Any]:
        return _with_id(self, self.members(result, error), request_id)

    def members(self, result: Any, error: RPCError | None) -> dict[str, Any]:
        """The envelope's members before its id (the id is always last)."""
        if error is None:
            return {"jsonrpc": "2.0", "result": result}
        return {"jsonrpc": "2.0", "error": error.to_json()}

    def answers_id(self, request_id: Any) -> bool:
        return request_id is not _NO_ID  # JSONRPCReplyObj (src/rpc/request.cpp @ v31.0 line 66)

    def status_for(self, error: RPCError | None) -> int:
        return 400 if error is not None and error.code == RPCErrorCode.INVALID_REQUEST else 200


def _id_or_null(request_id: Any) -> Any:
    """The id as a reply echoes it and the journal keeps it: null for a request without one."""
    return None if request_id is _NO_ID else request_id


def _with_id(dialect: Dialect, members: dict[str, Any], request_id: Any) -> dict[str, Any]:
    """The envelope: its members, then the id if the dialect answers with one."""
    if dialect.answers_id(request_id):
        members["id"] = _id_or_null(request_id)
    return members


LEGACY = LegacyDialect()
# What params must be, said when they are not: with named parameters, and before them (0.13).
_PARAMS_KIND = {True: "Params must be an array or object", False: "Params must be an array"}

# (method name, params) -> result; raises RPCError.
Executor = Callable[[str, list[Any] | dict[str, Any]], Any]
# Told of every call after it ran: (method, params, id, error or None).
Observer = Callable[[str, list[Any] | dict[str, Any], Any, RPCError | None], None]


def reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # UniValue rejects NaN and Infinity


def _first_key_wins(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """UniValue's find_value returns the first of duplicate keys; Python's json keeps the last."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        result.setdefault(key, value)
    return result


MAX_JSON_DEPTH = 512  # univalue/lib/univalue_read.cpp: deeper documents do not parse


def _deeper_than(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


def parse_body(body: bytes) -> Any:
    """The request body as JSON; RPCError -32700 "Parse error" if it is not."""
    try:
        value = _DECODER.decode(body.decode("utf-8"))
    except (ValueError, RecursionError):
        raise RPCError(RPCErrorCode.PARSE_ERROR, "Parse error") from None
    # Only a body with more brackets than the limit can nest deeper than it.
    if body.count(b"[") + body.count(b"{") > MAX_JSON_DEPTH and _deeper_than(value, MAX_JSON_DEPTH):
        raise RPCError(RPCErrorCode.PARSE_ERROR, "Parse error")
    return value


def _parse_int(text: str) -> int | NumberText:
    return NumberText(text) if text == "-0" else int(text)


_DECODER = json.JSONDecoder(
    parse_constant=reject_constant,
    object_pairs_hook=_first_key_wins,
    parse_float=NumberText,  # keeps "1.0" and "1e2" as written, so an id is echoed verbatim
    parse_int=_parse_int,
)


@dataclass(slots=True)
class _Request:
    """``JSONRPCRequest`` (src/rpc/request.h): what ``parse`` has read so far. An error raised
    part way is answered with the id and protocol read before it, so the object outlives a
    failed parse; Bitcoin Core 28+ even reuses it across a batch's members (src/httprpc.cpp
    HTTPReq_JSONRPC @ v31.0 lines 197-208: ``jreq`` is declared once per HTTP request)."""

    id: Any
    dialect: Dialect
    method: str = ""
    params: list[Any] | dict[str, Any] | None = None

    @property
    def notification(self) -> bool:
        """``IsNotification`` (src/rpc/request.h @ v31.0 line 66): a 2.0 request without an
        id: executed, never answered, even when it fails to parse."""
        return isinstance(self.dialect, V2Dialect) and self.id is _NO_ID


def run_call(
    execute: Executor, method: str, params: list[Any] | dict[str, Any]
) -> tuple[Any, RPCError | None]:
    """The result or the error of one call, as ``CRPCTable::execute`` reports it: a
    std::exception in a handler becomes -1 with e.what()."""
    try:
        return execute(method, params), None
    except RPCError as error:
        return None, error
    except Exception as exc:
        return None, misc_error(str(exc))


@dataclass(frozen=True, slots=True)
class PlannedCall:
    """One well-formed request of a body: what it calls, with what, and how it is answered."""

    method: str
    params: list[Any] | dict[str, Any]
    id: Any  # as sent (an absent id is ``_NO_ID``)
    dialect: Dialect
    # The end of this call's envelope: its id, if the dialect answers with one.
    id_tail: bytes = field(init=False)

    def __post_init__(self) -> None:
        tail = b',"id":' + dumps(self.journal_id).encode() + b"}"
        object.__setattr__(self, "id_tail", tail if self.dialect.answers_id(self.id) else b"}")

    @property
    def journal_id(self) -> Any:
        return _id_or_null(self.id)

    @property
    def shape(self) -> str:
        """What the answer depends on, as text: the method, the parameters as JSON (as sent:
        1, 1.0, 1e0, -0, true and "1" are six calls) and the protocol; not the id."""
        return repr((self.method, dumps(self.params), self.dialect))

    def open_envelope(self, result: Any, error: RPCError | None) -> list[bytes]:
        """The envelope's JSON up to its id: ``id_tail`` closes it."""
        chunks = dumps_chunks(self.dialect.members(result, error))
        assert chunks[-1].endswith(b"}")  # the members' closing brace: a small text chunk
        chunks[-1] = chunks[-1][:-1]
        return chunks


class JSONRPCProcessor:
    """Turns a request body into the reply the node would send.

    With ``v2`` (Bitcoin Core 28+), each request object picks its protocol: ``"jsonrpc": "2.0"``
    selects 2.0, none or ``"1.0"`` the legacy one, anything else is an invalid request. Without
    it (PAI Core), the ``jsonrpc`` key is ignored.
    """

    def __init__(
        self,
        legacy: LegacyDialect = LEGACY,
        v2: V2Dialect | None = None,
        max_batch_calls: int | None = None,
    ) -> None:
        self.legacy = legacy
        self.v2 = v2
        self.max_batch_calls = max_batch_calls  # the node has none; a server may set one

    def process(self, body: bytes, execute: Executor, observe: Observer | None = None) -> RPCReply:
        """The reply to ``body``; ``observe`` hears of every call that reached ``execute``."""
        try:
            payload = parse_body(body)
        except RPCError as error:
            return self._reply(error)
        return self.process_payload(payload, execute, observe)

    def process_payload(
        self, payload: Any, execute: Executor, observe: Observer | None = None
    ) -> RPCReply:
        """The reply to a body already parsed (``parse_body``)."""
        if isinstance(payload, list):
            if self.max_batch_calls is not None and len(payload) > self.max_batch_calls:
                return self._reply(RPCError(RPCErrorCode.INVALID_REQUEST,
                                            f"Batch of {len(payload)} calls is over the limit of "
                                            f"{self.max_batch_calls}; split it"))  # fmt: skip
            # JSONRPCExecBatch: always 200, every member answered in order (2.0 notifications
            # are not answered; a batch of nothing but them gets 204).
            # Before 28 each member got a fresh request object (JSONRPCExecOne); from 28 one is
            # reused, so a member that is no object is answered with the previous one's id and
            # protocol (src/httprpc.cpp @ v31.0 lines 197-208).
            shared = self._fresh()
            answers = [
                self._call(member, execute, observe, shared if self.v2 else self._fresh(), True)
                for member in payload
            ]
            replies = [envelope for envelope, _, _ in answers if envelope is not None]
            if payload and not replies:
                return RPCReply(204, [])
            return RPCReply(200, dumps_line(replies))
        if not isinstance(payload, dict):
            return self._reply(RPCError(RPCErrorCode.PARSE_ERROR, "Top-level object parse error"))
        envelope, error, dialect = self._call(payload, execute, observe, self._fresh())
        if envelope is None:
            return RPCReply(204, [])
        return RPCReply(dialect.status_for(error), dumps_line(envelope))

    def _parse_request(self, obj: Any, request: _Request) -> None:
        """``JSONRPCRequest::parse`` (src/rpc/request.cpp @ v31.0 lines 198-253) into
        ``request``: id first (so errors echo it), the protocol, then method and params. Raises
        RPCError; ``request`` then holds what was read before the error."""
        if not isinstance(obj, dict):
            raise RPCError(RPCErrorCode.INVALID_REQUEST, "Invalid Request object")
        request.id = obj.get("id", _NO_ID)
        request.dialect = self.legacy
        if self.v2 is not None and "jsonrpc" in obj:
            version = obj["jsonrpc"]
            if not isinstance(version, str):
                raise RPCError(RPCErrorCode.INVALID_REQUEST, "jsonrpc field must be a string")
            if version == "2.0":
                request.dialect = self.v2
            elif version != "1.0":
                raise RPCError(RPCErrorCode.INVALID_REQUEST, "JSON-RPC version not supported")
        method = obj.get("method")
        if method is None:
            raise RPCError(RPCErrorCode.INVALID_REQUEST, "Missing method")
        if not isinstance(method, str):
            raise RPCError(RPCErrorCode.INVALID_REQUEST, "Method must be a string")
        params = obj.get("params")
        if params is None:
            params = []
        elif not isinstance(params, list | dict):
            raise RPCError(RPCErrorCode.INVALID_REQUEST, _PARAMS_KIND[request.dialect.named_params])
        elif isinstance(params, dict) and not request.dialect.named_params:
            raise RPCError(RPCErrorCode.INVALID_REQUEST, _PARAMS_KIND[False])
        request.method, request.params = method, params

    def _fresh(self) -> _Request:
        """A request object before parsing: ``"id": null``, the legacy protocol."""
        return _Request(None, self.legacy)

    def _call(
        self,
        obj: Any,
        execute: Executor,
        observe: Observer | None,
        request: _Request,
        in_batch: bool = False,
    ) -> tuple[dict[str, Any] | None, RPCError | None, Dialect]:
        """The envelope (None for a notification), the error if any, and the dialect. A lone
        request that fails to parse is answered even if it is a notification (JSONErrorReply);
        a batch member is not (src/httprpc.cpp @ v31.0 lines 202-207)."""
        try:
            self._parse_request(obj, request)
        except RPCError as error:
            if in_batch and request.notification:
                return None, error, request.dialect
            return request.dialect.envelope(None, error, request.id), error, request.dialect
        assert request.params is not None
        result, error = run_call(execute, request.method, request.params)
        if observe is not None:
            observe(request.method, request.params, _id_or_null(request.id), error)
        if request.notification:
            return None, error, request.dialect
        return request.dialect.envelope(result, error, request.id), error, request.dialect

    def planned_calls(self, payload: Any) -> list[PlannedCall] | None:
        """The calls of a parsed body whose every member is a well-formed request expecting an
        answer (what a monitor sends again and again): what a reply plan starts from. None for
        anything else (a notification, a batch over the limit): ``process_payload`` answers
        those."""
        members = payload if isinstance(payload, list) else [payload]
        if not members or (
            self.max_batch_calls is not None and len(members) > self.max_batch_calls
        ):
            return None
        calls = []
        for member in members:
            request = self._fresh()
            try:
                self._parse_request(member, request)
            except RPCError:
                return None
            if request.notification:
                return None
            assert request.params is not None
            calls.append(PlannedCall(request.method, request.params, request.id, request.dialect))
        return calls

    def _reply(self, error: RPCError) -> RPCReply:
        """A reply to a body that holds no request: the legacy envelope with ``"id": null``."""
        envelope = self.legacy.envelope(None, error, None)
        return RPCReply(self.legacy.status_for(error), dumps_line(envelope))
