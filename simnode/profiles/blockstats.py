"""``getblockstats`` (Bitcoin Core 0.17+, src/rpc/blockchain.cpp getblockstats @ v31.0),
computed over the same transactions ``getblock`` serializes (``Chain.transactions``): their
sizes, weights, witnesses, outputs and fees, so the statistics, the raw block and its coinbase's
value agree."""

from __future__ import annotations

from typing import Any

from simnode.model.chain import Block, Chain
from simnode.model.chainparams import WITNESS_SCALE_FACTOR
from simnode.model.transactions import TxOut, compact_size, subsidy

PER_UTXO_OVERHEAD = 36 + 4 + 1  # sizeof(COutPoint) + sizeof(uint32_t) + sizeof(bool)
PERCENTILES = (0.10, 0.25, 0.50, 0.75, 0.90)  # feerate_percentiles, by weight


def _coin_size(out: TxOut) -> int:
    """``GetSerializeSize(CTxOut) + PER_UTXO_OVERHEAD``."""
    script = len(out.script_pubkey)
    return 8 + len(compact_size(script)) + script + PER_UTXO_OVERHEAD


def getblockstats(chain: Chain, block: Block, with_actual: bool) -> dict[str, Any]:
    """Every statistic, in the node's (alphabetical) order; ``with_actual``: the
    ``utxo_*_actual`` pair of Bitcoin Core 25+."""
    txs = chain.transactions(block)
    spends = txs[1:]  # the coinbase spends nothing and is left out of the fee statistics
    sizes = [tx.size for tx in spends]
    fees = [tx.fee for tx in spends]
    weights = [tx.weight for tx in spends]
    feerates = [
        fee * WITNESS_SCALE_FACTOR // weight for fee, weight in zip(fees, weights, strict=True)
    ]
    total_size, total_weight, totalfee = sum(sizes), sum(weights), sum(fees)
    witnessed = [tx for tx in spends if tx.has_witness]
    count = len(spends)
    inputs = sum(len(tx.inputs) for tx in spends)
    outputs = sum(len(tx.outputs) for tx in txs)
    # The coins spent are not modelled: each is taken to be like the spending transaction's
    # own first output.
    utxo_size_inc = sum(_coin_size(out) for tx in txs for out in tx.outputs) - sum(
        _coin_size(tx.outputs[0]) * len(tx.inputs) for tx in spends
    )
    stats: dict[str, Any] = {
        "avgfee": totalfee // count if count else 0,
        "avgfeerate": totalfee * WITNESS_SCALE_FACTOR // total_weight if total_weight else 0,
        "avgtxsize": total_size // count if count else 0,
        "blockhash": block.hash,
        "feerate_percentiles": _percentiles_by_weight(feerates, weights),
        "height": block.height,
        "ins": inputs,
        "maxfee": max(fees, default=0),
        "maxfeerate": max(feerates, default=0),
        "maxtxsize": max(sizes, default=0),
        "medianfee": _truncated_median(fees),
        "mediantime": chain.median_time_past(block.height),
        "mediantxsize": _truncated_median(sizes),
        "minfee": min(fees, default=0),
        "minfeerate": min(feerates, default=0),
        "mintxsize": min(sizes, default=0),
        "outs": outputs,
        "subsidy": subsidy(chain.params, block.height),
        "swtotal_size": sum(tx.size for tx in witnessed),
        "swtotal_weight": sum(tx.weight for tx in witnessed),
        "swtxs": len(witnessed),
        "time": block.time,
        "total_out": sum(out.value for tx in spends for out in tx.outputs),
        "total_size": total_size,
        "total_weight": total_weight,
        "totalfee": totalfee,
        "txs": len(txs),
        "utxo_increase": outputs - inputs,
        "utxo_size_inc": utxo_size_inc,
    }
    if with_actual:  # #25 (v25): not counting unspendable outputs; simnode makes none
        stats["utxo_increase_actual"] = outputs - inputs
        stats["utxo_size_inc_actual"] = utxo_size_inc
    return stats


def _truncated_median(values: list[int]) -> int:
    """``CalculateTruncatedMedian``: the mean of the middle two, rounded down, for an even
    count."""
    if not values:
        return 0
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) // 2


def _percentiles_by_weight(feerates: list[int], weights: list[int]) -> list[int]:
    """``CalculatePercentilesByWeight``: the feerate at which the cumulative weight, in feerate
    order, first reaches each percentile of the total."""
    if not feerates:
        return [0] * len(PERCENTILES)
    pairs = sorted(zip(feerates, weights, strict=True))
    total = sum(weights)
    thresholds = [total * share for share in PERCENTILES]
    result, cumulative, next_index = [0] * len(PERCENTILES), 0, 0
    for feerate, weight in pairs:
        cumulative += weight
        while next_index < len(thresholds) and cumulative >= thresholds[next_index]:
            result[next_index] = feerate
            next_index += 1
    for index in range(next_index, len(PERCENTILES)):  # rounding left the last ones unset
        result[index] = pairs[-1][0]
    return result
