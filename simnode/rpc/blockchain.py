"""Handlers of the chain and mempool RPCs (src/rpc/blockchain.cpp @ PAI 3.0.0), reading the
node's snapshot; answers are rendered by ``profiles.chainviews``."""

from __future__ import annotations

import re
from typing import Any

from simnode.model.chain import Block, Branch, Chain
from simnode.model.chainparams import difficulty_of
from simnode.model.mempool import MempoolTx
from simnode.model.state import NodeSnapshot
from simnode.profiles import chainviews, softforks
from simnode.profiles.chainshapes import core_from, core_version
from simnode.profiles.rawblock import raw_block
from simnode.rpc.errors import RPCError, RPCErrorCode
from simnode.rpc.methods import Methods, Reads, RPCContext
from simnode.rpc.params import get_bool, get_int, get_str, univalue_type_name

BLOCKCHAIN_METHODS = Methods("blockchain")
_HEX = re.compile(r"[0-9a-fA-F]*")


# Bitcoin Core 0.16+ (what simnode's "v28" shapes once covered): argument names and checks
# as ParseHashV has them there, and no gettxoutsetinfo (its later shapes are not modelled).
_modern = core_from("0.16")


def _parse_hash_v(value: Any, name: str) -> str:
    """``ParseHashV`` as PAI Core 3.0.0 (a 0.15 fork) has it: hex digits first, then the
    length, both -8, without the value in the length message."""
    text = value if isinstance(value, str) else ""
    if not text or len(text) % 2 or not _HEX.fullmatch(text):  # IsHex("") is false
        raise RPCError(RPCErrorCode.INVALID_PARAMETER,
                       f"{name} must be hexadecimal string (not '{text}')")  # fmt: skip
    if len(text) != 64:
        raise RPCError(RPCErrorCode.INVALID_PARAMETER,
                       f"{name} must be of length 64 (not {len(text)})")  # fmt: skip
    return text.lower()


def hash_arg(ctx: RPCContext, value: Any, name: str) -> str:
    """PAI reads a block hash with ``uint256S`` (no check: a bad one is simply not found);
    Bitcoin Core (``ParseHashV``, v28) refuses a wrong length, then non-hex digits, with -8."""
    text = get_str(value)
    if core_version(ctx.profile) is None:
        return text.lower()
    if len(text) != 64:
        raise RPCError(RPCErrorCode.INVALID_PARAMETER,
                       f"{name} must be of length 64 (not {len(text)}, for '{text}')")  # fmt: skip
    if not _HEX.fullmatch(text):
        raise RPCError(RPCErrorCode.INVALID_PARAMETER,
                       f"{name} must be hexadecimal string (not '{text}')")  # fmt: skip
    return text.lower()


def _block(
    ctx: RPCContext, value: Any, name: str = "blockhash"
) -> tuple[Chain, Block, Branch | None]:
    chain = ctx.snapshot().chain
    found = chain.find(hash_arg(ctx, value, name))
    if found is None:
        raise RPCError(RPCErrorCode.INVALID_ADDRESS_OR_KEY, "Block not found")
    return chain, *found


def _mempool_tx(ctx: RPCContext, value: Any) -> tuple[NodeSnapshot, MempoolTx]:
    snapshot = ctx.snapshot()
    if _modern(ctx.profile):
        txid = hash_arg(ctx, value, "txid")
    else:  # getmempoolentry etc. @ PAI 3.0.0: ParseHashV(request.params[0], "parameter 1")
        txid = _parse_hash_v(value, "parameter 1")
    tx = snapshot.mempool.get(txid)
    if tx is None:
        raise RPCError(RPCErrorCode.INVALID_ADDRESS_OR_KEY, "Transaction not in mempool")
    return snapshot, tx


def _verbose(args: list[Any], index: int, default: bool = False) -> bool:
    return default if len(args) <= index or args[index] is None else get_bool(args[index])


