"""``getblock`` verbosity 0: the block serialized as the node writes it (CBlock: the header, a
compact-size transaction count, the transactions as ``model.transactions`` serializes them), so
a client that deserializes it (python-bitcoinlib's ``Proxy.getblock``, any block parser) can, and
finds each transaction's txid by hashing it."""

from __future__ import annotations

from simnode.model.chain import Block
from simnode.model.transactions import Transaction, compact_size


def header_bytes(block: Block) -> bytes:
    """The 80-byte header (CBlockHeader), as ``getblockheader`` verbose=false sends it."""
    return (
        block.version.to_bytes(4, "little")
        + bytes.fromhex(block.previous or "00" * 32)[::-1]
        + bytes.fromhex(block.merkleroot)[::-1]
        + block.time.to_bytes(4, "little")
        + block.bits.to_bytes(4, "little")
        + block.nonce.to_bytes(4, "little")
    )


def raw_block(block: Block, transactions: tuple[Transaction, ...]) -> bytes:
    """The whole block: header, transaction count, transactions."""
    body = b"".join(tx.raw for tx in transactions)
    return header_bytes(block) + compact_size(len(transactions)) + body
