"""Transactions as the node keeps them: inputs, outputs, witnesses, serialized as CTransaction is
(src/primitives/transaction.h SerializeTransaction @ PAI 3.0.0, the same bytes as Bitcoin Core's
for the version-2 transactions simnode makes), with the ids a node computes from those bytes.

simnode's transactions are made from a seed: one input, one output, padded to the size and
weight the model asks for. Their txid is the double SHA-256 of the body without witness, so
``getrawtransaction``'s hex, ``getblock`` 0 and every txid the node reports agree, and a client
that deserializes a transaction and hashes it finds the txid it asked for.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property

from simnode.model.chainparams import WITNESS_SCALE_FACTOR, ChainParams

COIN = 100_000_000
COINBASE_BYTES = 180
TRANSACTION_BYTES = 250  # each other transaction of a block found before simnode started
NULL_TXID = "00" * 32
FINAL_SEQUENCE = 0xFFFFFFFF
# Output scripts simnode pays to, by their size: P2WPKH (OP_0 <20>), P2SH (OP_HASH160 <20>
# OP_EQUAL), P2PKH (OP_DUP OP_HASH160 <20> OP_EQUALVERIFY OP_CHECKSIG).
_SCRIPT_KINDS = ("p2wpkh", "p2sh", "p2pkh")
# A transaction's bytes besides its input script and output script with their length prefixes:
# version, input count, prevout, sequence, output count, value, lock time.
_FIXED_BYTES = 4 + 1 + 36 + 4 + 1 + 8 + 4
_SIGNATURE_PUBKEY_WITNESS = 2 + 1 + 1 + 1 + 33  # marker, flag, count, two length bytes, a key


def double_sha256(data: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def compact_size(n: int) -> bytes:
    """``WriteCompactSize`` (src/serialize.h)."""
    if n < 0xFD:
        return n.to_bytes(1, "little")
    if n <= 0xFFFF:
        return b"\xfd" + n.to_bytes(2, "little")
    if n <= 0xFFFFFFFF:
        return b"\xfe" + n.to_bytes(4, "little")
    return b"\xff" + n.to_bytes(8, "little")


def _var_bytes(data: bytes) -> bytes:
    return compact_size(len(data)) + data


@dataclass(frozen=True, slots=True)
class TxIn:
    prev_txid: str  # as RPCs show it (byte-reversed hex); NULL_TXID for a coinbase
    prev_vout: int
    script_sig: bytes
    sequence: int = FINAL_SEQUENCE
    witness: tuple[bytes, ...] = ()


@dataclass(frozen=True, slots=True)
class TxOut:
    value: int  # satoshis
    script_pubkey: bytes


@dataclass(frozen=True)
class Transaction:
    """A transaction body; ``fee`` is what the model says its inputs pay beyond its outputs (the
    coins it spends are not modelled), 0 for a coinbase or a decoded transaction."""

    version: int  # nVersion as the stream's 32 bits
    inputs: tuple[TxIn, ...]
    outputs: tuple[TxOut, ...]
    locktime: int = 0
    fee: int = field(default=0, compare=False)

    @property
    def is_coinbase(self) -> bool:
        """``CTransaction::IsCoinBase``: one input spending the null prevout."""
        return (len(self.inputs) == 1 and self.inputs[0].prev_txid == NULL_TXID
                and self.inputs[0].prev_vout == 0xFFFFFFFF)  # fmt: skip

    @property
    def has_witness(self) -> bool:
        return any(txin.witness for txin in self.inputs)

    def serialize(self, with_witness: bool = True) -> bytes:
        """``SerializeTransaction``: the BIP144 form when an input has a witness."""
        witness = with_witness and self.has_witness
        parts = [self.version.to_bytes(4, "little"), b"\x00\x01" if witness else b"",
                 compact_size(len(self.inputs))]  # fmt: skip
        for txin in self.inputs:
            parts += [bytes.fromhex(txin.prev_txid)[::-1], txin.prev_vout.to_bytes(4, "little"),
                      _var_bytes(txin.script_sig), txin.sequence.to_bytes(4, "little")]  # fmt: skip
        parts.append(compact_size(len(self.outputs)))
        for txout in self.outputs:
            parts += [txout.value.to_bytes(8, "little", signed=True),
                      _var_bytes(txout.script_pubkey)]  # fmt: skip
        if witness:
            for txin in self.inputs:
                parts.append(compact_size(len(txin.witness)))
                parts += [_var_bytes(item) for item in txin.witness]
        parts.append(self.locktime.to_bytes(4, "little"))
        return b"".join(parts)

    @cached_property
    def raw(self) -> bytes:
        return self.serialize()

    @cached_property
    def stripped_size(self) -> int:
        return len(self.serialize(with_witness=False)) if self.has_witness else len(self.raw)

    @cached_property
    def txid(self) -> str:
        body = self.serialize(with_witness=False) if self.has_witness else self.raw
        return double_sha256(body)[::-1].hex()

    @cached_property
    def wtxid(self) -> str:
        return double_sha256(self.raw)[::-1].hex() if self.has_witness else self.txid

    @property
    def size(self) -> int:
        return len(self.raw)

    @property
    def weight(self) -> int:
        """``GetTransactionWeight``: the stripped size counted four times, the witness once."""
        return self.stripped_size * (WITNESS_SCALE_FACTOR - 1) + self.size

    @property
    def vsize(self) -> int:
        return (self.weight + WITNESS_SCALE_FACTOR - 1) // WITNESS_SCALE_FACTOR


# ------------------------------------------------------------------------------ making them
def _stream(seed: bytes, size: int) -> bytes:
    """``size`` bytes expanded from ``seed``."""
    return hashlib.shake_256(seed).digest(size)


def output_script(kind: str, seed: bytes) -> bytes:
    program = hashlib.sha256(b"script" + seed).digest()[:20]
    if kind == "p2wpkh":
        return b"\x00\x14" + program
    if kind == "p2sh":
        return b"\xa9\x14" + program + b"\x87"
    return b"\x76\xa9\x14" + program + b"\x88\xac"


def pushes(data: bytes) -> bytes:
    """An input script of exactly ``len(data)`` bytes made of data pushes of 5 to 75 bytes (so
    ScriptToAsmStr shows each as hex, not as a number), and OP_0s for a remainder under 6."""
    script, rest = b"", data
    while rest:
        if len(rest) < 6:
            return script + b"\x00" * len(rest)
        take = 76 if len(rest) - 76 >= 6 or len(rest) <= 76 else len(rest) - 6
        take = min(take, len(rest))
        script += bytes([take - 1]) + rest[1:take]
        rest = rest[take:]
    return script


def _script_field(length: int) -> int | None:
    """The script size whose length prefix and bytes take ``length`` bytes, if one does."""
    if 1 <= length <= 0xFD:
        return length - 1
    if length - 3 >= 0xFD:
        return length - 3
    return None


def payment(seed: bytes, weight: int, value: int, fee: int,
            spends: tuple[str, int] | None = None) -> Transaction:  # fmt: skip
    """A one-input, one-output transaction of ``weight`` (a witness spend when ``weight`` is no
    multiple of four, or as near as the smallest transaction allows), spending ``spends`` (a
    txid and an output index) or a coin made from the seed."""
    witness: tuple[bytes, ...] = ()
    stripped = -(-weight // WITNESS_SCALE_FACTOR)
    if weight % WITNESS_SCALE_FACTOR:
        # A signature (69-72 bytes) and a compressed key: weight = 4 * stripped + witness bytes.
        signature = next(n for n in range(69, 73)
                         if (_SIGNATURE_PUBKEY_WITNESS + n - weight) % 4 == 0)  # fmt: skip
        witness_bytes = _SIGNATURE_PUBKEY_WITNESS + signature
        stripped = max((weight - witness_bytes) // WITNESS_SCALE_FACTOR, 0)
        data = _stream(seed + b"witness", signature + 33)
        witness = (data[:signature], b"\x02" + data[signature + 1 :])
    kinds = _SCRIPT_KINDS[seed[0] % 3 :] + _SCRIPT_KINDS[: seed[0] % 3]
    for kind in kinds:
        script_pubkey = output_script(kind, seed)
        length = _script_field(stripped - _FIXED_BYTES - 1 - len(script_pubkey))
        if length is not None:
            break
    else:  # too small for any: the smallest this shape makes
        script_pubkey, length = output_script("p2wpkh", seed), 0
    prev_txid, prev_vout = spends or (hashlib.sha256(b"coin" + seed).hexdigest(), seed[1] % 4)
    script_sig = pushes(_stream(seed + b"sig", length))
    return Transaction(
        version=2,
        inputs=(TxIn(prev_txid, prev_vout, script_sig, FINAL_SEQUENCE, witness),),
        outputs=(TxOut(value, script_pubkey),),
        fee=fee,
    )


def coinbase(seed: bytes, height: int, value: int, size: int) -> Transaction:
    """A coinbase of ``size`` bytes paying ``value``: its script starts with the BIP34 height."""
    script_pubkey = output_script("p2wpkh", seed)
    height_push = height.to_bytes((height.bit_length() + 8) // 8 or 1, "little")
    script_size = size - _FIXED_BYTES - 1 - 1 - len(script_pubkey)
    script = bytes([len(height_push)]) + height_push + _stream(seed, script_size)
    return Transaction(
        version=2,
        inputs=(TxIn(NULL_TXID, 0xFFFFFFFF, script[:script_size]),),
        outputs=(TxOut(value, script_pubkey),),
    )


def history_transactions(seed: bytes, height: int, count: int,
                         block_subsidy: int) -> tuple[Transaction, ...]:  # fmt: skip
    """The ``count`` transactions of a block from before simnode started: ``TRANSACTION_BYTES``
    payments paying 1 to 60 sat/vB, and a coinbase claiming the subsidy and their fees."""
    payments = []
    for index in range(1, count):
        made = hashlib.sha256(seed + index.to_bytes(4, "big")).digest()
        value = int.from_bytes(made[4:8], "little") % 100_000_000 + 10_000
        fee = (int.from_bytes(made[8:10], "big") % 60 + 1) * TRANSACTION_BYTES
        payments.append(payment(made, TRANSACTION_BYTES * WITNESS_SCALE_FACTOR, value, fee))
    claim = block_subsidy + sum(tx.fee for tx in payments)
    return (coinbase(seed + b"coinbase", height, claim, COINBASE_BYTES), *payments)


def subsidy(params: ChainParams, height: int) -> int:
    """``GetBlockSubsidy`` (src/validation.cpp): 50 coins, halved every interval."""
    halvings = height // params.halving_interval
    return 0 if halvings >= 64 else (50 * COIN) >> halvings


# ------------------------------------------------------------------------------ reading them
class DecodeError(ValueError):
    """The bytes are not one whole transaction."""


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.offset = data, 0

    def take(self, n: int) -> bytes:
        if self.offset + n > len(self.data):
            raise DecodeError("end of data")
        chunk = self.data[self.offset : self.offset + n]
        self.offset += n
        return chunk

    def integer(self, n: int) -> int:
        return int.from_bytes(self.take(n), "little")

    def compact(self) -> int:
        """``ReadCompactSize``, refusing non-canonical forms and sizes past MAX_SIZE."""
        first = self.integer(1)
        if first < 0xFD:
            return first
        width = {0xFD: 2, 0xFE: 4, 0xFF: 8}[first]
        value = self.integer(width)
        if value < (0xFD, 0x10000, 0x100000000)[(2, 4, 8).index(width)]:
            raise DecodeError("non-canonical ReadCompactSize()")
        if value > 0x02000000:
            raise DecodeError("ReadCompactSize(): size too large")
        return value

    def var_bytes(self) -> bytes:
        return self.take(self.compact())


def _inputs(reader: _Reader) -> list[TxIn]:
    return [TxIn(reader.take(32)[::-1].hex(), reader.integer(4), reader.var_bytes(),
                 reader.integer(4)) for _ in range(reader.compact())]  # fmt: skip


def _outputs(reader: _Reader) -> list[TxOut]:
    return [TxOut(int.from_bytes(reader.take(8), "little", signed=True), reader.var_bytes())
            for _ in range(reader.compact())]  # fmt: skip


def _unserialize(data: bytes, allow_witness: bool) -> Transaction:
    """``UnserializeTransaction`` @ PAI 3.0.0 / v31.0, the whole of ``data`` or DecodeError."""
    reader = _Reader(data)
    version = reader.integer(4)
    flags = 0
    inputs = _inputs(reader)
    outputs: list[TxOut] = []
    if not inputs and allow_witness:
        flags = reader.integer(1)
        if flags:
            inputs, outputs = _inputs(reader), _outputs(reader)
    else:
        outputs = _outputs(reader)
    if flags & 1 and allow_witness:
        flags ^= 1
        stacks = [tuple(reader.var_bytes() for _ in range(reader.compact())) for _ in inputs]
        if not any(stacks):
            raise DecodeError("Superfluous witness record")
        inputs = [TxIn(i.prev_txid, i.prev_vout, i.script_sig, i.sequence, stack)
                  for i, stack in zip(inputs, stacks, strict=True)]  # fmt: skip
    if flags:
        raise DecodeError("Unknown transaction optional data")
    locktime = reader.integer(4)
    if reader.offset != len(data):
        raise DecodeError("extra data")
    return Transaction(version, tuple(inputs), tuple(outputs), locktime)


def decode_transaction(data: bytes, try_no_witness: bool = True,
                       try_witness: bool = True) -> Transaction:  # fmt: skip
    """``DecodeTx`` (src/core_read.cpp @ v31.0): the extended (witness) form first, then the
    legacy one; a form is taken only if it reads every byte."""
    for allow_witness in (True, False):
        if try_witness if allow_witness else try_no_witness:
            try:
                tx = _unserialize(data, allow_witness)
            except DecodeError:
                continue
            if allow_witness or not tx.has_witness:
                return tx
    raise DecodeError("TX decode failed")
