"""``getrawtransaction``, ``decoderawtransaction`` (src/rpc/rawtransaction.cpp) and ``gettxout``
(src/rpc/blockchain.cpp), each release's checks and messages, on a node without -txindex: a
confirmed transaction is found through the block given, or (up to 0.17, and PAI Core) through
the UTXO set while one of its outputs is unspent (GetTransaction's fAllowSlow)."""

from __future__ import annotations

import re
from typing import Any

from simnode.model.chain import Block
from simnode.model.state import NodeSnapshot
from simnode.model.transactions import DecodeError, Transaction, decode_transaction
from simnode.profiles.chainshapes import core_from, core_version
from simnode.profiles.history import v
from simnode.profiles.txviews import (
    block_context,
    stake_shown,
    transaction_json,
    txout_json,
)
from simnode.rpc.errors import RPCError, RPCErrorCode, misc_error
from simnode.rpc.methods import Methods, Reads, RPCContext
from simnode.rpc.params import get_int, univalue_type_name

RAWTRANSACTION_METHODS = Methods("rawtransactions")
_HEX = re.compile(r"(?:[0-9a-fA-F]{2})+")  # IsHex: non-empty, an even count of hex digits
_SUFFIX = ". Use gettransaction for wallet transactions."


_GETTER_MESSAGES = {"string": "JSON value is not a string as expected",
                    "bool": "JSON value is not a boolean as expected",
                    "number": "JSON value is not an integer as expected"}  # fmt: skip


def _checked(ctx: RPCContext, value: Any, expected: str) -> Any:
    """``value`` if UniValue's getter takes it: before 24 the getters' own messages (-1); from
    24 checkType's (src/univalue/lib/univalue.cpp @ 9f650062fc43), a type_error that 25 answers
    with -3 (CRPCTable::execute, src/rpc/server.cpp @ 6db0a3002bf5)."""
    got = univalue_type_name(value)
    if got == expected:
        return value
    version = core_version(ctx.profile)
    if version is None or version < v("24"):
        raise misc_error(_GETTER_MESSAGES[expected])
    code = RPCErrorCode.TYPE_ERROR if version >= v("25") else RPCErrorCode.MISC_ERROR
    raise RPCError(code, f"JSON value of type {got} is not of expected type {expected}")


def parse_hash_v(ctx: RPCContext, value: Any, name: str) -> str:
    """``ParseHashV`` (src/rpc/server.cpp, src/rpc/util.cpp from 0.19) as each release has it:
    0.13 checks only for hex (uint256::SetHex keeps the last 64 digits); 0.15, 0.17 and PAI Core
    hex first, then the length; from 0.19 the length first, naming the value, and a non-string
    is get_str's error."""
    version = core_version(ctx.profile)
    modern = version is not None and version >= v("0.19")
    text = _checked(ctx, value, "string") if modern else (value if isinstance(value, str) else "")
    if modern and len(text) != 64:
        raise RPCError(RPCErrorCode.INVALID_PARAMETER,
                       f"{name} must be of length 64 (not {len(text)}, for '{text}')")  # fmt: skip
    if not _HEX.fullmatch(text):
        raise RPCError(RPCErrorCode.INVALID_PARAMETER,
                       f"{name} must be hexadecimal string (not '{text}')")  # fmt: skip
    if (version is None or version >= v("0.14")) and len(text) != 64:
        raise RPCError(RPCErrorCode.INVALID_PARAMETER,
                       f"{name} must be of length 64 (not {len(text)})")  # fmt: skip
    return text[-64:].rjust(64, "0").lower()


def _too_many(ctx: RPCContext, name: str, args: list[Any], most: int) -> None:
    """Releases whose handler takes fewer arguments than the newest throw the help text."""
    if len(args) > most:
        raise misc_error(ctx.table.methods[name].help(ctx.profile))


def _verbosity(ctx: RPCContext, args: list[Any]) -> int:
    """The verbose argument: 0.13 an integer, even when null (get_int); 0.15 and PAI a number
    or a boolean, else -3; 0.17-24 a number, else get_bool; from 25 a boolean or getInt
    (ParseVerbosity in 29+: a boolean counts as 0 or 1)."""
    version = core_version(ctx.profile)
    if version is not None and version < v("0.14"):
        return int(len(args) > 1 and get_int(_checked(ctx, args[1], "number")) != 0)
    value = args[1] if len(args) > 1 else None
    if value is None:
        return 0
    if univalue_type_name(value) == "number":
        number = get_int(value)
        return number if version is not None and version >= v("25") else int(number != 0)
    if version is None or version < v("0.17"):
        if isinstance(value, bool):
            return int(value)
        raise RPCError(RPCErrorCode.TYPE_ERROR,
                       "Invalid type provided. Verbose parameter must be a boolean.")  # fmt: skip
    if version >= v("25") and not isinstance(value, bool):
        _checked(ctx, value, "number")  # getInt<int>
    return int(_checked(ctx, value, "bool"))


