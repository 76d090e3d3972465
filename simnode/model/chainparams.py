"""Each network's constants, as the nodes' src/chainparams.cpp has them, and where simnode's chain
starts on it: realistic heights and difficulty for mainnet, a short chain for regtest."""

from __future__ import annotations

from dataclasses import dataclass, replace

DEFAULT_MAX_TIP_AGE = 24 * 60 * 60  # src/validation.h @ PAI 3.0.0: IsInitialBlockDownload
MAX_BLOCK_WEIGHT = 4_000_000  # src/consensus/consensus.h @ PAI 3.0.0
WITNESS_SCALE_FACTOR = 4


@dataclass(frozen=True, slots=True)
class ChainParams:
    """A network's genesis block and parameters, and the chain simnode starts with on it."""

    family: str  # "pai" or "bitcoin": which node's networks these are
    name: str  # NetworkIDString: "main", "test", "regtest"
    genesis_hash: str
    genesis_time: int
    genesis_bits: int
    genesis_nonce: int
    genesis_version: int
    genesis_merkleroot: str
    target_spacing: int  # nPowTargetSpacing
    # ChainTxData (GuessVerificationProgress): a known (time, transaction count), and the rate
    # of transactions per second after it.
    chain_tx_time: int
    chain_tx_count: int
    chain_tx_rate: float
    minimum_chain_work: int  # nMinimumChainWork: below it the node is in initial block download
    # simnode's chain: this many blocks at start, mined at this difficulty, with this many
    # transactions a block on average (the chain's history is derived, not stored).
    start_height: int
    tip_bits: int
    transactions_per_block: float
    hybrid_height: int | None = None  # PAI: blocks carry stake fields from this height
    halving_interval: int = 210_000  # nSubsidyHalvingInterval (regtest: 150)
    bip9_deployments: tuple[tuple[str, int, int, int], ...] = ()  # name, bit, start, timeout

    def with_start_height(self, height: int) -> ChainParams:
        return replace(self, start_height=height)


# src/chainparams.cpp @ PAI 3.0.0 (CMainParams, CRegTestParams, CTestNetParams). The mainnet
# height is the one a PAI Core 3.0.0 node reported (../shared/reference/node-rpc.md section 1.6).
PAI_MAIN = ChainParams(
    family="pai", name="main",
    genesis_hash="00000000018151b673df2356e5e25bfcfecbcd7cf888717f2458530461512343",
    genesis_time=1504706776, genesis_bits=0x1C09FE61, genesis_nonce=460938808, genesis_version=4,
    genesis_merkleroot="585ac65f505138efceefb3255086b6d7f63c606219b01f115a2941bb93c8362b",
    target_spacing=600,
    chain_tx_time=1537710546, chain_tx_count=212838, chain_tx_rate=0.00368,
    minimum_chain_work=0x58DBC3B60BA2DF18,
    start_height=1_182_566, tip_bits=0x1B0404CB, transactions_per_block=2.37,
    hybrid_height=154550,
    bip9_deployments=(("csv", 0, 1462060800, 1493596800), ("segwit", 1, 1479168000, 1510704000)),
)  # fmt: skip
PAI_TEST = replace(
    PAI_MAIN, name="test",
    genesis_hash="0000000003976df1a1393912d10ea68fae1175ee2c7e6011a0dc4e05f18f8403",
    genesis_time=1504706516, genesis_nonce=2253953817,
    genesis_merkleroot="017c8b7b919c08887d2d5ddd4d301037ccd53eb887807f8c74f5f824120d8f19",
    chain_tx_time=1538415658, chain_tx_count=0, chain_tx_rate=0.0,
    minimum_chain_work=0xC886E8450964, start_height=95_000, hybrid_height=78600,
)  # fmt: skip
PAI_REGTEST = ChainParams(
    family="pai", name="regtest",
    genesis_hash="47b736c948f15d787327c84bb3ad30a064e67c79154c7608da4b062c1adfe7bb",
    genesis_time=1509798928, genesis_bits=0x207FFFFF, genesis_nonce=0, genesis_version=4,
    genesis_merkleroot="caed1b804a2aa916d899cb398aed398fa9316d972f615903aafe06d10bedca44",
    target_spacing=600,
    chain_tx_time=1509798928, chain_tx_count=0, chain_tx_rate=0.0, minimum_chain_work=0,
    start_height=200, tip_bits=0x207FFFFF, transactions_per_block=1.0, hybrid_height=1500,
)  # fmt: skip

# src/kernel/chainparams.cpp @ v28 (CMainParams, CRegTestParams). The start height is where
# mainnet stands at the end of 2026; ChainTxData is v28's.
BITCOIN_MAIN = ChainParams(
    family="bitcoin", name="main",
    genesis_hash="000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f",
    genesis_time=1231006505, genesis_bits=0x1D00FFFF, genesis_nonce=2083236893, genesis_version=1,
    genesis_merkleroot="4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b",
    target_spacing=600,
    chain_tx_time=1726803705, chain_tx_count=1089232744, chain_tx_rate=6.9,
    minimum_chain_work=0x000000000000000000000000000000000000000088E186B3E1AA2D7D5E6A9E4,
    start_height=925_000, tip_bits=0x17023A04, transactions_per_block=3400.0,
)  # fmt: skip
BITCOIN_REGTEST = ChainParams(
    family="bitcoin", name="regtest",
    genesis_hash="0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206",
    genesis_time=1296688602, genesis_bits=0x207FFFFF, genesis_nonce=2, genesis_version=1,
    genesis_merkleroot="4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b",
    target_spacing=600,
    chain_tx_time=0, chain_tx_count=0, chain_tx_rate=0.0, minimum_chain_work=0,
    start_height=200, tip_bits=0x207FFFFF, transactions_per_block=1.0, halving_interval=150,
)  # fmt: skip

NETWORKS = {
    (params.family, params.name): params
    for params in (PAI_MAIN, PAI_TEST, PAI_REGTEST, BITCOIN_MAIN, BITCOIN_REGTEST)
}


def network(family: str, name: str) -> ChainParams:
    """The parameters of ``name`` ("main", "test", "regtest") for a node family."""
    try:
        return NETWORKS[(family, name)]
    except KeyError:
        known = ", ".join(sorted(n for f, n in NETWORKS if f == family))
        raise KeyError(f"unknown chain {name!r} (known: {known})") from None


def target_of(bits: int) -> int:
    """``arith_uint256::SetCompact``: the target a compact ``nBits`` encodes."""
    size, word = bits >> 24, bits & 0x007FFFFF
    return word >> (8 * (3 - size)) if size <= 3 else word << (8 * (size - 3))


def work_of(bits: int) -> int:
    """``GetBlockProof``: the expected number of hashes to find a block at ``bits``."""
    target = target_of(bits)
    return (1 << 256) // (target + 1)


def difficulty_of(bits: int) -> float:
    """``GetDifficulty`` (src/rpc/blockchain.cpp @ PAI 3.0.0): the genesis target over this one,
    computed in doubles by shifting the exponent to 29."""
    shift = (bits >> 24) & 0xFF
    difficulty = 0x0000FFFF / (bits & 0x00FFFFFF)
    while shift < 29:
        difficulty *= 256.0
        shift += 1
    while shift > 29:
        difficulty /= 256.0
        shift -= 1
    return difficulty
