"""The block chain the node follows: a best header chain, how far of it the node has validated,
and stale branches beside it.

The history before simnode started (a million blocks on mainnet) is derived, not stored: every
field of a block at a height is a pure function of the network, the seed and the height, so a
node is cheap to build and the same seed gives the same chain. Blocks that arrive while simnode
runs are stored, with the transactions they confirm.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace

from simnode.model.chainparams import WITNESS_SCALE_FACTOR, ChainParams, target_of, work_of
from simnode.model.clock import MICROS
from simnode.model.transactions import (
    COINBASE_BYTES,
    TRANSACTION_BYTES,
    Transaction,
    coinbase,
    compact_size,
    history_transactions,
    subsidy,
)

HEADER_BYTES = 80
MEDIAN_TIME_SPAN = 11  # CBlockIndex::GetMedianTimePast: the median of the last 11 blocks
VERSIONBITS_TOP_BITS = 0x20000000
# Derived blocks' times sit this close to evenly spaced (seconds either way).
TIME_JITTER = 90
# Hashes of derived blocks are remembered when handed out; a hash never seen is looked for this
# far below the tip before the node says "Block not found".
HASH_SEARCH_DEPTH = 20_000
DERIVED_CACHE_SIZE = 4096  # derived blocks kept built (monitors ask for the same recent ones)
DERIVED_TXS_CACHE_SIZE = 16  # derived blocks whose transactions are kept (mainnet's: 3,400 each)


@dataclass(frozen=True, slots=True)
class Block:
    """One block (or header) as the node indexes it."""

    height: int
    hash: str
    previous: str | None
    time: int
    bits: int
    nonce: int
    version: int
    merkleroot: str
    ntx: int
    size: int
    stripped_size: int
    weight: int
    chainwork: int
    chain_tx: int  # nChainTx: transactions from genesis up to and including this block
    have_data: bool = True  # False: only the header is known (headers-only branches)
    # The transactions, the coinbase first, of blocks that arrived while simnode ran; the
    # pre-start history's are derived when asked for (Chain.transactions).
    transactions: tuple[Transaction, ...] = ()


@dataclass(frozen=True, slots=True)
class Branch:
    """A chain tip off the active chain: blocks above ``fork_height``, and what the node thinks
    of them (getchaintips' status)."""

    fork_height: int
    blocks: tuple[Block, ...]
    status: str  # "valid-fork", "valid-headers", "headers-only" or "invalid"

    @property
    def tip(self) -> Block:
        return self.blocks[-1]


@dataclass(frozen=True, slots=True)
class Chain:
    """The header chain ``0..headers`` (derived up to ``derived_height``, then ``arrived``), of
    which blocks up to ``height`` are validated and active; ``branches`` are stale tips.

    Immutable: every change returns a new Chain, so a snapshot holds the chain of its instant.
    """

    params: ChainParams
    seed: int
    derived_tip_time: int  # when the last derived block was mined
    derived_height: int
    height: int
    arrived: tuple[Block, ...] = ()
    branches: tuple[Branch, ...] = ()
    # Caches of pure functions of the derived history, shared by the chains that keep it:
    # which height a derived hash belongs to, and the derived blocks built so far.
    hash_heights: dict[str, int] = field(default_factory=dict, repr=False, compare=False)
    derived_blocks: dict[int, Block] = field(default_factory=dict, repr=False, compare=False)
    hash_rates: dict[tuple, float] = field(default_factory=dict, repr=False, compare=False)
    # Derived blocks' transactions built so far, and the height of each txid handed out (the
    # node finds a confirmed transaction by its coin: the UTXO set knows the height).
    derived_txs: dict[int, tuple[Transaction, ...]] = field(default_factory=dict, repr=False,
                                                            compare=False)  # fmt: skip
    tx_heights: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def starting(cls, params: ChainParams, seed: int, now_seconds: int,
                 validated: int | None = None) -> Chain:  # fmt: skip
        """The chain as the node finds it at start-up: its best header a few minutes old, and
        validated up to ``validated`` (all of it unless given: the node is synced)."""
        height = params.start_height
        blocks = height if validated is None else max(0, min(validated, height))
        return cls(params, seed, now_seconds - 300, height, blocks)

    # -------------------------------------------------------------------------- reading
    @property
    def headers(self) -> int:
        return self.derived_height + len(self.arrived)

    @property
    def tip(self) -> Block:
        return self.block_at(self.height)

    def block_at(self, height: int) -> Block:
        """The header chain's block at ``height`` (0 <= height <= headers)."""
        if height <= self.derived_height:
            return self._derived(height)
        return self.arrived[height - self.derived_height - 1]

    def find(self, block_hash: str) -> tuple[Block, Branch | None] | None:
        """A block by hash, with the branch it is on (None: the header chain)."""
        height = self.hash_heights.get(block_hash)
        if (
            height is not None
            and height <= self.headers
            and self.block_at(height).hash == block_hash
        ):
            return self.block_at(height), None
        for block in self.arrived:
            if block.hash == block_hash:
                return block, None
        for branch in self.branches:
            for block in branch.blocks:
                if block.hash == block_hash:
                    return block, branch
        for height in range(
            self.derived_height, max(self.derived_height - HASH_SEARCH_DEPTH, -1), -1
        ):
            if self._derived_hash(height) == block_hash:
                return self._derived(height), None
        return None

    def txids(self, block: Block) -> tuple[str, ...]:
        """The block's transaction ids, the coinbase first."""
        return tuple(tx.txid for tx in self.transactions(block))

    def transactions(self, block: Block) -> tuple[Transaction, ...]:
        """The block's transactions, the coinbase first: stored for blocks that arrived, made
        from the seed and the height for the history before."""
        if block.transactions or not block.have_data:
            return block.transactions
        built = self.derived_txs.get(block.height)
        if built is None:
            if len(self.derived_txs) >= DERIVED_TXS_CACHE_SIZE:
                self.derived_txs.clear()
            built = self.derived_txs[block.height] = self._derived_transactions(block)
            if len(self.tx_heights) < 1 << 17:
                self.tx_heights.update((tx.txid, block.height) for tx in built)
        return built

    def locate(self, txid: str) -> tuple[Block, int] | None:
        """Where the active chain confirmed ``txid`` (its block and index), among the blocks
        that arrived and the derived ones whose transactions were handed out."""
        for block in self.arrived:
            if block.height <= self.height:
                for index, tx in enumerate(block.transactions):
                    if tx.txid == txid:
                        return block, index
        height = self.tx_heights.get(txid)
        if height is not None and height <= min(self.height, self.derived_height):
            block = self.block_at(height)
            txids = self.txids(block)
            if txid in txids:
                return block, txids.index(txid)
        return None

    def time_at(self, height: int) -> int:
        """The header chain's block time at ``height``, without building the block."""
        if height <= self.derived_height:
            return self._derived_time(height)
        return self.arrived[height - self.derived_height - 1].time

    def hash_rate(self, lookup: int, height: int, window: int) -> float:
        """``GetNetworkHashPS`` (src/rpc/mining.cpp @ PAI 3.0.0): the work of the last
        ``lookup`` blocks over their time span (-1 or 0: since the last difficulty change of a
        ``window``-block period), at the tip or at ``height``."""
        tip = self.tip if not 0 <= height < self.height else self.block_at(height)
        key = (lookup, tip.height, tip.hash)
        rate = self.hash_rates.get(key)
        if rate is None:
            rate = self._hash_rate(tip, lookup, window)
            if len(self.hash_rates) > 256:
                self.hash_rates.clear()
            self.hash_rates[key] = rate
        return rate

    def _hash_rate(self, tip: Block, lookup: int, window: int) -> float:
        if tip.height == 0:
            return 0
        if lookup <= 0:
            lookup = tip.height % window + 1
        lookup = min(lookup, tip.height)
        times = [self.time_at(h) for h in range(tip.height - lookup, tip.height + 1)]
        if min(times) == max(times):
            return 0
        past = self.block_at(tip.height - lookup)
        return float(tip.chainwork - past.chainwork) / (max(times) - min(times))

    def is_active(self, block: Block) -> bool:
        return block.height <= self.height and self.block_at(block.height).hash == block.hash

    def median_time_past(self, height: int) -> int:
        """``GetMedianTimePast``: the median time of the block and the ten before it."""
        times = sorted(self.time_at(h) for h in range(max(height - 10, 0), height + 1))
        return times[len(times) // 2]

    def branch_median_time_past(self, branch: Branch, block: Block) -> int:
        """The median time past of a block on a stale branch (its ancestors below the fork are
        the header chain's)."""
        times = []
        for height in range(max(block.height - 10, 0), block.height + 1):
            if height > branch.fork_height:
                times.append(branch.blocks[height - branch.fork_height - 1].time)
            else:
                times.append(self.time_at(height))
        times.sort()
        return times[len(times) // 2]

    def next_hash(self, block: Block) -> str | None:
        """The active chain's next block after ``block``, as ``chainActive.Next``."""
        if not self.is_active(block) or block.height >= self.height:
            return None
        return self.block_at(block.height + 1).hash

    # -------------------------------------------------------------------------- changes
    def extended(self, now_seconds: int, confirmed: list[tuple[Transaction, ...]]) -> Chain:
        """New blocks on the best header chain, mined now, one per entry of ``confirmed`` (the
        transactions each confirms). The node validates them at once when it is synced;
        otherwise they wait, as headers, for ``validated_to``."""
        arrived = list(self.arrived)
        previous = self.block_at(self.headers)
        for transactions in confirmed:
            previous = self._make(previous, previous.height + 1, now_seconds, transactions, 0)
            arrived.append(previous)
        synced = self.height == self.headers
        headers = self.derived_height + len(arrived)
        return replace(self, arrived=tuple(arrived), height=headers if synced else self.height)

    def validated_to(self, height: int) -> Chain:
        """Initial block download: blocks up to ``height`` of the header chain are validated."""
        return replace(self, height=max(self.height, min(height, self.headers)))

    def reorganized(self, depth: int, length: int, now_seconds: int) -> Chain:
        """The active tip's last ``depth`` blocks lose to a branch of ``length`` blocks (more
        work) forking below them; they become a ``valid-fork`` tip."""
        fork = self.height - depth
        old = tuple(self.block_at(h) for h in range(fork + 1, self.height + 1))
        branch_id = len(self.branches) + 1
        chain = self._truncated(fork)
        arrived = list(chain.arrived)
        previous = chain.block_at(fork)
        for height in range(fork + 1, fork + length + 1):
            previous = chain._make(previous, height, now_seconds, (), branch_id)
            arrived.append(previous)
        return replace(chain, arrived=tuple(arrived), height=fork + length,
                       branches=(*self.branches, Branch(fork, old, "valid-fork")))  # fmt: skip

    def with_branch(self, depth: int, length: int, status: str, now_seconds: int) -> Chain:
        """A competing branch of ``length`` blocks forking ``depth`` below the tip, which the
        node keeps as a stale tip with ``status``."""
        fork = self.height - depth
        previous = self.block_at(fork)
        blocks = []
        have_data = status not in ("headers-only", "valid-headers")
        for height in range(fork + 1, fork + length + 1):
            previous = self._make(previous, height, now_seconds, (), len(self.branches) + 1,
                                  have_data)  # fmt: skip
            blocks.append(previous)
        return replace(self, branches=(*self.branches, Branch(fork, tuple(blocks), status)))

    # -------------------------------------------------------------------------- internals
    def _truncated(self, height: int) -> Chain:
        """The header chain cut above ``height``."""
        if height < self.derived_height:
            # A shorter derived history spaces its blocks anew: the caches start over.
            return replace(self, arrived=(), derived_height=height, height=min(self.height, height),
                           hash_heights={}, derived_blocks={}, hash_rates={}, derived_txs={},
                           tx_heights={})  # fmt: skip
        keep = self.arrived[: height - self.derived_height]
        return replace(self, arrived=keep, height=min(self.height, height))

    def _key(self, *parts: object) -> bytes:
        text = ":".join(map(str, (self.params.family, self.params.name, self.seed, *parts)))
        return hashlib.sha256(text.encode()).digest()

    def _hash_below(self, digest: bytes, bits: int) -> str:
        """A block hash that meets ``bits``'s target, as a mined block's does."""
        value = int.from_bytes(digest + hashlib.sha256(digest).digest(), "big")
        return f"{value % (target_of(bits) + 1):064x}"

    def _derived_hash(self, height: int) -> str:
        if height == 0:
            return self.params.genesis_hash
        return self._hash_below(self._key("block", height), self.params.tip_bits)

    def _derived_time(self, height: int) -> int:
        params = self.params
        if height == 0:
            return params.genesis_time
        span = self.derived_tip_time - params.genesis_time
        spacing = min(params.target_spacing, span / max(self.derived_height, 1))
        jitter = int.from_bytes(self._key("time", height)[:2], "big") % (2 * TIME_JITTER + 1)
        even = self.derived_tip_time - (self.derived_height - height) * spacing
        return max(int(even) + jitter - TIME_JITTER, params.genesis_time + height)

    def _derived_chain_tx(self, height: int) -> int:
        """Transactions up to ``height``: ``transactions_per_block`` on average, each block at
        least its coinbase."""
        return height + 1 + int(height * (self.params.transactions_per_block - 1))

    def _derived(self, height: int) -> Block:
        block = self.derived_blocks.get(height)
        if block is None:
            if len(self.derived_blocks) >= DERIVED_CACHE_SIZE:
                self.derived_blocks.clear()
            block = self.derived_blocks[height] = self._build_derived(height)
        return block

    def _build_derived(self, height: int) -> Block:
        params = self.params
        block_hash = self._derived_hash(height)
        if len(self.hash_heights) < 1 << 16:
            self.hash_heights[block_hash] = height
        ntx = self._derived_chain_tx(height) - (self._derived_chain_tx(height - 1) if height else 0)
        key = self._key("txs", height)
        size = HEADER_BYTES + 1 + COINBASE_BYTES + (ntx - 1) * TRANSACTION_BYTES
        genesis = height == 0
        bits = params.genesis_bits if genesis else params.tip_bits
        return Block(
            height=height,
            hash=block_hash,
            previous=None if genesis else self._derived_hash(height - 1),
            time=self._derived_time(height),
            bits=bits,
            nonce=params.genesis_nonce if genesis else int.from_bytes(key[:4], "big"),
            version=params.genesis_version if genesis else VERSIONBITS_TOP_BITS,
            merkleroot=params.genesis_merkleroot if genesis else self._key("merkle", height).hex(),
            ntx=ntx,
            size=size,
            stripped_size=size,
            weight=size * WITNESS_SCALE_FACTOR,
            chainwork=work_of(params.genesis_bits) + height * work_of(params.tip_bits),
            chain_tx=self._derived_chain_tx(height),
        )

    def _derived_transactions(self, block: Block) -> tuple[Transaction, ...]:
        """A pre-start block's transactions, made from the seed and the height."""
        return history_transactions(self._key("txs", block.height), block.height, block.ntx,
                                    subsidy(self.params, block.height))  # fmt: skip

    def _make(self, previous: Block, height: int, now_seconds: int,
              confirmed: tuple[Transaction, ...], branch: int,
              have_data: bool = True) -> Block:  # fmt: skip
        """A block mined now on ``previous``, confirming ``confirmed`` after a coinbase that
        claims the subsidy and their fees: its time is never before the median time past."""
        bits = self.params.tip_bits
        key = self._key("arrived", branch, height)
        claim = subsidy(self.params, height) + sum(tx.fee for tx in confirmed)
        tx = (coinbase(key + b"coinbase", height, claim, COINBASE_BYTES), *confirmed)
        base = HEADER_BYTES + len(compact_size(len(tx)))
        size = base + sum(t.size for t in tx)
        stripped = base + sum(t.stripped_size for t in tx)
        return Block(
            height=height,
            hash=self._hash_below(key, bits),
            previous=previous.hash,
            time=max(now_seconds, previous.time - TIME_JITTER + 1),
            bits=bits,
            nonce=int.from_bytes(key[:4], "big"),
            version=VERSIONBITS_TOP_BITS,
            merkleroot=hashlib.sha256(key + b"merkle").hexdigest(),
            ntx=len(tx),
            transactions=tx,
            size=size,
            stripped_size=stripped,
            weight=base * WITNESS_SCALE_FACTOR + sum(t.weight for t in tx),
            chainwork=previous.chainwork + work_of(bits),
            chain_tx=previous.chain_tx + len(tx),
            have_data=have_data,
        )


def guess_verification_progress(params: ChainParams, tip: Block, now_us: int) -> float:
    """``GuessVerificationProgress`` (src/validation.cpp @ PAI 3.0.0): the share of all
    transactions up to now (``time(nullptr)``: whole seconds) that the tip includes,
    extrapolated from ChainTxData."""
    now = now_us // MICROS
    if tip.chain_tx <= params.chain_tx_count:
        total = params.chain_tx_count + (now - params.chain_tx_time) * params.chain_tx_rate
    else:
        total = tip.chain_tx + (now - tip.time) * params.chain_tx_rate
    return tip.chain_tx / total if total > 0 else 0.0