def _no_such(ctx: RPCContext) -> RPCError:
    """What GetTransaction's failure becomes, without -txindex."""
    version = core_version(ctx.profile)
    if version is not None and version < v("0.14"):
        return RPCError(RPCErrorCode.INVALID_ADDRESS_OR_KEY,
                        "No information available about transaction")  # fmt: skip
    hint = "-txindex" if version is None or version < v("0.19") else (
        "-txindex or provide a block hash"
    )  # fmt: skip
    message = f"No such mempool transaction. Use {hint} to enable blockchain transaction queries"
    return RPCError(RPCErrorCode.INVALID_ADDRESS_OR_KEY, message + _SUFFIX)


def _slow_lookup(ctx: RPCContext) -> bool:
    """GetTransaction's fAllowSlow (the coin database) up to 0.17 and in PAI Core 3.0.0."""
    version = core_version(ctx.profile)
    return version is None or version < v("0.19")


def unspent_outputs(snapshot: NodeSnapshot, tx: Transaction, block: Block | None,
                    include_mempool: bool) -> list[int]:  # fmt: skip
    """The outputs of ``tx`` (confirmed in ``block``, None: in the mempool) in the UTXO set,
    seen through the mempool (CCoinsViewMemPool and its spends) when ``include_mempool``. The
    genesis coinbase is never in it (ConnectBlock skips the genesis block)."""
    if (block is None and not include_mempool) or (block is not None and block.height == 0):
        return []
    chain = snapshot.chain
    # Derived transactions spend coins from before simnode's history: only the transactions of
    # blocks that arrived (on the active chain) spend outputs simnode knows.
    spent = {(txin.prev_txid, txin.prev_vout) for block in chain.arrived
             if block.height <= chain.height for tx in block.transactions[1:]
             for txin in tx.inputs}  # fmt: skip
    if include_mempool:
        spent.update((txin.prev_txid, txin.prev_vout) for entry in snapshot.mempool.entries
                     for txin in entry.body.inputs)  # fmt: skip
    return [index for index in range(len(tx.outputs)) if (tx.txid, index) not in spent]


def _find(snapshot: NodeSnapshot, txid: str) -> tuple[Transaction, Block | None] | None:
    """A transaction by id: in the mempool (no block), or confirmed on the active chain."""
    pooled = snapshot.mempool.get(txid)
    if pooled is not None:
        return pooled.body, None
    located = snapshot.chain.locate(txid)
    if located is None:
        return None
    block, index = located
    return snapshot.chain.transactions(block)[index], block


@RAWTRANSACTION_METHODS.method(
    "getrawtransaction", ("txid", "verbose", "blockhash"), 1,
    'getrawtransaction "txid" ( verbose "blockhash" )',
    "\nReturn the raw transaction data.\n\nBy default this function only works for mempool "
    "transactions. When called with a blockhash argument, getrawtransaction will return the "
    "transaction if the specified block is available and the transaction is found in that "
    "block. When called without a blockhash argument, getrawtransaction will return the "
    "transaction if it is in the mempool, or if -txindex is enabled and the transaction is in "
    "a block in the blockchain.\n",
    ('"mytxid"',), arg_types=("string", "integer", "string"),
    result_type="string", skip_type_check=("verbose",),  # "verbosity|verbose" @ v31.0
    # argNames: {"txid","verbose"} in PAI 3.0.0 (src/rpc/rawtransaction.cpp vRPCCommands) and
    # Bitcoin Core 0.13-0.15; "blockhash" from 0.16; "verbosity|verbose" from 25.
    named=lambda profile: (("txid", "verbosity|verbose" if core_from("25")(profile) else "verbose")
                           + (("blockhash",) if core_from("0.16")(profile) else ())),
    # No ``reads``: up to 0.17 a confirmed transaction is found once a call (getblock) handed
    # out its block's transactions, which no revision of the node records.
)  # fmt: skip
def getrawtransaction(ctx: RPCContext, args: list[Any]) -> Any:
    version = core_version(ctx.profile)
    with_blockhash = version is not None and version >= v("0.16")  # #10275
    _too_many(ctx, "getrawtransaction", args, 3 if with_blockhash else 2)
    snapshot = ctx.snapshot()
    chain = snapshot.chain
    txid = parse_hash_v(ctx, args[0], "parameter 1")
    if with_blockhash and txid == chain.params.genesis_merkleroot:
        raise RPCError(RPCErrorCode.INVALID_ADDRESS_OR_KEY,
                       "The genesis block coinbase is not considered an ordinary transaction "
                       "and cannot be retrieved")  # fmt: skip
    verbosity = _verbosity(ctx, args)
    asked = len(args) > 2 and args[2] is not None
    if asked:
        found = chain.find(parse_hash_v(ctx, args[2], "parameter 3"))
        if found is None:
            raise RPCError(RPCErrorCode.INVALID_ADDRESS_OR_KEY, "Block hash not found")
        block, _ = found
        tx = next((t for t in chain.transactions(block) if t.txid == txid), None)
        if tx is None:
            if not block.have_data:
                raise misc_error("Block not available")
            raise RPCError(RPCErrorCode.INVALID_ADDRESS_OR_KEY,
                           "No such transaction found in the provided block" + _SUFFIX)  # fmt: skip
        where: Block | None = block
    else:
        found_tx = _find(snapshot, txid)
        if found_tx is None:
            raise _no_such(ctx)
        tx, where = found_tx
        if where is not None and not (
            _slow_lookup(ctx) and unspent_outputs(snapshot, tx, where, False)
        ):
            raise _no_such(ctx)
    if verbosity <= 0:
        return tx.raw.hex()
    context = block_context(ctx.profile, chain, where, asked) if where is not None else {}
    # Verbosity 2 (25+) adds the fee and each input's prevout where the block's undo data has
    # the spent coins: a transaction found in the block given.
    undo = (chain, where) if verbosity >= 2 and asked and where is not None else None
    return transaction_json(ctx.profile, chain.params, tx, with_fee=undo is not None,
                            prevouts=undo, stake=stake_shown(chain.params, where),
                            context=context)  # fmt: skip


