"""The chain, mempool, mining and status answers, rendered from a snapshot as each release does.

PAI Core 3.0.0's shapes come from src/rpc/blockchain.cpp, src/rpc/mining.cpp and
src/rpc/misc.cpp at its tag (function names cited below). The Bitcoin Core shapes follow the
same functions at v0.13 and v28; where a key list was not checked against that tag, the
comment says so.
"""

from __future__ import annotations

from typing import Any

from simnode.model.chain import Block, Branch, Chain, guess_verification_progress
from simnode.model.chainparams import DEFAULT_MAX_TIP_AGE, ChainParams, difficulty_of, target_of
from simnode.model.mempool import DEFAULT_MAX_MEMPOOL_BYTES, MempoolTx
from simnode.model.state import NodeSnapshot
from simnode.profiles.chainshapes import (
    BLOCK,
    BLOCKCHAININFO,
    BLOCKHEADER,
    CHAINTXSTATS,
    ENTRY_FEES,
    MEMPOOL_ENTRY,
    MEMPOOLINFO,
    MININGINFO,
    core_version,
    keys_of,
    shaped,
)
from simnode.profiles.history import v
from simnode.profiles.jsontext import Amount
from simnode.profiles.profile import Profile
from simnode.profiles.rawblock import header_bytes
from simnode.profiles.softforks import (
    DEPLOYMENT_WINDOW,
    bip9_softforks,
    getdeploymentinfo,
    softforks_list,
    softforks_object,
)
from simnode.profiles.txviews import stake_shown, transaction_json

# nMinimumStakeDiff (src/chainparams.cpp @ PAI 3.0.0), satoshis: the pre-fork default.
MINIMUM_STAKE_DIFFICULTY = {"main": 200_000_000, "test": 20_000_000, "regtest": 20_000}
BLOCK_DISK_BYTES_PER_BLOCK = 560  # size_on_disk: block files plus undo data, per block on average


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
    version = core_version(profile)
    if version is None:
        result.update(_stake_fields(block, chain.params))
        _links(result, chain, block)
        return result
    result["target"] = f"{target_of(block.bits):064x}"
    result["nTx"] = block.ntx
    _links(result, chain, block)
    return shaped(BLOCKHEADER, version, result)


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
               details: bool, prevouts: bool = False) -> dict[str, Any]:  # fmt: skip
    """``blockToJSON`` (verbosity 1; 2 gives each transaction as an object, 3 with each
    input's prevout from 23)."""
    active = branch is None and chain.is_active(block)
    header = header_json(profile, chain, block, branch)
    transactions = chain.transactions(block)
    version = core_version(profile)
    # blockToJSON: TxToUniv with the hex (0.13's TxToJSON has none) and, from 22, the fee
    # (the block's undo data); PAI's with include_stake.
    with_hex = version is None or version >= v("0.14")
    undo = (chain, block) if prevouts and version is not None and version >= v("23") else None
    txs: list[Any] = [
        transaction_json(profile, chain.params, tx, include_hex=with_hex, with_fee=True,
                         prevouts=undo, stake=stake_shown(chain.params, block))
        if details else tx.txid for tx in transactions
    ]  # fmt: skip
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
    if version is None:
        result.update(_stake_fields(block, chain.params, always=chain.params.name != "test"))
        _links(result, chain, block)
        return result
    # coinbaseTxToJSON (src/rpc/blockchain.cpp @ 6574cb40869b): the coinbase as getblock 0
    # serializes it; simnode's coinbases carry no witness.
    first = transactions[0]
    coinbase = {"version": first.version, "locktime": first.locktime,
                "sequence": first.inputs[0].sequence,
                "coinbase": first.inputs[0].script_sig.hex()}  # fmt: skip
    result.update(header, cost=block.weight, coinbase_tx=coinbase)
    return shaped(BLOCK, version, result)


def block_hex(block: Block) -> str:
    """The serialized header, as getblockheader verbose=false sends it."""
    return header_bytes(block).hex()


