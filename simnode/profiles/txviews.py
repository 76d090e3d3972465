"""Transactions and their outputs as each release renders them: TxToUniv and ScriptPubKeyToUniv
(src/core_write.cpp; src/core_io.cpp @ v31.0), getrawtransaction's TxToJSON and gettxout. The
key orders of Bitcoin Core are ``chainshapes.TRANSACTION``, ``SCRIPT_PUBKEY`` and ``TXOUT``;
PAI Core 3.0.0's are below (its TxToUniv adds a transaction class and ``expiry``)."""

from __future__ import annotations

from typing import Any

from simnode.model.chain import Block, Chain
from simnode.model.chainparams import ChainParams
from simnode.model.transactions import Transaction, TxIn, TxOut, output_script
from simnode.profiles.chainshapes import SCRIPT_PUBKEY, TRANSACTION, TXOUT, core_version, shaped
from simnode.profiles.history import v
from simnode.profiles.jsontext import Amount
from simnode.profiles.profile import Profile
from simnode.profiles.scripts import (
    base58check,
    descriptor_checksum,
    hash160,
    script_asm,
    segwit_address,
    solve,
)

# The releases these renderers branch on (read once: they run for every transaction).
V0_14, V0_15, V0_16, V0_17, V0_19, V22, V23 = (
    v("0.14"),
    v("0.15"),
    v("0.16"),
    v("0.17"),
    v("0.19"),
    v("22"),
    v("23"),
)
# TxToUniv and getrawtransaction's TxToJSON @ PAI 3.0.0 (src/core_write.cpp,
# src/rpc/rawtransaction.cpp): "type" is the class (StakeInfoToUniv), "expiry" nExpiry.
PAI_TRANSACTION = ("txid", "type", "hash", "version", "size", "vsize", "locktime", "expiry", "vin",
                   "vout", "hex", "blockhash", "confirmations", "time", "blocktime")  # fmt: skip
# base58Prefixes PUBKEY_ADDRESS and SCRIPT_ADDRESS, bech32_hrp (src/chainparams.cpp @ PAI 3.0.0,
# which has no bech32; src/kernel/chainparams.cpp @ v31.0).
ADDRESS_PREFIXES: dict[tuple[str, str], tuple[int, int, str | None]] = {
    ("pai", "main"): (56, 130, None), ("pai", "test"): (51, 180, None),
    ("pai", "regtest"): (51, 180, None), ("bitcoin", "main"): (0, 5, "bc"),
    ("bitcoin", "test"): (111, 196, "tb"), ("bitcoin", "regtest"): (111, 196, "bcrt"),
}  # fmt: skip


def _destination(version: int | None, params: ChainParams, kind: str,
                 solutions: tuple[bytes, ...]) -> str | None:  # fmt: skip
    """``EncodeDestination(ExtractDestination(...))``: base58 for key and script hashes;
    witness programs from 0.16 (bech32), bech32m for version 1+ from 22; none for PAI."""
    pubkey_prefix, script_prefix, hrp = ADDRESS_PREFIXES[(params.family, params.name)]
    if kind == "pubkeyhash":
        return base58check(bytes([pubkey_prefix]) + solutions[0])
    if kind == "scripthash":
        return base58check(bytes([script_prefix]) + solutions[0])
    if hrp is None or version is None or version < V0_16:
        return None
    if kind in ("witness_v0_keyhash", "witness_v0_scripthash"):
        return segwit_address(hrp, 0, solutions[0], bech32m=False)
    if kind in ("witness_v1_taproot", "witness_unknown"):
        witness_version = 1 if kind == "witness_v1_taproot" else solutions[0][0]
        return segwit_address(hrp, witness_version, solutions[-1], bech32m=version >= V22)
    return None


def _type_name(version: int | None, kind: str) -> str:
    """GetTxnOutputType: taproot has its name from 22; unknown witness versions from 0.17."""
    if kind == "witness_v1_taproot" and (version is None or version < V22):
        kind = "witness_unknown"
    if kind == "witness_unknown" and (version is None or version < V0_17):
        return "nonstandard"
    return kind