@RAWTRANSACTION_METHODS.method(
    "decoderawtransaction", ("hexstring", "iswitness"), 1,
    'decoderawtransaction "hexstring" ( iswitness )',
    "\nReturn a JSON object representing the serialized, hex-encoded transaction.\n",
    ('"hexstring"',), arg_types=("string", "boolean"), result_type="object",
    reads=Reads.CHAIN,  # the chain's parameters (its addresses) and the argument
)  # fmt: skip
def decoderawtransaction(ctx: RPCContext, args: list[Any]) -> dict[str, Any]:
    """RPCTypeCheck(VSTR[, VBOOL]) before 25 (a null iswitness refused too), then DecodeHexTx;
    iswitness from 0.17."""
    version = core_version(ctx.profile)
    with_flag = version is not None and version >= v("0.17")
    _too_many(ctx, "decoderawtransaction", args, 2 if with_flag else 1)
    if version is None or version < v("25"):  # 25+: RPCHelpMan checked the types already
        for index, expected in enumerate(("string", "bool")[: len(args)]):
            got = univalue_type_name(args[index])
            if got != expected:
                raise RPCError(RPCErrorCode.TYPE_ERROR, f"Expected type {expected}, got {got}")
    witness_flag = args[1] if len(args) > 1 else None
    text = args[0]
    try:
        if not _HEX.fullmatch(text):
            raise DecodeError("not hex")
        tx = decode_transaction(bytes.fromhex(text), witness_flag is not True,
                                witness_flag is not False)  # fmt: skip
    except DecodeError:
        raise RPCError(RPCErrorCode.DESERIALIZATION_ERROR, "TX decode failed") from None
    chain = ctx.snapshot().chain
    return transaction_json(ctx.profile, chain.params, tx, include_hex=False)


@RAWTRANSACTION_METHODS.method(
    "gettxout", ("txid", "n", "include_mempool"), 2, 'gettxout "txid" n ( include_mempool )',
    "\nReturns details about an unspent transaction output.\n",
    ('"txid" 1',), arg_types=("string", "integer", "boolean"), result_type="object",
    category="blockchain",
)  # fmt: skip
def gettxout(ctx: RPCContext, args: list[Any]) -> dict[str, Any] | None:
    """gettxout: the coin from the UTXO set, seen through the mempool (its outputs added, its
    spends removed) unless include_mempool is false; null when there is none."""
    version = core_version(ctx.profile)
    if version is None or version < v("0.19"):  # uint256S(get_str()): no check
        txid = _checked(ctx, args[0], "string")[-64:].rjust(64, "0").lower()
    else:
        txid = parse_hash_v(ctx, args[0], "txid")
    n = get_int(_checked(ctx, args[1], "number"))
    include_mempool = len(args) < 3 or args[2] is None or _checked(ctx, args[2], "bool")
    snapshot = ctx.snapshot()
    found = _find(snapshot, txid)
    if found is None:
        return None
    tx, block = found
    if n not in unspent_outputs(snapshot, tx, block, include_mempool):
        return None
    return txout_json(ctx.profile, snapshot.chain, tx, n, None if block is None else block.height)
