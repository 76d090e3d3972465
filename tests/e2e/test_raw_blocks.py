"""python-bitcoinlib's ``Proxy.getblock`` asks for ``getblock hash false`` and deserializes the
hex: simnode answered the 80-byte header and a malformed count (every release failed to parse),
and Bitcoin Core 25+ profiles refused the boolean that the node accepts (getblock's verbosity
skips RPCHelpMan's type check, src/rpc/blockchain.cpp @ v31.0)."""

import bitcoin.rpc
import pytest
from bitcoin.core import b2lx

from simnode.local import LocalNode
from tests.helpers import service_proxy


@pytest.mark.parametrize("profile", ["pai", "core-0.13", "core-24", "core-31"])
def test_python_bitcoinlib_reads_the_best_block(profile):
    with LocalNode(profile=profile) as node:
        proxy = bitcoin.rpc.Proxy(btc_conf_file=str(node.conf_path))
        try:
            with service_proxy(node.rpc_url) as plain:
                best = proxy.getbestblockhash()
                block = proxy.getblock(best)  # getblock <hash> false, then CBlock.deserialize
                verbose = plain.getblock(b2lx(best), 2)
                header = proxy.getblockheader(best)
        finally:
            proxy.close()
    assert len(block.vtx) == len(verbose["tx"])
    assert block.vtx[0].is_coinbase() and not any(tx.is_coinbase() for tx in block.vtx[1:])
    assert [len(tx.serialize()) for tx in block.vtx] == [tx["size"] for tx in verbose["tx"]]
    assert block.get_header().serialize() == header.serialize()
    assert (block.nTime, block.nNonce, b2lx(block.hashPrevBlock)) == (
        verbose["time"], verbose["nonce"], verbose["previousblockhash"])  # fmt: skip


def test_the_coinbase_starts_with_the_height():
    """BIP34: a parser that reads the height from the coinbase finds the block's."""
    with LocalNode(profile="core-31") as node:
        proxy = bitcoin.rpc.Proxy(btc_conf_file=str(node.conf_path))
        try:
            best = proxy.getbestblockhash()
            height = proxy.getblockcount()
            script = proxy.getblock(best).vtx[0].vin[0].scriptSig
        finally:
            proxy.close()
    length = script[0]
    assert int.from_bytes(script[1 : 1 + length], "little") == height


@pytest.mark.parametrize("profile", ["core-0.17", "core-31"])
def test_getblockstats_agrees_with_the_block_a_parser_reads(profile):
    """An exporter's getblockstats (issue 10 lists it; 0.17+) and the raw block describe the same
    transactions: counts, sizes, output values, and a coinbase paying the subsidy and fees."""
    with LocalNode(profile=profile) as node:
        proxy = bitcoin.rpc.Proxy(btc_conf_file=str(node.conf_path))
        try:
            with service_proxy(node.rpc_url) as plain:
                best = proxy.getbestblockhash()
                block = proxy.getblock(best)
                stats = plain.getblockstats(b2lx(best))
                chosen = plain.getblockstats(proxy.getblockcount(), ["totalfee", "txs", "height"])
        finally:
            proxy.close()
    spends = block.vtx[1:]
    assert (stats["txs"], stats["ins"], stats["outs"]) == (len(block.vtx), len(spends),
                                                           len(block.vtx))  # fmt: skip
    assert stats["total_size"] == sum(len(tx.serialize()) for tx in spends)
    assert stats["total_out"] == sum(tx.vout[0].nValue for tx in spends)
    assert block.vtx[0].vout[0].nValue == stats["subsidy"] + stats["totalfee"]
    assert stats["avgfee"] == stats["totalfee"] // len(spends)
    assert stats["minfeerate"] <= stats["feerate_percentiles"][0]
    assert stats["feerate_percentiles"] == sorted(stats["feerate_percentiles"])
    assert stats["feerate_percentiles"][-1] <= stats["maxfeerate"]
    # The node's order: alphabetical, then 25's pair (getblockstats @ v31.0, ret_all.pushKV).
    plain_order = [key for key in stats if not key.endswith("_actual")]
    actual = [key for key in ("utxo_increase_actual", "utxo_size_inc_actual") if key in stats]
    assert plain_order == sorted(plain_order) and list(stats)[len(plain_order) :] == actual
    assert chosen == {key: stats[key] for key in ("height", "totalfee", "txs")}
    assert ("utxo_increase_actual" in stats) == (profile == "core-31")  # 25+
