"""Mining and fee RPCs (src/rpc/mining.cpp @ PAI 3.0.0) and the control RPCs monitors call
beside them (getmemoryinfo, src/rpc/misc.cpp; getrpcinfo, Bitcoin Core 0.18+)."""

from __future__ import annotations

from typing import Any

from simnode.profiles import chainviews
from simnode.profiles.chainshapes import core_from, core_version
from simnode.rpc.errors import RPCError, RPCErrorCode
from simnode.rpc.methods import Methods, Reads, RPCContext
from simnode.rpc.params import get_int, get_str, type_check_number

MINING_METHODS = Methods("mining")
MAX_CONF_TARGET = 1008  # HighestTargetTracked(FeeEstimateHorizon::LONG_HALFLIFE)
ESTIMATE_MODES = ("UNSET", "ECONOMICAL", "CONSERVATIVE")  # FeeModeFromString: exact case
ESTIMATEFEE_DEPRECATED = (
    "estimatefee is deprecated and will be fully removed in v0.17. To use estimatefee in v0.16, "
    "restart paicoind with -deprecatedrpc=estimatefee.\nProjects should transition to using "
    "estimatesmartfee before upgrading to v0.17"
)


@MINING_METHODS.method(
    "getmininginfo", (), 0, "getmininginfo",
    "\nReturns a json object containing mining-related information.",
    result_type="object",
    reads=Reads.CHAIN,
)  # fmt: skip
def getmininginfo(ctx: RPCContext, args: list[Any]) -> dict[str, Any]:
    return chainviews.getmininginfo(ctx.profile, ctx.snapshot())


@MINING_METHODS.method(
    "getnetworkhashps", ("nblocks", "height"), 0, "getnetworkhashps ( nblocks height )",
    "\nReturns the estimated network hashes per second based on the last n blocks.\n",
    arg_types=("integer", "integer"), result_type="number",
    reads=Reads.CHAIN,
)  # fmt: skip
def getnetworkhashps(ctx: RPCContext, args: list[Any]) -> float:
    lookup = get_int(args[0]) if args and args[0] is not None else 120
    height = get_int(args[1]) if len(args) > 1 and args[1] is not None else -1
    return chainviews.networkhashps(ctx.snapshot().chain, lookup, height)


@MINING_METHODS.method(
    "estimatesmartfee", ("conf_target", "estimate_mode"), 1,
    'estimatesmartfee conf_target ("estimate_mode")',
    "\nEstimates the approximate fee per kilobyte needed for a transaction to begin\n"
    "confirmation within conf_target blocks if possible and return the number of blocks\n"
    "for which the estimate is valid.\n",
    ("6",), arg_types=("integer", "string"), result_type="object", category="util",
    reads=Reads.CHAIN,
)  # fmt: skip
def estimatesmartfee(ctx: RPCContext, args: list[Any]) -> dict[str, Any]:
    """``RPCTypeCheck`` then ``ParseConfirmTarget`` (1..1008) and the mode's name."""
    type_check_number(args[0])
    target = get_int(args[0])
    if not 1 <= target <= MAX_CONF_TARGET:
        raise RPCError(RPCErrorCode.INVALID_PARAMETER,
                       f"Invalid conf_target, must be between 1 - {MAX_CONF_TARGET}")  # fmt: skip
    if len(args) > 1 and args[1] is not None and get_str(args[1]) not in ESTIMATE_MODES:
        raise RPCError(RPCErrorCode.INVALID_PARAMETER, "Invalid estimate_mode parameter")
    return chainviews.estimatesmartfee(ctx.snapshot(), target)


@MINING_METHODS.method(
    "estimatefee", ("nblocks",), 1, "estimatefee nblocks",
    "\nDEPRECATED. Please use estimatesmartfee for more intelligent estimates.\n"
    "Estimates the approximate fee per kilobyte needed for a transaction to begin\n"
    "confirmation within nblocks blocks.\n",
    ("6",), arg_types=("integer",), result_type="number", category="util",
    in_release=lambda profile: not core_from("0.16")(profile),
    reads=Reads.STATE,
)  # fmt: skip
def estimatefee(ctx: RPCContext, args: list[Any]) -> Any:
    """``estimatefee``: PAI Core 3.0.0 (like Bitcoin Core 0.16) refuses it unless started with
    -deprecatedrpc=estimatefee (-32, src/rpc/mining.cpp); 0.13 answers the estimate as a bare
    number, -1 without data."""
    if core_version(ctx.profile) is None:
        raise RPCError(RPCErrorCode.METHOD_DEPRECATED, ESTIMATEFEE_DEPRECATED)
    type_check_number(args[0])
    blocks = max(get_int(args[0]), 1)
    return chainviews.estimatesmartfee(ctx.snapshot(), blocks).get("feerate", -1)


@MINING_METHODS.method(
    "getmemoryinfo", ("mode",), 0, 'getmemoryinfo ("mode")',
    "Returns an object containing information about memory usage.\n",
    arg_types=("string",), result_type="object", category="control",
    in_release=core_from("0.14", pai=True),
    reads=Reads.STATE,
)  # fmt: skip
def getmemoryinfo(ctx: RPCContext, args: list[Any]) -> Any:
    mode = "stats" if not args or args[0] is None else get_str(args[0])
    if mode == "stats":
        return chainviews.getmemoryinfo()
    if mode == "mallocinfo":
        return '<malloc version="1">\n<heap nr="0">\n</heap>\n</malloc>\n'
    raise RPCError(RPCErrorCode.INVALID_PARAMETER, f"unknown mode {mode}")


@MINING_METHODS.method(
    "getrpcinfo", (), 0, "getrpcinfo",
    "\nReturns details of the RPC server.\n",
    result_type="object", category="control",
    in_release=core_from("0.18"),
)  # fmt: skip
def getrpcinfo(ctx: RPCContext, args: list[Any]) -> dict[str, Any]:
    """The call being answered is the one active command (src/rpc/server.cpp getrpcinfo)."""
    return {"active_commands": [{"method": "getrpcinfo", "duration": 0}],
            "logpath": "/root/.bitcoin/debug.log"}  # fmt: skip