# ------------------------------------------------------------------------------ the chain
@BLOCKCHAIN_METHODS.method(
    "getblockchaininfo", (), 0, "getblockchaininfo",
    "Returns an object containing various state info regarding blockchain processing.\n",
    result_type="object",
    reads=Reads.CHAIN,
)  # fmt: skip
def getblockchaininfo(ctx: RPCContext, args: list[Any]) -> dict[str, Any]:
    return chainviews.getblockchaininfo(ctx.profile, ctx.snapshot())


@BLOCKCHAIN_METHODS.method(
    "getblockcount", (), 0, "getblockcount",
    "\nReturns the number of blocks in the longest blockchain.\n\nResult:\n"
    "n    (numeric) The current block count\n",
    result_type="integer",
    reads=Reads.STATE,
)  # fmt: skip
def getblockcount(ctx: RPCContext, args: list[Any]) -> int:
    return ctx.snapshot().chain.height


@BLOCKCHAIN_METHODS.method(
    "getbestblockhash", (), 0, "getbestblockhash",
    "\nReturns the hash of the best (tip) block in the longest blockchain.\n\nResult:\n"
    '"hex"      (string) the block hash hex encoded\n',
    result_type="string",
    reads=Reads.STATE,
)  # fmt: skip
def getbestblockhash(ctx: RPCContext, args: list[Any]) -> str:
    return ctx.snapshot().chain.tip.hash


@BLOCKCHAIN_METHODS.method(
    "getbestblock", (), 0, "getbestblock",
    "\nReturns the hash and height of the best (tip) block (PAI Core).\n",
    result_type="object", in_release=lambda profile: core_version(profile) is None,
    reads=Reads.STATE,
)  # fmt: skip
def getbestblock(ctx: RPCContext, args: list[Any]) -> dict[str, Any]:
    tip = ctx.snapshot().chain.tip
    return {"hash": tip.hash, "height": tip.height}


@BLOCKCHAIN_METHODS.method(
    "getblockhash", ("height",), 1, "getblockhash height",
    "\nReturns hash of block in best-block-chain at height provided.\n\nArguments:\n"
    "1. height         (numeric, required) The height index\n",
    ("1000",), arg_types=("integer",), result_type="string",
    reads=Reads.STATE,
)  # fmt: skip
def getblockhash(ctx: RPCContext, args: list[Any]) -> str:
    height = get_int(args[0])
    chain = ctx.snapshot().chain
    if not 0 <= height <= chain.height:
        raise RPCError(RPCErrorCode.INVALID_PARAMETER, "Block height out of range")
    return chain.block_at(height).hash


@BLOCKCHAIN_METHODS.method(
    "getblockheader", ("blockhash", "verbose"), 1, 'getblockheader "hash" ( verbose )',
    "\nIf verbose is false, returns a string that is serialized, hex-encoded data for "
    "blockheader 'hash'.\nIf verbose is true, returns an Object with information about "
    "blockheader <hash>.\n",
    ('"00000000c937983704a73af28acdec37b049d214adbda81d7e2a3dd146f6ed09"',),
    arg_types=("string", "boolean"), result_type="object",
    reads=Reads.CHAIN,
)  # fmt: skip
def getblockheader(ctx: RPCContext, args: list[Any]) -> Any:
    verbose = _verbose(args, 1, default=True)
    chain, block, branch = _block(ctx, args[0], "hash" if _modern(ctx.profile) else "blockhash")
    if not verbose:
        return chainviews.block_hex(block)
    return chainviews.header_json(ctx.profile, chain, block, branch)


