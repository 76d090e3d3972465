"""Reading RPC parameters the way the node's UniValue getters do, with the node's messages.

PAI and Bitcoin Core <= 0.21 throw ``std::runtime_error`` from ``get_str``/``get_int``/...,
which ``CRPCTable::execute`` turns into -1 (univalue/lib/univalue_get.cpp).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from simnode.profiles.jsontext import NumberText
from simnode.rpc.errors import RPCError, RPCErrorCode, misc_error

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def get_str(value: Any) -> str:
    if not isinstance(value, str):
        raise misc_error("JSON value is not a string as expected")
    return value


def univalue_type_name(value: Any) -> str:
    """``uvTypeName`` of a request value: null, bool, number, string, array or object."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if _is_number(value):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _is_number(value: Any) -> bool:
    """Request numbers arrive as int, or as NumberText when written with a fraction or
    exponent (or as -0); Python callers may pass floats and Decimals."""
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def get_int(value: Any) -> int:
    """``UniValue::get_int64``: ``ParseInt64`` of the number's text, so ``1.0`` and ``1e2`` are
    out of range although they equal integers."""
    if not _is_number(value):
        raise misc_error("JSON value is not an integer as expected")
    if isinstance(value, NumberText):
        integral = value.is_integer_literal
    else:
        integral = isinstance(value, int) or value == int(value)
    if not integral or not INT64_MIN <= value <= INT64_MAX:
        raise misc_error("JSON integer out of range")
    return int(value)


def get_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise misc_error("JSON value is not a boolean as expected")
    return value


def type_check_number(value: Any) -> None:
    """``RPCTypeCheck(params, {UniValue::VNUM})``: -3 with the node's wording."""
    if not _is_number(value):
        got = univalue_type_name(value)
        raise RPCError(RPCErrorCode.TYPE_ERROR, f"Expected type number, got {got}")


def is_true(value: Any) -> bool:
    """``UniValue::isTrue``: only the JSON literal true."""
    return value is True
