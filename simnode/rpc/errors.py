"""The node's RPC error codes (src/rpc/protocol.h @ PAI 3.0.0, same numbers as Bitcoin 0.15)."""

from __future__ import annotations

from enum import IntEnum


class RPCErrorCode(IntEnum):
    PARSE_ERROR = -32700
    INVALID_REQUEST = -32600
    METHOD_NOT_FOUND = -32601
    INVALID_PARAMS = -32602
    MISC_ERROR = -1
    TYPE_ERROR = -3
    INVALID_ADDRESS_OR_KEY = -5
    INVALID_PARAMETER = -8
    DESERIALIZATION_ERROR = -22
    CLIENT_NODE_ALREADY_ADDED = -23
    CLIENT_NODE_NOT_ADDED = -24
    IN_WARMUP = -28
    CLIENT_NODE_NOT_CONNECTED = -29
    CLIENT_INVALID_IP_OR_SUBNET = -30
    CLIENT_P2P_DISABLED = -31
    METHOD_DEPRECATED = -32


class RPCError(Exception):
    """``JSONRPCError(code, message)``: becomes the reply's ``error`` object."""

    def __init__(self, code: RPCErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def to_json(self) -> dict[str, object]:
        return {"code": int(self.code), "message": self.message}


def misc_error(message: str) -> RPCError:
    """What any ``std::runtime_error`` thrown by a handler becomes (CRPCTable::execute)."""
    return RPCError(RPCErrorCode.MISC_ERROR, message)
