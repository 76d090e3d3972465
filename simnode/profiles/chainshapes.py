"""Bitcoin Core's chain, mempool and mining answers per release, as data: one key-order table.

Each row says from which release (a CLIENT_VERSION number, ``history.v``) an RPC answer has
exactly these keys, in this order; a release takes the last row at or below its version. A key
that the release sends only sometimes (``previousblockhash``, the getchaintxstats window
figures) is listed where it would stand and left out when the renderer has no value for it.
PAI Core 3.0.0's shapes are not here: ``chainviews`` renders them as that node does.

Facts: docs/research/bitcoin-core-releases.md sections 2-4, from l0rinc/bitcoin at each release
branch point (29, 30, 31: the final release commits; v31.0 is 6574cb40869b).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simnode.profiles.history import v
from simnode.profiles.profile import Profile

Shapes = tuple[tuple[int, tuple[str, ...]], ...]

_CHAIN_HEAD = ("chain", "blocks", "headers", "bestblockhash")
_TIP = ("mediantime", "verificationprogress", "initialblockdownload", "chainwork", "size_on_disk",
        "pruned")  # fmt: skip
# src/rpc/blockchain.cpp getblockchaininfo: initialblockdownload (#11258), size_on_disk
# (#11367), warnings (#10858) from 0.16; softforks an object keyed by name from 0.19 (#16060),
# bip9_softforks gone; time from 23 (#22407), softforks only with -deprecatedrpc=softforks in 23
# and gone in 24 (#23508, getdeploymentinfo); bits and target from 29 (#31583).
BLOCKCHAININFO: Shapes = (
    (0, (*_CHAIN_HEAD, "difficulty", "mediantime", "verificationprogress", "chainwork", "pruned",
         "softforks", "bip9_softforks")),
    (v("0.16"), (*_CHAIN_HEAD, "difficulty", *_TIP, "softforks", "bip9_softforks", "warnings")),
    (v("0.19"), (*_CHAIN_HEAD, "difficulty", *_TIP, "softforks", "warnings")),
    (v("23"), (*_CHAIN_HEAD, "difficulty", "time", *_TIP, "warnings")),
    (v("29"), (*_CHAIN_HEAD, "bits", "target", "difficulty", "time", *_TIP, "warnings")),
)  # fmt: skip

_POOL = ("size", "bytes", "usage")
_FEES = ("maxmempool", "mempoolminfee", "minrelaytxfee")
# mempoolInfoToJSON (src/rpc/blockchain.cpp up to 23), MempoolInfoToJSON (src/rpc/mempool.cpp
# 24+): minrelaytxfee 0.16, loaded 0.19, unbroadcastcount 0.21, total_fee 22, fullrbf and
# incrementalrelayfee 24, permitbaremultisig and maxdatacarriersize 30; 31 adds the cluster
# limits and "optimal" (MempoolInfoToJSON @ 6574cb40869b).
MEMPOOLINFO: Shapes = (
    (0, (*_POOL, "maxmempool", "mempoolminfee")),
    (v("0.16"), (*_POOL, *_FEES)),
    (v("0.19"), ("loaded", *_POOL, *_FEES)),
    (v("0.21"), ("loaded", *_POOL, *_FEES, "unbroadcastcount")),
    (v("22"), ("loaded", *_POOL, "total_fee", *_FEES, "unbroadcastcount")),
    (v("24"), ("loaded", *_POOL, "total_fee", *_FEES, "incrementalrelayfee", "unbroadcastcount",
               "fullrbf")),
    (v("30"), ("loaded", *_POOL, "total_fee", *_FEES, "incrementalrelayfee", "unbroadcastcount",
               "fullrbf", "permitbaremultisig", "maxdatacarriersize")),
    (v("31"), ("loaded", *_POOL, "total_fee", *_FEES, "incrementalrelayfee", "unbroadcastcount",
               "fullrbf", "permitbaremultisig", "maxdatacarriersize", "limitclustercount",
               "limitclustersize", "optimal")),
)  # fmt: skip

_FAMILY = ("descendantcount", "descendantsize", "descendantfees", "ancestorcount", "ancestorsize",
           "ancestorfees")  # fmt: skip
_FAMILY_NO_FEES = ("descendantcount", "descendantsize", "ancestorcount", "ancestorsize")
_TAIL = ("depends", "spentby", "bip125-replaceable")
# entryToJSON (src/rpc/blockchain.cpp up to 23, src/rpc/mempool.cpp 24+): priorities gone in
# 0.15; fees object, wtxid, spentby 0.17; vsize and weight for size, bip125-replaceable 0.19;
# unbroadcast 0.21; 23 moves fees after wtxid and hides fee/modifiedfee/descendantfees/
# ancestorfees behind -deprecatedrpc=fees (gone in 24); 31 adds chunkweight and fees.chunk.
MEMPOOL_ENTRY: Shapes = (
    (0, ("size", "fee", "modifiedfee", "time", "height", "startingpriority", "currentpriority",
         *_FAMILY, "depends")),
    (v("0.15"), ("size", "fee", "modifiedfee", "time", "height", *_FAMILY, "depends")),
    (v("0.17"), ("fees", "size", "fee", "modifiedfee", "time", "height", *_FAMILY, "wtxid",
                 "depends", "spentby")),
    (v("0.19"), ("fees", "vsize", "weight", "fee", "modifiedfee", "time", "height", *_FAMILY,
                 "wtxid", *_TAIL)),
    (v("0.21"), ("fees", "vsize", "weight", "fee", "modifiedfee", "time", "height", *_FAMILY,
                 "wtxid", *_TAIL, "unbroadcast")),
    (v("23"), ("vsize", "weight", "time", "height", *_FAMILY_NO_FEES, "wtxid", "fees", *_TAIL,
               "unbroadcast")),
    (v("31"), ("vsize", "weight", "time", "height", *_FAMILY_NO_FEES, "wtxid", "chunkweight",
               "fees", *_TAIL, "unbroadcast")),
)  # fmt: skip
ENTRY_FEES: Shapes = (
    (0, ("base", "modified", "ancestor", "descendant")),
    (v("31"), ("base", "modified", "ancestor", "descendant", "chunk")),
)

# src/rpc/mining.cpp getmininginfo: 0.13 reports the block cost and a testnet flag; 0.15 the
# weight; 0.16 drops currentblocksize and errors becomes warnings; from 0.18 the current block
# figures are left out until a template was made (simnode's never assembles one); 29 adds bits,
# target and next (#31583), 30 blockmintxfee (getmininginfo @ 6574cb40869b for 31).
MININGINFO: Shapes = (
    (0, ("blocks", "currentblocksize", "currentblockcost", "currentblocktx", "difficulty",
         "errors", "networkhashps", "pooledtx", "testnet", "chain")),
    (v("0.15"), ("blocks", "currentblocksize", "currentblockweight", "currentblocktx",
                  "difficulty", "errors", "networkhashps", "pooledtx", "chain")),
    (v("0.16"), ("blocks", "currentblockweight", "currentblocktx", "difficulty", "networkhashps",
                  "pooledtx", "chain", "warnings")),
    (v("0.18"), ("blocks", "difficulty", "networkhashps", "pooledtx", "chain", "warnings")),
    (v("29"), ("blocks", "bits", "difficulty", "target", "networkhashps", "pooledtx", "chain",
               "next", "warnings")),
    (v("30"), ("blocks", "bits", "difficulty", "target", "networkhashps", "pooledtx",
               "blockmintxfee", "chain", "next", "warnings")),
)  # fmt: skip

_HEADER = ("hash", "confirmations", "height", "version", "versionHex", "merkleroot", "time",
           "mediantime", "nonce", "bits")  # fmt: skip
_LINKS = ("previousblockhash", "nextblockhash")
# blockheaderToJSON: nTx from 0.16 (#10888), target from 29 (#31583).
BLOCKHEADER: Shapes = (
    (0, (*_HEADER, "difficulty", "chainwork", *_LINKS)),
    (v("0.16"), (*_HEADER, "difficulty", "chainwork", "nTx", *_LINKS)),
    (v("29"), (*_HEADER, "target", "difficulty", "chainwork", "nTx", *_LINKS)),
)
_BLOCK_OLD = ("hash", "confirmations", "strippedsize", "size", "weight", "height", "version",
              "versionHex", "merkleroot", "tx", "time", "mediantime", "nonce", "bits",
              "difficulty", "chainwork")  # fmt: skip
# blockToJSON: 0.13 names the weight "cost"; from 22 it is the header object with the block's
# sizes and transactions appended; 31 adds coinbase_tx before tx (blockToJSON @ 6574cb40869b).
BLOCK: Shapes = (
    (0, tuple("cost" if key == "weight" else key for key in _BLOCK_OLD) + _LINKS),
    (v("0.14"), (*_BLOCK_OLD, *_LINKS)),
    (v("0.16"), (*_BLOCK_OLD, "nTx", *_LINKS)),
    (v("22"), (*BLOCKHEADER[1][1], "strippedsize", "size", "weight", "tx")),
    (v("29"), (*BLOCKHEADER[2][1], "strippedsize", "size", "weight", "tx")),
    (v("31"), (*BLOCKHEADER[2][1], "strippedsize", "size", "weight", "coinbase_tx", "tx")),
)

# src/rpc/blockchain.cpp getchaintxstats (0.15+): the window's final block from 0.16, its
# height from 0.19 (#15730); 28 sends window_interval before window_tx_count (assumeutxo).
_WINDOW = ("window_block_count", "window_tx_count", "window_interval", "txrate")
CHAINTXSTATS: Shapes = (
    (0, ("time", "txcount", "txrate")),
    (v("0.16"), ("time", "txcount", "window_final_block_hash", *_WINDOW)),
    (v("0.19"), ("time", "txcount", "window_final_block_hash", "window_final_block_height",
                 *_WINDOW)),
    (v("28"), ("time", "txcount", "window_final_block_hash", "window_final_block_height",
               "window_block_count", "window_interval", "window_tx_count", "txrate")),
)  # fmt: skip

_TX_CONTEXT = ("blockhash", "confirmations", "time", "blocktime")
# A transaction's object: getrawtransaction's TxToJSON (src/rpc/rawtransaction.cpp) around
# TxToUniv (src/core_write.cpp, src/core_io.cpp in 31). 0.13 has no TxToUniv and sends the hex
# first (getrawtransaction @ e4382fbef56a); 0.15 moves version before size and the hex after
# vout; 0.17 adds weight, and in_active_chain first when a blockhash argument (0.16) was given;
# 22 the fee of a transaction whose spent coins the node read (getblock verbosity 2,
# getrawtransaction verbosity 2 from 25).
TRANSACTION: Shapes = (
    (0, ("hex", "txid", "hash", "size", "vsize", "version", "locktime", "vin", "vout",
         *_TX_CONTEXT)),
    (v("0.15"), ("txid", "hash", "version", "size", "vsize", "locktime", "vin", "vout", "hex",
                  *_TX_CONTEXT)),
    (v("0.17"), ("in_active_chain", "txid", "hash", "version", "size", "vsize", "weight",
                  "locktime", "vin", "vout", "hex", *_TX_CONTEXT)),
    (v("22"), ("in_active_chain", "txid", "hash", "version", "size", "vsize", "weight",
               "locktime", "vin", "vout", "fee", "hex", *_TX_CONTEXT)),
)  # fmt: skip
# ScriptPubKeyToUniv: reqSigs and addresses (ExtractDestinations) up to 0.21; 22 one address
# (ExtractDestination), the old pair only with -deprecatedrpc=addresses; 23 adds desc.
SCRIPT_PUBKEY: Shapes = (
    (0, ("asm", "hex", "reqSigs", "type", "addresses")),
    (v("22"), ("asm", "hex", "address", "type")),
    (v("23"), ("asm", "desc", "hex", "address", "type")),
)
# gettxout (src/rpc/blockchain.cpp): 0.13 reports the coins' transaction version (CCoins);
# per-output coins (0.15, #10195) have none.
TXOUT: Shapes = (
    (0, ("bestblock", "confirmations", "value", "scriptPubKey", "version", "coinbase")),
    (v("0.15"), ("bestblock", "confirmations", "value", "scriptPubKey", "coinbase")),
)


_ENTRY_0_19 = MEMPOOL_ENTRY[3][1]
_ENTRY_23 = MEMPOOL_ENTRY[5][1]
# -deprecatedrpc switches that bring keys back (research notes section 5): which table, the
# switch, the releases that know it, and the keys then sent. entryToJSON: size 0.19-0.20,
# fees 23; getblockchaininfo: softforks 23 (getdeploymentinfo's deployments, at the tip);
# ScriptPubKeyToUniv: addresses 22 (src/core_write.cpp @ 42af9596ce85).
SWITCHED: tuple[tuple[Shapes, str, int, int, tuple[str, ...]], ...] = (
    (MEMPOOL_ENTRY, "size", v("0.19"), v("0.21"),
     (*_ENTRY_0_19[:2], "size", *_ENTRY_0_19[2:])),
    (MEMPOOL_ENTRY, "fees", v("23"), v("24"),
     ("vsize", "weight", "fee", "modifiedfee", "time", "height", *_FAMILY, *_ENTRY_23[8:])),
    (BLOCKCHAININFO, "softforks", v("23"), v("24"),
     (*BLOCKCHAININFO[3][1][:-1], "softforks", "warnings")),
    (SCRIPT_PUBKEY, "addresses", v("22"), v("23"),
     ("asm", "hex", "address", "type", "addresses", "reqSigs")),
)  # fmt: skip


def core_version(profile: Profile) -> int | None:
    """The Bitcoin Core CLIENT_VERSION a profile imitates; None for PAI Core."""
    if profile.settings.chain.family == "pai":
        return None
    return profile.identity.version_number


def keys_of(shapes: Shapes, version: int) -> tuple[str, ...]:
    """The keys, in order, that a release of ``version`` sends."""
    chosen = shapes[0][1]
    for since, keys in shapes:
        if since <= version:
            chosen = keys
    return chosen


def shaped(shapes: Shapes, version: int, values: dict[str, Any],
           switches: frozenset[str] = frozenset()) -> dict[str, Any]:  # fmt: skip
    """``values`` in the release's key order, keys it does not send (or has no value for) out;
    ``switches``: the node's -deprecatedrpc switches."""
    keys = keys_of(shapes, version)
    for table, switch, first, until, switched in SWITCHED:
        if table is shapes and switch in switches and first <= version < until:
            keys = switched
    return {key: values[key] for key in keys if key in values}


def core_from(release: str, pai: bool = False) -> Callable[[Profile], bool]:
    """A method's ``in_release``: Bitcoin Core from ``release`` on (and PAI Core if ``pai``),
    after the method-availability table (docs/research/bitcoin-core-releases.md section 4)."""
    first = v(release)

    def has(profile: Profile) -> bool:
        version = core_version(profile)
        return pai if version is None else version >= first

    return has
