"""The chain, mempool, mining and status answers, rendered from a snapshot as each release does.

PAI Core 3.0.0's shapes come from src/rpc/blockchain.cpp, src/rpc/mining.cpp and
src/rpc/misc.cpp at its tag (function names cited below). The Bitcoin Core shapes follow the
same functions at v0.13 and v28; where a key list was not checked against that tag, the
comment says so.
"""

from __future__ import annotations

from typing import Any

from simnode.model.chain import Block, Branch, Chain, guess_verification_progress
from simnode.model.chainparams import DEFAULT_MAX_TIP_AGE, ChainParams, difficulty_of
from simnode.model.mempool import DEFAULT_MAX_MEMPOOL_BYTES, MempoolTx
from simnode.model.state import NodeSnapshot
from simnode.profiles.jsontext import Amount
from simnode.profiles.profile import Profile
from simnode.profiles.rawblock import header_bytes, transaction_size

# nMinimumStakeDiff (src/chainparams.cpp @ PAI 3.0.0), satoshis: the pre-fork default.
MINIMUM_STAKE_DIFFICULTY = {"main": 200_000_000, "test": 20_000_000, "regtest": 20_000}
BLOCK_DISK_BYTES_PER_BLOCK = 560  # size_on_disk: block files plus undo data, per block on average
DEPLOYMENT_WINDOW = {"main": 2016, "test": 2016, "regtest": 144}  # nMinerConfirmationWindow
NO_TIMEOUT = 999_999_999_999  # PAI's BIP9 deployments: nStartTime 0, this timeout
# Bitcoin Core mainnet: where each soft fork is buried (src/kernel/chainparams.cpp).
BITCOIN_BURIED = (("bip34", 227931), ("bip66", 363725), ("bip65", 388381), ("csv", 419328),
                  ("segwit", 481824), ("taproot", 709632))  # fmt: skip


def era(profile: Profile) -> str:
    """Which family of shapes a release answers with: "pai", "0.13" or "28"."""
    if profile.settings.chain.family == "pai":
        return "pai"
    return "0.13" if profile.identity.version_number < 160000 else "28"


def in_ibd(snapshot: NodeSnapshot) -> bool:
    """``IsInitialBlockDownload``: too little work, or a tip older than -maxtipage."""
    chain = snapshot.chain
    tip = chain.tip
    return (tip.chainwork < chain.params.minimum_chain_work
            or tip.time < snapshot.now_seconds - DEFAULT_MAX_TIP_AGE)  # fmt: skip


def _warnings(profile: Profile) -> Any:
    return [] if profile.features.warnings_list else ""  # a list of strings from 28 (#29845)


# ------------------------------------------------------------------------------ blocks
def _stake_fields(block: Block, params: ChainParams, always: bool = False) -> dict[str, Any]:
    """PAI's hybrid consensus fields (blockheaderToJSON @ PAI 3.0.0), from the fork height on:
    the stake difficulty as a string of satoshis, bit fields as hex. getblock shows them
    ``always`` (on mainnet and regtest, includeStake), with the defaults before the fork."""
    if params.hybrid_height is None:
        return {}
    if block.height < params.hybrid_height:
        if not always:
            return {}
        return {"stakedifficulty": str(MINIMUM_STAKE_DIFFICULTY[params.name]), "votebits": "0001",
                "ticketpoolsize": "00000000", "ticketlotterystate": "000000000000",
                "freshstake": 0, "stakeversion": "00000000"}  # fmt: skip
    return {
        "stakedifficulty": str(200_000_000 + (block.height % 144) * 1_000_000),
        "votebits": "0001",
        "ticketpoolsize": f"{8192 + block.height % 512:08x}",
        "ticketlotterystate": "",
        "freshstake": block.height % 5,
        "stakeversion": "00000000",
    }


