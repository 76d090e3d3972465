"""Explorers, wallets and python-bitcoinlib read transactions with getrawtransaction, gettxout and
decoderawtransaction: through a served node, the hex deserializes to a transaction whose hash is
the txid asked for, and the verbose objects have each release's keys in its order (the lists
below are copied from the node sources cited) with values that agree with getrawmempool and
getblock."""

from collections.abc import Iterator
from contextlib import contextmanager

import bitcoin.rpc
import pytest
from bitcoin.core import b2lx, lx

from simnode.local import LocalNode
from simnode.model import BlocksFound, TransactionsArrived
from tests.helpers import service_proxy

# TxToUniv @ PAI 3.0.0 (src/core_write.cpp): the class after txid, expiry after locktime, then
# getrawtransaction's TxToJSON adds the block fields (src/rpc/rawtransaction.cpp).
PAI_KEYS = ["txid", "type", "hash", "version", "size", "vsize", "locktime", "expiry", "vin",
            "vout", "hex"]  # fmt: skip
# getrawtransaction @ e4382fbef56a (0.13): the hex pushed first, then TxToJSON.
KEYS_0_13 = ["hex", "txid", "hash", "size", "vsize", "version", "locktime", "vin", "vout"]
# TxToUniv (src/core_write.cpp @ 8a9ffec0a257, 0.17; unchanged in order to src/core_io.cpp @
# 6574cb40869b, 31): weight from 0.17, hex last.
KEYS_0_17 = ["txid", "hash", "version", "size", "vsize", "weight", "locktime", "vin", "vout",
             "hex"]  # fmt: skip
KEYS = {"pai": PAI_KEYS, "core-0.13": KEYS_0_13, "core-0.17": KEYS_0_17, "core-22": KEYS_0_17,
        "core-28": KEYS_0_17, "core-31": KEYS_0_17}  # fmt: skip
BLOCK_FIELDS = ["blockhash", "confirmations", "time", "blocktime"]  # TxToJSON
# ScriptPubKeyToUniv: reqSigs/addresses when ExtractDestinations succeeds (PAI and 0.13 have no
# witness addresses), one address from 22 (@ 42af9596ce85), desc from 23 (@ 30308cc380a8).
OLD_SCRIPT = ["asm", "hex", "reqSigs", "type", "addresses"]
SCRIPT = {"core-22": ["asm", "hex", "address", "type"],
          "core-28": ["asm", "desc", "hex", "address", "type"],
          "core-31": ["asm", "desc", "hex", "address", "type"]}  # fmt: skip


def _script_keys(profile: str, script: dict) -> list[str]:
    if profile in SCRIPT:
        return SCRIPT[profile]
    no_address = profile in ("pai", "core-0.13") and script["type"].startswith("witness")
    return ["asm", "hex", "type"] if no_address else OLD_SCRIPT


def _entry_vsize(entry: dict) -> int:
    """entryToJSON's virtual size: "size" before 0.19 (GetTxSize), "vsize" from 0.19."""
    return entry["vsize"] if "vsize" in entry else entry["size"]


@contextmanager
def _node_with_a_block(profile: str) -> Iterator[LocalNode]:
    """A served node whose best block confirmed transactions, with more in its mempool."""
    with LocalNode(profile=profile) as node:
        node.node.apply(TransactionsArrived(12))
        node.node.apply(BlocksFound(1))
        node.node.apply(TransactionsArrived(12))
        yield node


@pytest.mark.parametrize("profile", ["pai", "core-0.13", "core-0.17", "core-22", "core-28",
                                     "core-31"])  # fmt: skip
def test_python_bitcoinlib_reads_mempool_and_block_transactions(profile):
    with _node_with_a_block(profile) as node:
        proxy = bitcoin.rpc.Proxy(btc_conf_file=str(node.conf_path))
        try:
            with service_proxy(node.rpc_url) as plain:
                pooled = plain.getrawmempool()
                best = plain.getbestblockhash()
                block = plain.getblock(best, 2)
                from_pool = [proxy.getrawtransaction(lx(txid)) for txid in pooled]
                confirmed = block["tx"][-1]["txid"]
                with_hash = None
                if profile != "pai" and profile != "core-0.13":  # a blockhash from 0.16
                    with_hash = proxy.getrawtransaction(lx(confirmed), block_hash=lx(best))
        finally:
            proxy.close()
    assert [b2lx(tx.GetTxid()) for tx in from_pool] == pooled
    assert any(tx.wit.vtxinwit for tx in from_pool)  # witness spends among them
    if with_hash is not None:
        assert b2lx(with_hash.GetTxid()) == confirmed
        assert with_hash.serialize().hex() == block["tx"][-1]["hex"]


@pytest.mark.parametrize("profile", ["pai", "core-0.13", "core-0.17", "core-22", "core-28",
                                     "core-31"])  # fmt: skip