@BLOCKCHAIN_METHODS.method(
    "getblock", ("blockhash", "verbosity"), 1, 'getblock "blockhash" ( verbosity )',
    "\nIf verbosity is 0, returns a string that is serialized, hex-encoded data for block "
    "'hash'.\nIf verbosity is 1, returns an Object with information about block <hash>.\n"
    "If verbosity is 2, returns an Object with information about block <hash> and information "
    "about each transaction.\n",
    ('"00000000c937983704a73af28acdec37b049d214adbda81d7e2a3dd146f6ed09"',),
    arg_types=("string", "integer"), result_type="object",
    reads=Reads.CHAIN, skip_type_check=("verbosity",),  # src/rpc/blockchain.cpp getblock @ v31.0
    # argNames: {"blockhash","verbosity|verbose"} in PAI 3.0.0 (src/rpc/blockchain.cpp
    # vRPCCommands) and Bitcoin Core from 0.15 (RPCHelpMan keeps it); "verbose" before.
    named=lambda profile: ("blockhash", "verbosity|verbose" if core_from("0.15", pai=True)(profile)
                           else "verbose"),
)  # fmt: skip
def getblock(ctx: RPCContext, args: list[Any]) -> Any:
    """getblock @ PAI 3.0.0: verbosity a number, or the older boolean ``verbose``."""
    verbosity = 1
    if len(args) > 1 and args[1] is not None:
        if isinstance(args[1], bool):
            verbosity = int(args[1])
        elif univalue_type_name(args[1]) == "number":
            verbosity = get_int(args[1])
        else:
            get_bool(args[1])  # the node's "JSON value is not a boolean as expected"
    chain, block, branch = _block(ctx, args[0])
    if not block.have_data:
        raise RPCError(RPCErrorCode.MISC_ERROR, "Block not found on disk")
    if verbosity <= 0:
        return raw_block(block, chain.transactions(block)).hex()
    return chainviews.block_json(ctx.profile, chain, block, branch, details=verbosity >= 2,
                                 prevouts=verbosity >= 3)  # fmt: skip


@BLOCKCHAIN_METHODS.method(
    "getchaintips", (), 0, "getchaintips",
    "Return information about all known tips in the block tree, including the main chain as "
    "well as orphaned branches.\n",
    result_type="array",
    reads=Reads.CHAIN,
)  # fmt: skip
def getchaintips(ctx: RPCContext, args: list[Any]) -> list[dict[str, Any]]:
    return chainviews.getchaintips(ctx.snapshot())


@BLOCKCHAIN_METHODS.method(
    "getchaintxstats", ("nblocks", "blockhash"), 0, 'getchaintxstats ( nblocks "blockhash" )',
    "\nCompute statistics about the total number and rate of transactions in the chain.\n",
    ("", "2016"), arg_types=("integer", "string"), result_type="object",
    reads=Reads.CHAIN, in_release=core_from("0.15", pai=True),
)  # fmt: skip
def getchaintxstats(ctx: RPCContext, args: list[Any]) -> dict[str, Any]:
    chain = ctx.snapshot().chain
    block = chain.tip
    if len(args) > 1 and args[1] is not None:
        chain, block, branch = _block(ctx, args[1])
        if branch is not None or not chain.is_active(block):
            raise RPCError(RPCErrorCode.INVALID_PARAMETER, "Block is not in main chain")
    count = None
    if args and args[0] is not None:
        count = get_int(args[0])
        if count < 0 or (count > 0 and count >= block.height):
            message = "Invalid block count: should be between 0 and the block's height - 1"
            raise RPCError(RPCErrorCode.INVALID_PARAMETER, message)
    return chainviews.getchaintxstats(ctx.profile, chain, count, block)


@BLOCKCHAIN_METHODS.method(
    "getdifficulty", (), 0, "getdifficulty",
    "\nReturns the proof-of-work difficulty as a multiple of the minimum difficulty.\n",
    result_type="number",
    reads=Reads.STATE,
)  # fmt: skip
def getdifficulty(ctx: RPCContext, args: list[Any]) -> float:
    return difficulty_of(ctx.snapshot().chain.tip.bits)


@BLOCKCHAIN_METHODS.method(
    "gettxoutsetinfo", (), 0, "gettxoutsetinfo",
    "\nReturns statistics about the unspent transaction output set.\n",
    result_type="object", in_release=lambda profile: not _modern(profile),
    reads=Reads.CHAIN,
)  # fmt: skip
def gettxoutsetinfo(ctx: RPCContext, args: list[Any]) -> dict[str, Any]:
    return chainviews.gettxoutsetinfo(ctx.snapshot().chain)