# ------------------------------------------------------------------------------ the chain
def getblockchaininfo(profile: Profile, snapshot: NodeSnapshot) -> dict[str, Any]:
    """``getblockchaininfo``: PAI Core 3.0.0 has no ``initialblockdownload`` (Bitcoin Core 0.16
    added it), ``softforks`` as a list and ``bip9_softforks``; Bitcoin Core's keys per release
    are ``chainshapes.BLOCKCHAININFO``."""
    chain = snapshot.chain
    tip = chain.tip
    version = core_version(profile)
    info: dict[str, Any] = {
        "chain": chain.params.name,
        "blocks": chain.height,
        "headers": chain.headers,
        "bestblockhash": tip.hash,
        "bits": f"{tip.bits:08x}",
        "target": f"{target_of(tip.bits):064x}",
        "difficulty": difficulty_of(tip.bits),
        "time": tip.time,
        "mediantime": chain.median_time_past(chain.height),
        "verificationprogress": guess_verification_progress(chain.params, tip, snapshot.now_us),
        "initialblockdownload": in_ibd(snapshot),
        "chainwork": f"{tip.chainwork:064x}",
        "size_on_disk": (chain.height + 1) * BLOCK_DISK_BYTES_PER_BLOCK,
        "pruned": False,
    }
    if version is not None and version >= v("23"):  # only with -deprecatedrpc=softforks
        info["softforks"] = getdeploymentinfo(chain)["deployments"]
    elif version is not None and version >= v("0.19"):
        info["softforks"] = softforks_object(chain, version)
    else:
        info["softforks"] = softforks_list(chain, version)
        info["bip9_softforks"] = bip9_softforks(chain, version)
    info["warnings"] = _warnings(profile)
    if version is None:
        pai = ("chain", "blocks", "headers", "bestblockhash", "difficulty", "mediantime",
               "verificationprogress", "chainwork", "size_on_disk", "pruned", "softforks",
               "bip9_softforks", "warnings")  # fmt: skip
        return {key: info[key] for key in pai}
    return shaped(BLOCKCHAININFO, version, info, profile.deprecatedrpc)


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


