"""``getblockstats`` (Bitcoin Core 0.17+, src/rpc/blockchain.cpp getblockstats @ v31.0),
computed over the same transactions ``getblock`` serializes (profiles/rawblock.py): their sizes,
one input and one output each, and a fee each made from the txid, so the statistics, the raw
block and its coinbase's value agree."""

from __future__ import annotations

from typing import Any

from simnode.model.chain import Block, Chain
from simnode.model.chainparams import WITNESS_SCALE_FACTOR, ChainParams
from simnode.profiles.rawblock import OUTPUT_BYTES, fee_of, output_value, transaction_size

COIN = 100_000_000
PER_UTXO_OVERHEAD = 36 + 4 + 1  # sizeof(COutPoint) + sizeof(uint32_t) + sizeof(bool)
PERCENTILES = (0.10, 0.25, 0.50, 0.75, 0.90)  # feerate_percentiles, by weight


def subsidy(params: ChainParams, height: int) -> int:
    """``GetBlockSubsidy`` (src/validation.cpp): 50 coins, halved every interval."""
    halvings = height // params.halving_interval
    return 0 if halvings >= 64 else (50 * COIN) >> halvings


def coinbase_value(params: ChainParams, height: int, txids: tuple[str, ...]) -> int:
    """What the coinbase claims: the subsidy and the block's fees."""
    return subsidy(params, height) + sum(fee_of(txid) for txid in txids[1:])


def getblockstats(chain: Chain, block: Block, with_actual: bool) -> dict[str, Any]:
    """Every statistic, in the node's (alphabetical) order; ``with_actual``: the
    ``utxo_*_actual`` pair of Bitcoin Core 25+."""
    txids = chain.txids(block)
    spends = txids[1:]  # the coinbase spends nothing and is left out of the fee statistics
    sizes = [transaction_size(1 + index) for index in range(len(spends))]
    fees = [fee_of(txid) for txid in spends]
    weights = [size * WITNESS_SCALE_FACTOR for size in sizes]  # no witness data
    feerates = [
        fee * WITNESS_SCALE_FACTOR // weight for fee, weight in zip(fees, weights, strict=True)
    ]
    total_size, total_weight, totalfee = sum(sizes), sum(weights), sum(fees)
    count = len(spends)
    inputs, outputs = count, len(txids)  # one each; the coinbase's output counts
    # Each spent input removed a coin like the one each output adds.
    utxo_size_inc = (outputs - inputs) * (OUTPUT_BYTES + PER_UTXO_OVERHEAD)
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
        "swtotal_size": 0,  # simnode's transactions carry no witness
        "swtotal_weight": 0,
        "swtxs": 0,
        "time": block.time,
        "total_out": sum(output_value(txid) for txid in spends),
        "total_size": total_size,
        "total_weight": total_weight,
        "totalfee": totalfee,
        "txs": len(txids),
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