@BLOCKCHAIN_METHODS.method(
    "getindexinfo", ("index_name",), 0, 'getindexinfo ( "index_name" )',
    "\nReturns the status of one or all available indices currently running in the node.\n",
    arg_types=("string",), result_type="object", in_release=core_from("0.21"),
    reads=Reads.STATE,
)  # fmt: skip
def getindexinfo(ctx: RPCContext, args: list[Any]) -> dict[str, Any]:
    return {}  # a node started without -txindex, -blockfilterindex or -coinstatsindex


@BLOCKCHAIN_METHODS.method(
    "getdeploymentinfo", ("blockhash",), 0, 'getdeploymentinfo ( "blockhash" )',
    "\nReturns an object containing various state info regarding deployments of consensus "
    "changes.\n",
    arg_types=("string",), result_type="object", in_release=core_from("23"),
    reads=Reads.CHAIN,
)  # fmt: skip
def getdeploymentinfo(ctx: RPCContext, args: list[Any]) -> dict[str, Any]:
    return softforks.getdeploymentinfo(ctx.snapshot().chain)


# ------------------------------------------------------------------------------ mempool
@BLOCKCHAIN_METHODS.method(
    "getmempoolinfo", (), 0, "getmempoolinfo",
    "\nReturns details on the active state of the TX memory pool.\n",
    result_type="object",
    reads=Reads.CHAIN,
)  # fmt: skip
def getmempoolinfo(ctx: RPCContext, args: list[Any]) -> dict[str, Any]:
    return chainviews.getmempoolinfo(ctx.profile, ctx.snapshot())


@BLOCKCHAIN_METHODS.method(
    "getrawmempool", ("verbose",), 0, "getrawmempool ( verbose )",
    "\nReturns all transaction ids in memory pool as a json array of string transaction ids.\n",
    ("true",), arg_types=("boolean",), result_type="array",
    reads=Reads.CHAIN,
)  # fmt: skip
def getrawmempool(ctx: RPCContext, args: list[Any]) -> Any:
    snapshot = ctx.snapshot()
    if not _verbose(args, 0):
        return [tx.txid for tx in snapshot.mempool.entries]
    return {tx.txid: chainviews.mempool_entry_json(ctx.profile, snapshot, tx)
            for tx in snapshot.mempool.entries}  # fmt: skip


@BLOCKCHAIN_METHODS.method(
    "getmempoolentry", ("txid",), 1, 'getmempoolentry "txid"',
    "\nReturns mempool data for given transaction\n",
    arg_types=("string",), result_type="object",
    reads=Reads.CHAIN,
)  # fmt: skip
def getmempoolentry(ctx: RPCContext, args: list[Any]) -> dict[str, Any]:
    snapshot, tx = _mempool_tx(ctx, args[0])
    return chainviews.mempool_entry_json(ctx.profile, snapshot, tx)


def _relatives(ctx: RPCContext, args: list[Any], descendants: bool) -> Any:
    snapshot, tx = _mempool_tx(ctx, args[0])
    mempool = snapshot.mempool
    relatives = mempool.descendants(tx.txid) if descendants else mempool.ancestors(tx.txid)
    if not _verbose(args, 1):
        return [relative.txid for relative in relatives]
    return {relative.txid: chainviews.mempool_entry_json(ctx.profile, snapshot, relative)
            for relative in relatives}  # fmt: skip


@BLOCKCHAIN_METHODS.method(
    "getmempoolancestors", ("txid", "verbose"), 1, "getmempoolancestors txid (verbose)",
    "\nIf txid is in the mempool, returns all in-mempool ancestors.\n",
    arg_types=("string", "boolean"), result_type="array",
    reads=Reads.CHAIN,
)  # fmt: skip
def getmempoolancestors(ctx: RPCContext, args: list[Any]) -> Any:
    return _relatives(ctx, args, descendants=False)


@BLOCKCHAIN_METHODS.method(
    "getmempooldescendants", ("txid", "verbose"), 1, "getmempooldescendants txid (verbose)",
    "\nIf txid is in the mempool, returns all in-mempool descendants.\n",
    arg_types=("string", "boolean"), result_type="array",
    reads=Reads.CHAIN,
)  # fmt: skip
def getmempooldescendants(ctx: RPCContext, args: list[Any]) -> Any:
    return _relatives(ctx, args, descendants=True)