def getchaintxstats(profile: Profile, chain: Chain, count: int | None,
                    block: Block) -> dict[str, Any]:  # fmt: skip
    """``getchaintxstats`` (window defaults to a month of blocks); PAI Core 3.0.0's keys come
    in its own order, Bitcoin Core's are ``chainshapes.CHAINTXSTATS``."""
    if count is None:
        count = max(0, min(30 * 24 * 60 * 60 // chain.params.target_spacing, block.height - 1))
    past = chain.block_at(block.height - count)
    result: dict[str, Any] = {"time": block.time, "txcount": block.chain_tx,
                              "window_final_block_hash": block.hash,
                              "window_final_block_height": block.height,
                              "window_block_count": count}  # fmt: skip
    if count > 0:
        interval = chain.median_time_past(block.height) - chain.median_time_past(past.height)
        result["window_tx_count"] = block.chain_tx - past.chain_tx
        result["window_interval"] = interval
        if interval > 0:
            result["txrate"] = result["window_tx_count"] / interval
    version = core_version(profile)
    if version is None:
        del result["window_final_block_hash"], result["window_final_block_height"]
        return result
    return shaped(CHAINTXSTATS, version, result)


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
    """``entryToJSON`` @ PAI 3.0.0 (with PAI's ``type`` and ``expiry``); Bitcoin Core's keys
    per release are ``chainshapes.MEMPOOL_ENTRY``."""
    mempool = snapshot.mempool
    family = mempool.families[tx.txid]
    version = core_version(profile)
    entry: dict[str, Any] = {"type": "standard"} if version is None else {}
    # StakeInfoToUniv (core_write.cpp @ PAI 3.0.0): a plain transaction is "standard".
    entry.update({
        "size": tx.vsize, "vsize": tx.vsize, "weight": tx.weight, "fee": Amount(tx.fee),
        "modifiedfee": Amount(tx.fee), "time": tx.time, "height": tx.height,
        "startingpriority": 0, "currentpriority": 0,  # 0.13 only
        "descendantcount": family.descendant_count, "descendantsize": family.descendant_size,
        "descendantfees": family.descendant_fees,
        "ancestorcount": family.ancestor_count, "ancestorsize": family.ancestor_size,
        "ancestorfees": family.ancestor_fees, "wtxid": tx.wtxid,
    })  # fmt: skip
    if version is None:
        for key in ("vsize", "weight", "startingpriority", "currentpriority"):
            del entry[key]
        entry["expiry"] = 0
        entry["depends"] = sorted(tx.parents)
        return entry
    # 31's cluster mempool mines a transaction in one chunk with the ancestors it pays for:
    # simnode's chunk is its ancestor package when that pays a lower feerate, else itself.
    package_rate = family.ancestor_fees / max(family.ancestor_size, 1)
    in_package = package_rate < tx.feerate
    fees = {"base": Amount(tx.fee), "modified": Amount(tx.fee),
            "ancestor": Amount(family.ancestor_fees), "descendant": Amount(family.descendant_fees),
            "chunk": Amount(family.ancestor_fees if in_package else tx.fee)}  # fmt: skip
    entry.update({
        "chunkweight": family.ancestor_size * 4 if in_package else tx.weight,
        "fees": {key: fees[key] for key in keys_of(ENTRY_FEES, version)},
        "depends": sorted(tx.parents), "spentby": sorted(mempool.children.get(tx.txid, ())),
        "bip125-replaceable": False, "unbroadcast": False,
    })  # fmt: skip
    return shaped(MEMPOOL_ENTRY, version, entry, profile.deprecatedrpc)


def getmempoolinfo(profile: Profile, snapshot: NodeSnapshot) -> dict[str, Any]:
    """``mempoolInfoToJSON`` @ PAI 3.0.0 (Bitcoin Core 0.13 has the same five keys); Bitcoin
    Core's keys per release are ``chainshapes.MEMPOOLINFO``."""
    mempool, settings = snapshot.mempool, snapshot.settings
    minimum = Amount(settings.min_relay_fee)
    version = core_version(profile)
    # Before 0.16, GetMinFee(maxmempool) with no max() against -minrelaytxfee: 0 until the
    # pool was trimmed, which simnode's never is (it stays far below 300 MB).
    old = version is None or version < v("0.16")
    info = {
        "loaded": True, "size": mempool.size, "bytes": mempool.bytes, "usage": mempool.usage,
        "total_fee": Amount(mempool.total_fee), "maxmempool": DEFAULT_MAX_MEMPOOL_BYTES,
        "mempoolminfee": Amount(0) if old else minimum, "minrelaytxfee": minimum,
        "incrementalrelayfee": Amount(settings.incremental_relay_fee), "unbroadcastcount": 0,
        # DEFAULT_MEMPOOL_FULL_RBF false up to 27, true in 28, hard-coded true from 29.
        "fullrbf": version is not None and version >= v("28"),
        # src/policy/policy.h @ 6574cb40869b: DEFAULT_PERMIT_BAREMULTISIG, MAX_OP_RETURN_RELAY
        # (30+), DEFAULT_CLUSTER_LIMIT, DEFAULT_CLUSTER_SIZE_LIMIT_KVB (in vbytes).
        "permitbaremultisig": True, "maxdatacarriersize": 100_000, "limitclustercount": 64,
        "limitclustersize": 101_000, "optimal": True,
    }  # fmt: skip
    return shaped(MEMPOOLINFO, 0 if version is None else version, info)


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
    """``getmininginfo`` @ PAI 3.0.0 (a 0.15 fork: Bitcoin Core 0.16's keys); Bitcoin Core's
    keys per release are ``chainshapes.MININGINFO``."""
    chain = snapshot.chain
    tip = chain.tip
    bits = f"{tip.bits:08x}"
    target = f"{target_of(tip.bits):064x}"
    info: dict[str, Any] = {
        "blocks": chain.height, "currentblocksize": 0, "currentblockcost": 0,
        "currentblockweight": 0, "currentblocktx": 0, "bits": bits,
        "difficulty": difficulty_of(tip.bits), "target": target, "errors": "",
        "networkhashps": networkhashps(chain, 120, -1), "pooledtx": snapshot.mempool.size,
        "testnet": chain.params.name == "test",
        "blockmintxfee": Amount(1),  # DEFAULT_BLOCK_MIN_TX_FEE, sat/kvB (30+)
        "chain": chain.params.name,
        # The next block's difficulty as the tip's: simnode's chains never retarget.
        "next": {"height": chain.height + 1, "bits": bits,
                 "difficulty": difficulty_of(tip.bits), "target": target},
        "warnings": _warnings(profile),
    }  # fmt: skip
    version = core_version(profile)
    return shaped(MININGINFO, v("0.16") if version is None else version, info)


# ------------------------------------------------------------------------------ status
def getmemoryinfo() -> dict[str, Any]:
    """``getmemoryinfo "stats"``: the locked-memory arena of a node without a wallet."""
    return {"locked": {"used": 0, "free": 65536, "total": 65536, "locked": 65536,
                       "chunks_used": 0, "chunks_free": 1}}  # fmt: skip