def _descriptor(kind: str, solutions: tuple[bytes, ...], address: str | None,
                script: bytes) -> str:  # fmt: skip
    """``InferDescriptor(script, DUMMY_SIGNING_PROVIDER)``: pk() and multi() for bare keys,
    addr() for anything with an address, raw() for the rest."""
    if kind == "pubkey":
        text = f"pk({solutions[0].hex()})"
    elif kind == "multisig":
        text = f"multi({solutions[0][0]},{','.join(key.hex() for key in solutions[1:])})"
    elif address is not None:
        text = f"addr({address})"
    else:
        text = f"raw({script.hex()})"
    return descriptor_checksum(text)


def script_pubkey_json(profile: Profile, params: ChainParams, script: bytes) -> dict[str, Any]:
    """``ScriptPubKeyToUniv`` with its hex: reqSigs and addresses up to 0.21 (none for a bare
    key from 0.19), one address from 22, desc from 23."""
    version = core_version(profile)
    kind, solutions = solve(script)
    address = _destination(version, params, kind, solutions)
    values: dict[str, Any] = {"asm": script_asm(script), "hex": script.hex(),
                              "type": _type_name(version, kind)}  # fmt: skip
    if address is not None:
        values["address"] = address
    if kind != "pubkey" or version is None or version < V0_19:  # ExtractDestinations
        if address is not None:
            values.update(reqSigs=1, addresses=[address])
        elif kind in ("pubkey", "multisig"):  # each key's P2PKH address
            keys = solutions if kind == "pubkey" else solutions[1:]
            prefix = ADDRESS_PREFIXES[(params.family, params.name)][0]
            hashes = [hash160(key) for key in keys]
            if all(hashes):  # None where this Python's OpenSSL has no RIPEMD-160
                required = 1 if kind == "pubkey" else solutions[0][0]
                addresses = [base58check(bytes([prefix]) + h) for h in hashes if h]
                values.update(reqSigs=required, addresses=addresses)
    if version is not None and version >= V23:
        values["desc"] = _descriptor(kind, solutions, address, script)
    return shaped(SCRIPT_PUBKEY, version if version is not None else 0, values,
                  profile.deprecatedrpc)  # fmt: skip


def _prevout_json(profile: Profile, chain: Chain, tx: Transaction, txin: TxIn,
                  block: Block) -> dict[str, Any]:  # fmt: skip
    """The coin an input spent, as the block's undo data has it (TxToUniv's prevout, 23+): an
    output of a transaction simnode confirmed, or a coin from before its history (made from the
    outpoint, worth what makes the fee the model's)."""
    located = chain.locate(txin.prev_txid)
    parent = chain.transactions(located[0])[located[1]] if located is not None else None
    if located is not None and parent is not None and txin.prev_vout < len(parent.outputs):
        out, height, generated = (
            parent.outputs[txin.prev_vout],
            located[0].height,
            parent.is_coinbase,
        )
    else:
        seed = bytes.fromhex(txin.prev_txid)
        value = (sum(out.value for out in tx.outputs) + tx.fee) // len(tx.inputs)
        out, generated = TxOut(value, output_script("p2wpkh", seed)), False
        height = max(block.height - 1 - seed[0] * 16, 1)
    script = script_pubkey_json(profile, chain.params, out.script_pubkey)
    return {"generated": generated, "height": height, "value": Amount(out.value),
            "scriptPubKey": script}  # fmt: skip


def _input_json(profile: Profile, tx: Transaction, txin: TxIn,
                undo: tuple[Chain, Block] | None) -> dict[str, Any]:  # fmt: skip
    """An input; ``undo``: the chain and block whose undo data gives its prevout."""
    version = core_version(profile)
    if tx.is_coinbase:
        entry: dict[str, Any] = {"coinbase": txin.script_sig.hex()}
    else:
        entry = {"txid": txin.prev_txid, "vout": txin.prev_vout,
                 "scriptSig": {"asm": script_asm(txin.script_sig, attempt_sighash_decode=True),
                               "hex": txin.script_sig.hex()}}  # fmt: skip
    # A coinbase's witness is shown by 0.13 (tx.wit) and from 22, not by the releases between.
    old = version is not None and version < V0_14
    if txin.witness and (not tx.is_coinbase or (version or 0) >= V22 or old):
        entry["txinwitness"] = [item.hex() for item in txin.witness]
    if undo is not None and not tx.is_coinbase:
        entry["prevout"] = _prevout_json(profile, undo[0], tx, txin, undo[1])
    entry["sequence"] = txin.sequence
    return entry


