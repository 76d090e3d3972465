"""python-bitcoinlib's ``Proxy.getblock`` asks for ``getblock hash false`` and deserializes the
hex: simnode answered the 80-byte header and a malformed count (every release failed to parse),
and Bitcoin Core 25+ profiles refused the boolean that the node accepts (getblock's verbosity
skips RPCHelpMan's type check, src/rpc/blockchain.cpp @ v31.0)."""

import bitcoin.rpc
import pytest
from bitcoin.core import b2lx
from bitcoinrpc.authproxy import AuthServiceProxy

from simnode.local import LocalNode


@pytest.mark.parametrize("profile", ["pai", "core-0.13", "core-24", "core-31"])
def test_python_bitcoinlib_reads_the_best_block(profile):
    with LocalNode(profile=profile) as node:
        proxy = bitcoin.rpc.Proxy(btc_conf_file=str(node.conf_path))
        plain = AuthServiceProxy(node.rpc_url)
        try:
            best = proxy.getbestblockhash()
            block = proxy.getblock(best)  # getblock <hash> false, then CBlock.deserialize
            verbose = plain.getblock(b2lx(best), 2)
            header = proxy.getblockheader(best)
        finally:
            proxy.close()
            plain._AuthServiceProxy__conn.close()
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
