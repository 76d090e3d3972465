"""``getblockstats`` (Bitcoin Core 0.17+; PAI Core 3.0.0 has none, so it answers -32601 there),
as src/rpc/blockchain.cpp getblockstats and ParseHashOrHeight @ v31.0 check their arguments."""

from __future__ import annotations

from typing import Any

from simnode.profiles import blockstats
from simnode.profiles.chainshapes import core_from, core_version
from simnode.profiles.history import v
from simnode.rpc.blockchain import hash_arg
from simnode.rpc.errors import RPCError, RPCErrorCode, misc_error
from simnode.rpc.methods import Methods, Reads, RPCContext
from simnode.rpc.params import get_int, get_str, univalue_type_name

BLOCKSTATS_METHODS = Methods("blockchain")


@BLOCKSTATS_METHODS.method(
    "getblockstats", ("hash_or_height", "stats"), 1, "getblockstats hash_or_height ( stats )",
    "\nCompute per block statistics for a given window. All amounts are in satoshis.\n"
    "It won't work for some heights with pruning.\n",
    ("1000 '[\"minfeerate\",\"avgfeerate\"]'",),
    arg_types=("integer", "array"), result_type="object", in_release=core_from("0.17"),
    reads=Reads.CHAIN, skip_type_check=("hash_or_height",),  # a hash or a height (25+, #26929)
)  # fmt: skip
def getblockstats(ctx: RPCContext, args: list[Any]) -> dict[str, Any]:
    chain = ctx.snapshot().chain
    target = args[0]
    if univalue_type_name(target) == "number":  # ParseHashOrHeight
        height = get_int(target)
        if height < 0:
            raise RPCError(RPCErrorCode.INVALID_PARAMETER,
                           f"Target block height {height} is negative")  # fmt: skip
        if height > chain.height:
            message = f"Target block height {height} after current tip {chain.height}"
            raise RPCError(RPCErrorCode.INVALID_PARAMETER, message)
        block = chain.block_at(height)
    else:
        found = chain.find(hash_arg(ctx, target, "hash_or_height"))
        if found is None:
            raise RPCError(RPCErrorCode.INVALID_ADDRESS_OR_KEY, "Block not found")
        block = found[0]
    selected: set[str] = set()
    if len(args) > 1 and args[1] is not None:
        if not isinstance(args[1], list):
            raise misc_error("JSON value is not an array as expected")
        selected = {get_str(stat) for stat in args[1]}
    if not block.have_data:
        raise misc_error("Block not found on disk")  # GetBlockChecked
    every = blockstats.getblockstats(
        chain, block, with_actual=(core_version(ctx.profile) or 0) >= v("25")
    )
    if not selected:
        return every
    answer = {}
    for stat in sorted(selected):  # a std::set: in name order
        if stat not in every:
            raise RPCError(RPCErrorCode.INVALID_PARAMETER, f"Invalid selected statistic '{stat}'")
        answer[stat] = every[stat]
    return answer
