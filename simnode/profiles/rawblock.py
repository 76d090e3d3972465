"""``getblock`` verbosity 0: the block serialized as the node writes it (CBlock: the header, a
compact-size transaction count, the transactions), so a client that deserializes it
(python-bitcoinlib's ``Proxy.getblock``, any block parser) can.

simnode keeps no transaction bodies, so each transaction is a minimal one made from its txid: one
input (the coinbase's spends nothing and starts with the BIP34 height), one output, exactly the
size ``getblock`` verbosity 2 reports for it. Parsers get well-formed data; a transaction's hash
is not its txid (docs/fidelity.md).
"""

from __future__ import annotations

import hashlib

from simnode.model.chain import COINBASE_BYTES, TRANSACTION_BYTES, Block

_OUTPUT_SCRIPT_SIZE = 22  # a P2WPKH-shaped script: OP_0, a 20-byte push
OUTPUT_BYTES = 8 + 1 + _OUTPUT_SCRIPT_SIZE  # CTxOut: value, script length, script
# Everything in a transaction but its input script and that script's length prefix:
# version, input count, prevout, sequence, output count, the output, lock time.
_FIXED_BYTES = 4 + 1 + 36 + 4 + 1 + OUTPUT_BYTES + 4


def transaction_size(index: int) -> int:
    """The size of a block's ``index``-th transaction (the coinbase first)."""
    return COINBASE_BYTES if index == 0 else TRANSACTION_BYTES


def fee_of(txid: str) -> int:
    """A non-coinbase transaction's fee, in satoshis: 1 to 60 sat/vB of its size."""
    rate = int.from_bytes(_seed(b"fee", txid)[:2], "big") % 60
    return (rate + 1) * TRANSACTION_BYTES


def output_value(txid: str) -> int:
    """What a non-coinbase transaction's one output pays, in satoshis."""
    return int.from_bytes(_seed(b"value", txid)[:4], "little") % 100_000_000 + 10_000


def _seed(purpose: bytes, txid: str) -> bytes:
    return hashlib.sha256(purpose + bytes.fromhex(txid)).digest()


def compact_size(n: int) -> bytes:
    """``WriteCompactSize`` (src/serialize.h)."""
    if n < 0xFD:
        return n.to_bytes(1, "little")
    if n <= 0xFFFF:
        return b"\xfd" + n.to_bytes(2, "little")
    if n <= 0xFFFFFFFF:
        return b"\xfe" + n.to_bytes(4, "little")
    return b"\xff" + n.to_bytes(8, "little")


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


def raw_block(block: Block, txids: tuple[str, ...], coinbase_value: int) -> bytes:
    """The whole block: header, transaction count, transactions; the coinbase pays
    ``coinbase_value`` (the subsidy and the fees)."""
    transactions = b"".join(
        _transaction(txid, block.height, index, coinbase_value) for index, txid in enumerate(txids)
    )
    return header_bytes(block) + compact_size(len(txids)) + transactions


def coinbase_script(txid: str, height: int) -> bytes:
    """The coinbase's input script: the BIP34 height push, then bytes from its txid."""
    seed = hashlib.sha256(bytes.fromhex(txid)).digest()
    script_size = transaction_size(0) - _FIXED_BYTES - 1
    height_push = height.to_bytes((height.bit_length() + 8) // 8 or 1, "little")
    return (bytes([len(height_push)]) + height_push + seed * (script_size // 32 + 1))[:script_size]


def _transaction(txid: str, height: int, index: int, coinbase_value: int) -> bytes:
    seed = hashlib.sha256(bytes.fromhex(txid)).digest()
    script_size = transaction_size(index) - _FIXED_BYTES - 1  # one byte of length prefix
    if index == 0:  # the coinbase: a null prevout, the height first in its script (BIP34)
        prevout = b"\x00" * 32 + b"\xff\xff\xff\xff"
        script = coinbase_script(txid, height)
        value = coinbase_value
    else:
        prevout = seed + b"\x00\x00\x00\x00"
        script = seed * (script_size // 32 + 1)
        value = output_value(txid)
    output = b"\x00\x14" + seed[:20]
    return (
        (2).to_bytes(4, "little")
        + b"\x01" + prevout + compact_size(script_size) + script[:script_size]
        + b"\xff\xff\xff\xff"
        + b"\x01" + value.to_bytes(8, "little") + bytes([len(output)]) + output
        + b"\x00\x00\x00\x00"
    )  # fmt: skip
