"""Issue 11: each Bitcoin Core release's getblockchaininfo, getmempoolinfo, getmininginfo and
verbose getrawmempool entry, over a real socket through python-bitcoinlib's RawProxy, carry
exactly that release's keys in its order (python-bitcoinrpc's debug log cannot round mainnet's
networkhashps of 1e21 to eight decimals). The expected lists come from the key-order table
(``chainshapes``) and, for a few releases, are written out literally here from
docs/research/bitcoin-core-releases.md sections 2.1, 3.1, 3.2 and 3.3, so the table is checked
against the notes rather than against itself."""

import bitcoin.rpc
import pytest

from simnode.local import LocalNode
from simnode.model import events as ev
from simnode.profiles.chainshapes import (
    BLOCKCHAININFO,
    MEMPOOL_ENTRY,
    MEMPOOLINFO,
    MININGINFO,
    keys_of,
)
from simnode.profiles.releases import PROFILES

CORE = sorted((name for name in PROFILES if name.startswith("core-")),
              key=lambda name: PROFILES[name].identity.version_number)  # fmt: skip

# Literal key lists from the research notes (bitcoin-core-releases.md), per release.
NOTES = {
    "core-0.15": {
        "getblockchaininfo": "chain blocks headers bestblockhash difficulty mediantime "
        "verificationprogress chainwork pruned softforks bip9_softforks",
        "getmempoolinfo": "size bytes usage maxmempool mempoolminfee",
        "getmininginfo": "blocks currentblocksize currentblockweight currentblocktx difficulty "
        "errors networkhashps pooledtx chain",
        "entry": "size fee modifiedfee time height descendantcount descendantsize "
        "descendantfees ancestorcount ancestorsize ancestorfees depends",
    },
    "core-0.21": {
        "getblockchaininfo": "chain blocks headers bestblockhash difficulty mediantime "
        "verificationprogress initialblockdownload chainwork size_on_disk pruned softforks "
        "warnings",
        "getmempoolinfo": "loaded size bytes usage maxmempool mempoolminfee minrelaytxfee "
        "unbroadcastcount",
        "getmininginfo": "blocks difficulty networkhashps pooledtx chain warnings",
        "entry": "fees vsize weight fee modifiedfee time height descendantcount "
        "descendantsize descendantfees ancestorcount ancestorsize ancestorfees wtxid depends "
        "spentby bip125-replaceable unbroadcast",
    },
    "core-23": {
        "getblockchaininfo": "chain blocks headers bestblockhash difficulty time mediantime "
        "verificationprogress initialblockdownload chainwork size_on_disk pruned warnings",
        "getmempoolinfo": "loaded size bytes usage total_fee maxmempool mempoolminfee "
        "minrelaytxfee unbroadcastcount",
        "entry": "vsize weight time height descendantcount descendantsize ancestorcount "
        "ancestorsize wtxid fees depends spentby bip125-replaceable unbroadcast",
    },
    "core-29": {
        "getblockchaininfo": "chain blocks headers bestblockhash bits target difficulty time "
        "mediantime verificationprogress initialblockdownload chainwork size_on_disk pruned "
        "warnings",
        "getmininginfo": "blocks bits difficulty target networkhashps pooledtx chain next warnings",
    },
    "core-31": {
        "getmempoolinfo": "loaded size bytes usage total_fee maxmempool mempoolminfee "
        "minrelaytxfee incrementalrelayfee unbroadcastcount fullrbf permitbaremultisig "
        "maxdatacarriersize limitclustercount limitclustersize optimal",
        "getmininginfo": "blocks bits difficulty target networkhashps pooledtx blockmintxfee "
        "chain next warnings",
        "entry": "vsize weight time height descendantcount descendantsize ancestorcount "
        "ancestorsize wtxid chunkweight fees depends spentby bip125-replaceable unbroadcast",
    },
}
TABLES = {"getblockchaininfo": BLOCKCHAININFO, "getmempoolinfo": MEMPOOLINFO,
          "getmininginfo": MININGINFO, "entry": MEMPOOL_ENTRY}  # fmt: skip


def served_keys(profile: str, deprecatedrpc: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """The keys a served node of ``profile`` answers with, one mempool transaction in it."""
    with LocalNode(profile=profile, deprecatedrpc=deprecatedrpc) as node:
        node.apply(ev.TransactionsArrived(count=1))
        proxy = bitcoin.rpc.RawProxy(service_url=node.rpc_url, timeout=10)
        try:
            (entry,) = proxy.getrawmempool(True).values()
            return {"getblockchaininfo": list(proxy.getblockchaininfo()),
                    "getmempoolinfo": list(proxy.getmempoolinfo()),
                    "getmininginfo": list(proxy.getmininginfo()), "entry": list(entry)}  # fmt: skip
        finally:
            proxy.close()


@pytest.mark.parametrize("profile", CORE)
def test_each_release_answers_with_its_keys_in_its_order(profile):
    version = PROFILES[profile].identity.version_number
    answered = served_keys(profile)
    for rpc, table in TABLES.items():
        assert answered[rpc] == list(keys_of(table, version)), (profile, rpc)
    for rpc, literal in NOTES.get(profile, {}).items():
        assert answered[rpc] == literal.split(), (profile, rpc)


def test_neighbouring_releases_differ_where_the_notes_say():
    """A few of the changes the notes list, seen between served releases."""
    old, new = served_keys("core-0.17"), served_keys("core-0.19")
    assert "bip9_softforks" in old["getblockchaininfo"]
    assert "bip9_softforks" not in new["getblockchaininfo"]
    assert "loaded" not in old["getmempoolinfo"] and new["getmempoolinfo"][0] == "loaded"
    assert "size" in old["entry"] and "size" not in new["entry"]
    assert "currentblockweight" in old["getmininginfo"]
    assert "currentblockweight" not in new["getmininginfo"]


def test_deprecatedrpc_switches_bring_back_what_the_notes_say():
    """Research notes section 5: -deprecatedrpc=size (0.19, 0.20), fees and softforks (23)."""
    sized = served_keys("core-0.20", ("size",))["entry"]
    assert sized[:4] == ["fees", "vsize", "size", "weight"]
    old = served_keys("core-23", ("fees", "softforks"))
    assert old["entry"][:6] == ["vsize", "weight", "fee", "modifiedfee", "time", "height"]
    assert old["entry"][6:12] == ["descendantcount", "descendantsize", "descendantfees",
                                  "ancestorcount", "ancestorsize", "ancestorfees"]  # fmt: skip
    assert old["getblockchaininfo"][-2:] == ["softforks", "warnings"]
    gone = served_keys("core-24", ("fees", "softforks"))  # removed for good in 24
    assert "fee" not in gone["entry"] and "softforks" not in gone["getblockchaininfo"]