def test_verbose_answers_have_the_releases_keys_and_agree_with_the_mempool(profile):
    with _node_with_a_block(profile) as node, service_proxy(node.rpc_url) as plain:
        entries = plain.getrawmempool(True)
        answers = {txid: plain.getrawtransaction(txid, 1) for txid in entries}
        decoded = {txid: plain.decoderawtransaction(answer["hex"])
                   for txid, answer in answers.items()}  # fmt: skip
        outs = {txid: plain.gettxout(txid, 0) for txid in entries}
    for txid, answer in answers.items():
        entry = entries[txid]
        assert list(answer) == KEYS[profile]
        assert answer["txid"] == txid
        assert answer["vsize"] == _entry_vsize(entry)
        if "weight" in entry:
            assert answer["weight"] == entry["weight"]
        if "wtxid" in entry:
            assert answer["hash"] == entry["wtxid"]
        assert answer["size"] == len(answer["hex"]) // 2
        (vin,) = answer["vin"]
        witness = ["txinwitness"] if "txinwitness" in vin else []
        assert list(vin) == ["txid", "vout", "scriptSig", *witness, "sequence"]
        if entry["depends"]:
            assert vin["txid"] in entry["depends"] and vin["vout"] == 0
        (vout,) = answer["vout"]
        assert list(vout["scriptPubKey"]) == _script_keys(profile, vout["scriptPubKey"])
        # decoderawtransaction: the same object without the hex (0.13's TxToJSON: no hex either).
        assert decoded[txid] == {key: value for key, value in answer.items() if key != "hex"}
        spent = any(txid in other["depends"] for other in entries.values())
        if spent:  # its output is spent by a child in the mempool
            assert outs[txid] is None
        else:
            assert outs[txid]["confirmations"] == 0
            assert outs[txid]["value"] == vout["value"]
            assert outs[txid]["scriptPubKey"] == vout["scriptPubKey"]


@pytest.mark.parametrize("profile", ["core-0.17", "core-22", "core-28", "core-31"])
def test_a_block_transaction_agrees_with_getblock_and_with_the_mempool_it_left(profile):
    with LocalNode(profile=profile) as node, service_proxy(node.rpc_url) as plain:
        node.node.apply(TransactionsArrived(40))
        before = plain.getrawmempool(True)
        node.node.apply(BlocksFound(1))
        best = plain.getbestblockhash()
        block = plain.getblock(best, 2)
        with_prevouts = plain.getblock(best, 3)["tx"] if profile != "core-0.17" else None
        verbosity = 2 if profile in ("core-28", "core-31") else 1  # fee and prevout from 25
        answers = [plain.getrawtransaction(tx["txid"], verbosity, best) for tx in block["tx"]]
        out = plain.gettxout(block["tx"][0]["txid"], 0)
    assert list(answers[1]) == ["in_active_chain", *KEYS_0_17[:-1],
                                *(["fee"] * (verbosity == 2)), "hex", *BLOCK_FIELDS]  # fmt: skip
    assert {tx["txid"] for tx in block["tx"][1:]} == set(before)
    outputs = {(tx["txid"], o["n"]): (o, tx) for tx in block["tx"] for o in tx["vout"]}
    linked = 0  # children confirmed with their parent
    for index, (tx, answer) in enumerate(zip(block["tx"], answers, strict=True)):
        assert answer["in_active_chain"] is True
        assert (answer["blockhash"], answer["confirmations"], answer["blocktime"]) == (
            best, 1, block["time"])  # fmt: skip
        for key in ("txid", "hash", "size", "vsize", "weight", "vout", "hex"):
            assert answer[key] == tx[key]
        assert [_without_prevout(vin) for vin in answer["vin"]] == tx["vin"]
        if tx["txid"] in before:
            entry = before[tx["txid"]]
            assert tx["vsize"] == _entry_vsize(entry)
            assert tx["weight"] == entry.get("weight", tx["weight"])  # weight from 0.19
            if "fee" in tx:  # getblock verbosity 2 has the fee from 22 (the undo data)
                assert tx["fee"] == entry["fees"]["base"]
        if verbosity == 2 and index:  # TxToUniv @ 6574cb40869b: prevout before sequence
            assert answer["fee"] == tx["fee"]
            (vin,) = answer["vin"]
            assert list(vin)[-2:] == ["prevout", "sequence"]
            assert list(vin["prevout"]) == ["generated", "height", "value", "scriptPubKey"]
            assert vin["prevout"]["value"] - answer["vout"][0]["value"] == answer["fee"]
            spent = outputs.get((vin["txid"], vin["vout"]))
            if spent is not None:  # a parent confirmed in the same block
                linked += 1
                assert vin["prevout"]["scriptPubKey"] == spent[0]["scriptPubKey"]
                assert (vin["prevout"]["height"], vin["prevout"]["value"]) == (
                    block["height"], spent[0]["value"])  # fmt: skip
        if with_prevouts is not None and verbosity == 2:  # getblock 3 (23+): the same inputs
            assert with_prevouts[index]["vin"] == answer["vin"]
    assert linked or verbosity == 1
    coinbase = block["tx"][0]
    assert "fee" not in coinbase and list(coinbase["vin"][0]) == ["coinbase", "sequence"]
    assert out["coinbase"] is True and out["value"] == coinbase["vout"][0]["value"]


def _without_prevout(vin: dict) -> dict:
    return {key: value for key, value in vin.items() if key != "prevout"}