def header_json(profile: Profile, chain: Chain, block: Block, branch: Branch | None) -> dict:
    """``blockheaderToJSON``: confirmations -1 off the active chain."""
    active = branch is None and chain.is_active(block)
    result: dict[str, Any] = {
        "hash": block.hash,
        "confirmations": chain.height - block.height + 1 if active else -1,
        "height": block.height,
        "version": block.version,
        "versionHex": f"{block.version:08x}",
        "merkleroot": block.merkleroot,
        "time": block.time,
        "mediantime": _median_time(chain, block, branch),
        "nonce": block.nonce,
        "bits": f"{block.bits:08x}",
        "difficulty": difficulty_of(block.bits),
        "chainwork": f"{block.chainwork:064x}",
    }
    if era(profile) == "pai":
        result.update(_stake_fields(block, chain.params))
    elif era(profile) == "28":
        result["nTx"] = block.ntx
    _links(result, chain, block)
    return _ordered_header(profile, result)


def _ordered_header(profile: Profile, result: dict[str, Any]) -> dict[str, Any]:
    if era(profile) != "28":
        return result
    # v28 blockheaderToJSON: ... chainwork, nTx, previousblockhash, nextblockhash (with
    # "target" only from 29; not verified against the tag).
    order = ("hash", "confirmations", "height", "version", "versionHex", "merkleroot", "time",
             "mediantime", "nonce", "bits", "difficulty", "chainwork", "nTx",
             "previousblockhash", "nextblockhash")  # fmt: skip
    return {key: result[key] for key in order if key in result}


def _links(result: dict[str, Any], chain: Chain, block: Block) -> None:
    if block.previous is not None:
        result["previousblockhash"] = block.previous
    following = chain.next_hash(block)
    if following is not None:
        result["nextblockhash"] = following


def _median_time(chain: Chain, block: Block, branch: Branch | None) -> int:
    if branch is None:
        return chain.median_time_past(block.height)
    return chain.branch_median_time_past(branch, block)


def block_json(profile: Profile, chain: Chain, block: Block, branch: Branch | None,
               details: bool) -> dict[str, Any]:  # fmt: skip
    """``blockToJSON`` (verbosity 1; 2 gives each transaction as an object)."""
    active = branch is None and chain.is_active(block)
    header = header_json(profile, chain, block, branch)
    txs: list[Any] = [_tx_json(txid, block, index) if details else txid
                      for index, txid in enumerate(chain.txids(block))]  # fmt: skip
    result: dict[str, Any] = {
        "hash": block.hash,
        "confirmations": chain.height - block.height + 1 if active else -1,
        "strippedsize": block.stripped_size,
        "size": block.size,
        "weight": block.weight,
        "height": block.height,
        "version": block.version,
        "versionHex": header["versionHex"],
        "merkleroot": block.merkleroot,
        "tx": txs,
        "time": block.time,
        "mediantime": header["mediantime"],
        "nonce": block.nonce,
        "bits": header["bits"],
        "difficulty": header["difficulty"],
        "chainwork": header["chainwork"],
    }
    if era(profile) == "pai":
        result.update(_stake_fields(block, chain.params, always=chain.params.name != "test"))
    else:
        result["nTx"] = block.ntx
    _links(result, chain, block)
    return result


def _tx_json(txid: str, block: Block, index: int) -> dict[str, Any]:
    """A confirmed transaction at verbosity 2: its ids and sizes (simnode keeps no scripts)."""
    size = transaction_size(index)
    return {"txid": txid, "hash": txid, "version": 2, "size": size, "vsize": size,
            "weight": size * 4, "locktime": 0, "vin": [], "vout": []}  # fmt: skip


def block_hex(block: Block) -> str:
    """The serialized header, as getblockheader verbose=false sends it."""
    return header_bytes(block).hex()