def _output_json(profile: Profile, params: ChainParams, index: int, out: TxOut) -> dict:
    return {"value": Amount(out.value), "n": index,
            "scriptPubKey": script_pubkey_json(profile, params, out.script_pubkey)}  # fmt: skip


def transaction_json(profile: Profile, params: ChainParams, tx: Transaction, *,
                     include_hex: bool = True, with_fee: bool = False,
                     prevouts: tuple[Chain, Block] | None = None, stake: bool = True,
                     context: dict[str, Any] | None = None) -> dict[str, Any]:  # fmt: skip
    """TxToUniv, and getrawtransaction's block fields in ``context``: ``with_fee`` when the
    node read the spent coins (Bitcoin Core 22+, not for a coinbase), ``prevouts`` (the chain
    and the block) when it shows them (TxVerbosity::SHOW_DETAILS_AND_PREVOUT, 23+); ``stake``:
    PAI's include_stake (``stake_shown``)."""
    version = core_version(profile)
    signed = tx.version - (1 << 32) if tx.version >= 1 << 31 else tx.version
    values: dict[str, Any] = {
        "txid": tx.txid, "hash": tx.wtxid,
        "version": tx.version if (version or 0) >= V22 else signed,
        "size": tx.size, "vsize": tx.vsize, "weight": tx.weight, "locktime": tx.locktime,
        "expiry": 0,  # nExpiry: serialized (and other than 0) only from version 3
        "vin": [_input_json(profile, tx, txin, prevouts) for txin in tx.inputs],
        "vout": [_output_json(profile, params, index, out)
                 for index, out in enumerate(tx.outputs)],
    }  # fmt: skip
    if include_hex:
        values["hex"] = tx.raw.hex()
    if with_fee and not tx.is_coinbase and (version or 0) >= V22:
        values["fee"] = Amount(tx.fee)
    values.update(context or {})
    if version is None:
        # StakeInfoToUniv: a plain transaction's class is "standard" (TxClassToString).
        if tx.is_coinbase:
            values["type"] = "coinbase"
        elif stake:
            values["type"] = "standard"
        return {key: values[key] for key in PAI_TRANSACTION if key in values}
    return shaped(TRANSACTION, version, values)


def block_context(profile: Profile, chain: Chain, block: Block, asked: bool) -> dict[str, Any]:
    """TxToJSON's fields for a transaction found in ``block``: its hash, and confirmations and
    times on the active chain (confirmations 0 off it); in_active_chain when the block was
    ``asked`` for by the blockhash argument."""
    active = chain.is_active(block)
    context: dict[str, Any] = {"blockhash": block.hash}
    if active:
        context.update(confirmations=chain.height - block.height + 1, time=block.time,
                       blocktime=block.time)  # fmt: skip
    else:
        context["confirmations"] = 0
    if asked:
        context["in_active_chain"] = active
    return context


def stake_shown(params: ChainParams, block: Block | None) -> bool:
    """PAI's include_stake: always but on testnet, where only blocks from the hybrid fork on
    have it (getrawtransaction's IsBlockAfterHybridConsensusFork: false without a block;
    blockToJSON's IsHybridConsensusForkEnabled), src/rpc/rawtransaction.cpp @ PAI 3.0.0."""
    if params.name != "test":
        return True
    return (
        block is not None
        and params.hybrid_height is not None
        and (block.height >= params.hybrid_height)
    )


def txout_json(profile: Profile, chain: Chain, tx: Transaction, index: int,
               height: int | None) -> dict[str, Any]:  # fmt: skip
    """gettxout: the coin at ``height`` (None: in the mempool, confirmations 0)."""
    version = core_version(profile)
    out = tx.outputs[index]
    values = {
        "bestblock": chain.tip.hash,
        "confirmations": 0 if height is None else chain.height - height + 1,
        "value": Amount(out.value),
        "scriptPubKey": script_pubkey_json(profile, chain.params, out.script_pubkey),
        "version": tx.version - (1 << 32) if tx.version >= 1 << 31 else tx.version,
        "coinbase": tx.is_coinbase,
    }
    return shaped(TXOUT, V0_15 if version is None else version, values)
