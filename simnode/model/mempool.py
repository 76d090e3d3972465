"""The node's memory pool: unconfirmed transactions with their sizes, fees, arrival and family
(in-mempool parents and children), filled by arriving transactions and drained by blocks.

Transactions are generated from the seed and their arrival number, so a seed gives the same
pool. Amounts are in satoshis; feerates in satoshis per virtual byte.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from functools import cached_property

from simnode.model.chainparams import MAX_BLOCK_WEIGHT, WITNESS_SCALE_FACTOR
from simnode.model.transactions import Transaction, payment

DEFAULT_MAX_MEMPOOL_BYTES = 300 * 1_000_000  # -maxmempool, src/policy/policy.h @ PAI 3.0.0
DEFAULT_MIN_RELAY_TX_FEE = 1000  # satoshis per kvB, src/validation.h @ PAI 3.0.0
BLOCK_MAX_VSIZE = MAX_BLOCK_WEIGHT // WITNESS_SCALE_FACTOR - 1000  # room for header/coinbase
# What one entry costs the node in memory beyond its serialized size (CTxMemPoolEntry, the
# indexes of mapTx and mapLinks): about three times the bytes, as DynamicMemoryUsage reports.
ENTRY_OVERHEAD_BYTES = 600
USAGE_PER_BYTE = 3
DUST_SATOSHIS = 546  # the least a P2PKH output may pay (GetDustThreshold at 3 sat/vB)


@dataclass(frozen=True, slots=True)
class MempoolTx:
    body: Transaction  # its ids, sizes and fee are the body's
    time: int  # when it entered the pool
    height: int  # the chain's height then
    parents: tuple[str, ...]  # in-mempool transactions it spends

    @property
    def txid(self) -> str:
        return self.body.txid

    @property
    def wtxid(self) -> str:
        return self.body.wtxid

    @property
    def vsize(self) -> int:
        return self.body.vsize

    @property
    def weight(self) -> int:
        return self.body.weight

    @property
    def fee(self) -> int:  # satoshis
        return self.body.fee

    @property
    def feerate(self) -> float:
        return self.fee / self.vsize


@dataclass(frozen=True, slots=True)
class Family:
    ancestor_count: int
    ancestor_size: int
    ancestor_fees: int
    descendant_count: int
    descendant_size: int
    descendant_fees: int


@dataclass(frozen=True)
class Mempool:
    """The pool at one instant, in arrival order. Immutable: changes return a new Mempool, and
    what is derived from the entries (totals, the family index) is computed once per pool."""

    seed: int
    entries: tuple[MempoolTx, ...] = ()
    arrivals: int = 0  # transactions ever generated: the next one's number
    removals: int = 0  # transactions ever removed (confirmed)

    @property
    def size(self) -> int:
        return len(self.entries)

    @cached_property
    def bytes(self) -> int:
        return sum(tx.vsize for tx in self.entries)

    @cached_property
    def usage(self) -> int:
        return sum(tx.vsize * USAGE_PER_BYTE + ENTRY_OVERHEAD_BYTES for tx in self.entries)

    @cached_property
    def total_fee(self) -> int:
        return sum(tx.fee for tx in self.entries)

    @cached_property
    def by_id(self) -> dict[str, MempoolTx]:
        return {tx.txid: tx for tx in self.entries}

    @cached_property
    def children(self) -> dict[str, tuple[str, ...]]:
        found: dict[str, list[str]] = {}
        for tx in self.entries:
            for parent in tx.parents:
                found.setdefault(parent, []).append(tx.txid)
        return {parent: tuple(kids) for parent, kids in found.items()}

    @cached_property
    def families(self) -> dict[str, Family]:
        """Each entry's in-mempool ancestors and descendants, counted with the entry itself
        (CTxMemPoolEntry's *WithAncestors / *WithDescendants figures)."""
        result = {}
        for tx in self.entries:
            up, down = [tx, *self.ancestors(tx.txid)], [tx, *self.descendants(tx.txid)]
            result[tx.txid] = Family(
                len(up), sum(m.vsize for m in up), sum(m.fee for m in up),
                len(down), sum(m.vsize for m in down), sum(m.fee for m in down),
            )  # fmt: skip
        return result

    def get(self, txid: str) -> MempoolTx | None:
        return self.by_id.get(txid)

    def ancestors(self, txid: str) -> list[MempoolTx]:
        """In-mempool ancestors of ``txid`` (CalculateMemPoolAncestors), nearest first."""
        return self._family(txid, lambda tx: tx.parents)

    def descendants(self, txid: str) -> list[MempoolTx]:
        return self._family(txid, lambda tx: self.children.get(tx.txid, ()))

    def _family(self, txid: str, next_of) -> list[MempoolTx]:  # type: ignore[no-untyped-def]
        by_id = self.by_id
        found: dict[str, MempoolTx] = {}
        frontier = list(next_of(by_id[txid]))
        while frontier:
            relative = by_id.get(frontier.pop(0))
            if relative is not None and relative.txid not in found:
                found[relative.txid] = relative
                frontier.extend(next_of(relative))
        return list(found.values())

    # -------------------------------------------------------------------------- changes
    def with_arrivals(
        self, count: int, now_seconds: int, height: int, feerate: float | None = None,
        vsize: int | None = None,
    ) -> Mempool:  # fmt: skip
        """``count`` transactions arrive; about one in five spends the output of an earlier
        unconfirmed one, if no other does (the output pays it and its fee). Each is a witness
        spend unless its weight is a multiple of four."""
        entries = list(self.entries)
        spent = {parent for tx in entries for parent in tx.parents}
        for number in range(self.arrivals, self.arrivals + count):
            digest = hashlib.sha256(f"tx:{self.seed}:{number}".encode()).digest()
            size = vsize or 110 + int.from_bytes(digest[:2], "big") % 900
            # Feerates spread as real pools show them: most low, a long tail of urgent ones.
            rate = feerate if feerate is not None else 1 + (digest[2] / 255) ** 3 * 80
            parent = None
            if entries and digest[3] < 51:  # unless that one's output is spent already
                parent = entries[int.from_bytes(digest[4:6], "big") % len(entries)]
                parent = None if parent.txid in spent else parent
            weight = size * WITNESS_SCALE_FACTOR - digest[6] % 4
            fee = max(round(rate * size), 1)
            value = int.from_bytes(digest[8:12], "little") % 50_000_000 + 100_000
            if parent is not None:  # the parent's first output pays this one and the fee
                paid = parent.body.outputs[0].value
                fee = max(min(fee, paid - DUST_SATOSHIS), 0)
                value = paid - fee
                spent.add(parent.txid)
            body = payment(digest, weight, value, fee,
                           None if parent is None else (parent.txid, 0))  # fmt: skip
            entries.append(MempoolTx(body, now_seconds, height,
                                     () if parent is None else (parent.txid,)))  # fmt: skip
        return replace(self, entries=tuple(entries), arrivals=self.arrivals + count)

    def block_template(self) -> tuple[Transaction, ...]:
        """What a block would confirm: the best-paying transactions (parents before children)
        that fit in a block."""
        chosen: dict[str, MempoolTx] = {}
        room = BLOCK_MAX_VSIZE
        for tx in sorted(self.entries, key=lambda tx: -tx.feerate):
            package = [a for a in reversed(self.ancestors(tx.txid)) if a.txid not in chosen]
            package.append(tx)
            package_size = sum(p.vsize for p in package if p.txid not in chosen)
            if tx.txid in chosen or package_size > room:
                continue
            for member in package:
                chosen[member.txid] = member
            room -= package_size
        return tuple(tx.body for tx in self.entries if tx.txid in chosen)

    def without(self, txids: tuple[str, ...]) -> Mempool:
        """The pool after a block confirmed ``txids``."""
        gone = set(txids)
        entries = tuple(tx for tx in self.entries if tx.txid not in gone)
        return replace(self, entries=entries,
                       removals=self.removals + len(self.entries) - len(entries))  # fmt: skip

    @property
    def sequence(self) -> int:
        """``CTxMemPool::GetSequence``: 1, plus one per transaction accepted (MemPoolAccept) and
        per transaction removed (removeUnchecked), src/txmempool.h @ v31.0."""
        return 1 + self.arrivals + self.removals

    def minimum_feerate_for(self, blocks: int) -> float | None:
        """The feerate (sat/vB) that gets into the next ``blocks`` blocks, judged from the pool:
        the rate of the transaction where ``blocks`` blocks' worth of the best-paying ones ends.
        None when the pool would not fill them (no data to estimate from)."""
        room = blocks * BLOCK_MAX_VSIZE
        for tx in sorted(self.entries, key=lambda tx: -tx.feerate):
            room -= tx.vsize
            if room < 0:
                return tx.feerate
        return None