# ------------------------------------------------------------------------------ the chain
def getblockchaininfo(profile: Profile, snapshot: NodeSnapshot) -> dict[str, Any]:
    """``getblockchaininfo`` @ PAI 3.0.0: no ``initialblockdownload`` (Bitcoin Core 0.16 added
    it), ``softforks`` as a list and ``bip9_softforks``; v28: ``time``, ``initialblockdownload``,
    no soft forks (getdeploymentinfo since 23), ``warnings`` a list."""
    chain = snapshot.chain
    tip = chain.tip
    shape = era(profile)
    info: dict[str, Any] = {
        "chain": chain.params.name,
        "blocks": chain.height,
        "headers": chain.headers,
        "bestblockhash": tip.hash,
        "difficulty": difficulty_of(tip.bits),
    }
    if shape == "28":
        info["time"] = tip.time
    info["mediantime"] = chain.median_time_past(chain.height)
    info["verificationprogress"] = guess_verification_progress(chain.params, tip, snapshot.now_us)
    if shape == "28":
        info["initialblockdownload"] = in_ibd(snapshot)
    info["chainwork"] = f"{tip.chainwork:064x}"
    if shape != "0.13":
        info["size_on_disk"] = (chain.height + 1) * BLOCK_DISK_BYTES_PER_BLOCK
    info["pruned"] = False
    if shape != "28":
        info["softforks"] = _softforks(chain)
        info["bip9_softforks"] = _bip9_softforks(chain, shape)
    if shape != "0.13":
        info["warnings"] = _warnings(profile)
    return info


def _softforks(chain: Chain) -> list[dict[str, Any]]:
    """``SoftForkDesc`` for bip34/66/65: activated by height (PAI: from block 1)."""
    buried = dict(BITCOIN_BURIED) if chain.params.family == "bitcoin" else {}
    return [
        {"id": name, "version": version,
         "reject": {"status": chain.height >= buried.get(name, 1)}}
        for name, version in (("bip34", 2), ("bip66", 3), ("bip65", 4))
    ]  # fmt: skip


def _bip9_softforks(chain: Chain, shape: str) -> dict[str, Any]:
    """``BIP9SoftForkDesc``: PAI deploys csv and segwit from time 0 with no timeout, so they
    go defined, started, locked in and active over the first four windows."""
    window = DEPLOYMENT_WINDOW[chain.params.name]
    forks = {}
    for name, bit in (("csv", 0), ("segwit", 1)):
        period = min(chain.height // window, 3)
        status = ("defined", "started", "locked_in", "active")[period]
        entry: dict[str, Any] = {"status": status}
        if status == "started":
            entry["bit"] = bit
        entry["startTime"] = 0
        entry["timeout"] = NO_TIMEOUT
        if shape == "pai":
            entry["since"] = period * window
        if status == "started":
            elapsed = chain.height % window + 1
            entry["statistics"] = {"period": window, "threshold": window * 95 // 100,
                                   "elapsed": elapsed, "count": elapsed,
                                   "possible": True}  # fmt: skip
        forks[name] = entry
    return forks


def getchaintips(snapshot: NodeSnapshot) -> list[dict[str, Any]]:
    """``getchaintips``: the active tip (with any headers above it: a headers chain the node
    is still validating) and each stale branch, highest first."""
    chain = snapshot.chain
    tips = [(chain.headers, chain.block_at(chain.headers).hash, 0 if chain.height == chain.headers
             else chain.headers - chain.height, "active" if chain.height == chain.headers
             else "headers-only")]  # fmt: skip
    if chain.height != chain.headers:
        tips.append((chain.height, chain.tip.hash, 0, "active"))
    for branch in chain.branches:
        tip = branch.tip
        tips.append((tip.height, tip.hash, tip.height - branch.fork_height, branch.status))
    tips.sort(key=lambda t: -t[0])
    return [{"height": h, "hash": block_hash, "branchlen": length, "status": status}
            for h, block_hash, length, status in tips]  # fmt: skip


def getchaintxstats(chain: Chain, count: int | None, block: Block) -> dict[str, Any]:
    """``getchaintxstats`` @ PAI 3.0.0 (window defaults to a month of blocks)."""
    if count is None:
        count = max(0, min(30 * 24 * 60 * 60 // chain.params.target_spacing, block.height - 1))
    past = chain.block_at(block.height - count)
    result: dict[str, Any] = {"time": block.time, "txcount": block.chain_tx,
                              "window_block_count": count}  # fmt: skip
    if count > 0:
        interval = chain.median_time_past(block.height) - chain.median_time_past(past.height)
        result["window_tx_count"] = block.chain_tx - past.chain_tx
        result["window_interval"] = interval
        if interval > 0:
            result["txrate"] = result["window_tx_count"] / interval
    return result


def networkhashps(chain: Chain, lookup: int, height: int) -> float:
    """``GetNetworkHashPS`` (src/rpc/mining.cpp @ PAI 3.0.0)."""
    return chain.hash_rate(lookup, height, DEPLOYMENT_WINDOW[chain.params.name])


def gettxoutsetinfo(chain: Chain) -> dict[str, Any]:
    """``gettxoutsetinfo`` @ PAI 3.0.0, with figures a UTXO set of this chain would have (the
    node would scan its whole UTXO set for them)."""
    tip = chain.tip
    txouts = tip.chain_tx * 2
    return {
        "height": chain.height,
        "bestblock": tip.hash,
        "transactions": tip.chain_tx * 3 // 5,
        "txouts": txouts,
        "bogosize": txouts * 75,
        "hash_serialized_2": f"{tip.chainwork ^ int(tip.hash, 16):064x}"[-64:],
        "disk_size": txouts * 40,
        "total_amount": Amount(min(tip.height, 4_000_000) * 1500 * 100_000_000),
    }


# ------------------------------------------------------------------------------ mempool
def mempool_entry_json(profile: Profile, snapshot: NodeSnapshot, tx: MempoolTx) -> dict:
    """``entryToJSON`` @ PAI 3.0.0 (with PAI's ``type`` and ``expiry``); v28 moves the fees
    into a ``fees`` object and adds ``vsize``, ``weight``, ``spentby``, ``bip125-replaceable``
    and ``unbroadcast`` (key order not checked against the tag)."""
    mempool = snapshot.mempool
    family = mempool.families[tx.txid]
    shape = era(profile)
    if shape == "28":
        return {
            "vsize": tx.vsize, "weight": tx.weight, "time": tx.time, "height": tx.height,
            "descendantcount": family.descendant_count,
            "descendantsize": family.descendant_size,
            "ancestorcount": family.ancestor_count, "ancestorsize": family.ancestor_size,
            "wtxid": tx.wtxid,
            "fees": {"base": Amount(tx.fee), "modified": Amount(tx.fee),
                     "ancestor": Amount(family.ancestor_fees),
                     "descendant": Amount(family.descendant_fees)},
            "depends": sorted(tx.parents), "spentby": sorted(mempool.children.get(tx.txid, ())),
            "bip125-replaceable": False, "unbroadcast": False,
        }  # fmt: skip
    # StakeInfoToUniv (core_write.cpp @ PAI 3.0.0): a plain transaction is "standard".
    entry: dict[str, Any] = {"type": "standard"} if shape == "pai" else {}
    entry.update({
        "size": tx.vsize, "fee": Amount(tx.fee), "modifiedfee": Amount(tx.fee), "time": tx.time,
        "height": tx.height,
    })  # fmt: skip
    if shape == "0.13":
        entry["startingpriority"] = entry["currentpriority"] = 0  # gone in 0.15
    entry.update({
        "descendantcount": family.descendant_count, "descendantsize": family.descendant_size,
        "descendantfees": family.descendant_fees,
        "ancestorcount": family.ancestor_count, "ancestorsize": family.ancestor_size,
        "ancestorfees": family.ancestor_fees,
    })  # fmt: skip
    if shape == "pai":
        entry["wtxid"] = tx.wtxid
        entry["expiry"] = 0
    entry["depends"] = sorted(tx.parents)
    return entry


def getmempoolinfo(profile: Profile, snapshot: NodeSnapshot) -> dict[str, Any]:
    """``mempoolInfoToJSON`` @ PAI 3.0.0 (Bitcoin Core 0.13 has the same five keys); v28 adds
    loaded, total_fee, the relay fees, unbroadcastcount and fullrbf."""
    mempool, settings = snapshot.mempool, snapshot.settings
    minimum = Amount(settings.min_relay_fee)
    if era(profile) != "28":
        # GetMinFee(maxmempool) with no max() against -minrelaytxfee: 0 until the pool was
        # trimmed, which simnode's never is (it stays far below 300 MB).
        return {"size": mempool.size, "bytes": mempool.bytes, "usage": mempool.usage,
                "maxmempool": DEFAULT_MAX_MEMPOOL_BYTES, "mempoolminfee": Amount(0)}  # fmt: skip
    return {
        "loaded": True, "size": mempool.size, "bytes": mempool.bytes, "usage": mempool.usage,
        "total_fee": Amount(mempool.total_fee), "maxmempool": DEFAULT_MAX_MEMPOOL_BYTES,
        "mempoolminfee": minimum, "minrelaytxfee": minimum,
        "incrementalrelayfee": Amount(settings.incremental_relay_fee), "unbroadcastcount": 0,
        "fullrbf": True,
    }  # fmt: skip


def estimatesmartfee(snapshot: NodeSnapshot, target: int) -> dict[str, Any]:
    """``estimatesmartfee``: the feerate that gets into the next ``target`` blocks, judged from
    the mempool (the node's estimator learns it from what blocks confirmed); 1 block is
    answered for 2, as the estimator does. A pool too small to fill them: the relay minimum.
    Before the node has seen a block arrive it has no data, as a freshly started node answers
    (estimateSmartFee, src/policy/fees.cpp @ PAI 3.0.0)."""
    if not snapshot.chain.arrived:
        return {"errors": ["Insufficient data or no feerate found"], "blocks": 0}
    blocks = max(target, 2)
    rate = snapshot.mempool.minimum_feerate_for(blocks)
    per_kvb = max(round((rate or 0) * 1000), snapshot.settings.min_relay_fee)
    return {"feerate": Amount(per_kvb), "blocks": blocks}


def getmininginfo(profile: Profile, snapshot: NodeSnapshot) -> dict[str, Any]:
    """``getmininginfo`` @ PAI 3.0.0 (0.13 also has ``errors`` and ``testnet``; v28 drops
    currentblockweight/tx until a template was made: not checked against the tag)."""
    chain = snapshot.chain
    shape = era(profile)
    info: dict[str, Any] = {"blocks": chain.height}
    if shape != "28":
        info["currentblockweight"] = 0
        info["currentblocktx"] = 0
    info["difficulty"] = difficulty_of(chain.tip.bits)
    if shape == "0.13":
        info["errors"] = ""
    info["networkhashps"] = networkhashps(chain, 120, -1)
    info["pooledtx"] = snapshot.mempool.size
    if shape == "0.13":
        info["testnet"] = chain.params.name == "test"
    info["chain"] = chain.params.name
    if shape != "0.13":
        info["warnings"] = _warnings(profile)
    return info


# ------------------------------------------------------------------------------ status
def getmemoryinfo() -> dict[str, Any]:
    """``getmemoryinfo "stats"``: the locked-memory arena of a node without a wallet."""
    return {"locked": {"used": 0, "free": 65536, "total": 65536, "locked": 65536,
                       "chunks_used": 0, "chunks_free": 1}}  # fmt: skip


def getdeploymentinfo(snapshot: NodeSnapshot) -> dict[str, Any]:
    """``getdeploymentinfo`` (Bitcoin Core 23+): every soft fork buried at its height."""
    chain = snapshot.chain
    return {
        "hash": chain.tip.hash,
        "height": chain.height,
        "deployments": {
            name: {"type": "buried", "active": chain.height >= height, "height": height}
            for name, height in BITCOIN_BURIED
        },
    }
