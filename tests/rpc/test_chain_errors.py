"""Bad arguments to the chain, mempool, mining and status methods get the node's error codes
and messages, per release (issue 10): one row per case, with the source it follows."""

import pytest

from simnode.model import TransactionsArrived
from simnode.rpc.mining import ESTIMATEFEE_DEPRECATED
from tests.transport_helpers import AppUnderTest

ZEROS = "00" * 32
RANGE = "Invalid conf_target, must be between 1 - 1008"  # ParseConfirmTarget @ PAI 3.0.0
NOT_INT = "JSON value is not an integer as expected"  # UniValue::get_int, as -1
COUNT = "Invalid block count: should be between 0 and the block's height - 1"

ROWS = [
    # PAI Core 3.0.0: src/rpc/blockchain.cpp, mining.cpp, misc.cpp at the tag.
    ("pai", "getblockhash", ["x"], -1, NOT_INT),
    ("pai", "getblockhash", [-1], -8, "Block height out of range"),
    ("pai", "getblockhash", [10**8], -8, "Block height out of range"),
    ("pai", "getblock", [ZEROS], -5, "Block not found"),
    ("pai", "getblock", ["nothex"], -5, "Block not found"),  # uint256S: no check, not found
    ("pai", "getblock", ["BEST", "x"], -1, "JSON value is not a boolean as expected"),
    ("pai", "getblock", [5], -1, "JSON value is not a string as expected"),
    ("pai", "getblockheader", ["zz"], -5, "Block not found"),
    ("pai", "getblockheader", ["BEST", 1], -1, "JSON value is not a boolean as expected"),
    ("pai", "getmempoolentry", [ZEROS], -5, "Transaction not in mempool"),
    ("pai", "getmempoolancestors", ["ab"], -8, "parameter 1 must be of length 64 (not 2)"),
    ("pai", "getmempoolentry", ["zz"], -8, "parameter 1 must be hexadecimal string (not 'zz')"),
    ("pai", "getmempoolentry", [5], -8, "parameter 1 must be hexadecimal string (not '')"),
    ("pai", "estimatefee", [6], -32, ESTIMATEFEE_DEPRECATED),  # without -deprecatedrpc
    ("pai", "getmempooldescendants", [ZEROS, True], -5, "Transaction not in mempool"),
    ("pai", "getchaintxstats", [-1], -8, COUNT),
    ("pai", "getchaintxstats", [10**8], -8, COUNT),
    ("pai", "getchaintxstats", [None, ZEROS], -5, "Block not found"),
    ("pai", "estimatesmartfee", [0], -8, RANGE),
    ("pai", "estimatesmartfee", [1009], -8, RANGE),
    ("pai", "estimatesmartfee", ["6"], -3, "Expected type number, got string"),
    ("pai", "estimatesmartfee", [6, "FAST"], -8, "Invalid estimate_mode parameter"),
    ("pai", "estimatesmartfee", [6, "economical"], -8, "Invalid estimate_mode parameter"),
    ("pai", "getnetworkhashps", ["x"], -1, NOT_INT),
    ("pai", "getmemoryinfo", ["nope"], -8, "unknown mode nope"),
    ("pai", "getrpcinfo", [], -32601, "Method not found"),  # Bitcoin Core 0.18 added it
    ("pai", "getblockstats", [1], -32601, "Method not found"),  # Bitcoin Core 0.17
    ("pai", "getdeploymentinfo", [], -32601, "Method not found"),  # Bitcoin Core 23
    # Bitcoin Core 0.13: no getmemoryinfo (0.14), no getindexinfo.
    ("bitcoin-0.13", "getmemoryinfo", [], -32601, "Method not found"),
    ("bitcoin-0.13", "getindexinfo", [], -32601, "Method not found"),
    # Bitcoin Core 28: ParseHashV (src/rpc/util.cpp) and RPCHelpMan's up-front type check.
    ("bitcoin-28", "getblock", ["nothex"], -8,
     "blockhash must be of length 64 (not 6, for 'nothex')"),
    ("bitcoin-28", "getblock", ["zz" * 32], -8,
     f"blockhash must be hexadecimal string (not '{'zz' * 32}')"),
    ("bitcoin-28", "getmempoolentry", [ZEROS], -5, "Transaction not in mempool"),
    ("bitcoin-28", "getblockhash", ["x"], -3,
     'Wrong type passed:\n{\n    "Position 1 (height)": "JSON value of type string is not of '
     'expected type number"\n}'),
    ("bitcoin-28", "estimatefee", [6], -32601, "Method not found"),  # removed in 0.17
    ("bitcoin-28", "gettxoutsetinfo", [], -32601, "Method not found"),  # not modelled for 28
    # getblockstats and ParseHashOrHeight (src/rpc/blockchain.cpp @ v31.0): a height or a hash,
    # and statistics by name.
    ("core-31", "getblockstats", [-1], -8, "Target block height -1 is negative"),
    ("core-31", "getblockstats", [10**7], -8, "Target block height 10000000 after current tip TIP"),
    ("core-31", "getblockstats", [ZEROS], -5, "Block not found"),
    ("core-31", "getblockstats", ["zz"], -8, "hash_or_height must be of length 64 (not 2, for "
     "'zz')"),
    ("core-31", "getblockstats", [1, ["txs", "nope"]], -8, "Invalid selected statistic 'nope'"),
    ("core-31", "getblockstats", [1, "txs"], -3,
     'Wrong type passed:\n{\n    "Position 2 (stats)": "JSON value of type string is not of '
     'expected type array"\n}'),
    ("core-0.17", "getblockstats", [1, "txs"], -1, "JSON value is not an array as expected"),
    ("core-0.15", "getblockstats", [1], -32601, "Method not found"),  # 0.17 added it (#10757)
]  # fmt: skip


@pytest.mark.parametrize(("profile", "method", "params", "code", "message"), ROWS)
def test_bad_arguments_get_the_nodes_error(profile, method, params, code, message):
    app = AppUnderTest(profile=profile)
    app.simulation.node.apply(TransactionsArrived(3))
    best = app.call("getbestblockhash")[1]["result"]
    params = [best if p == "BEST" else p for p in params]
    message = message.replace("TIP", str(app.call("getblockcount")[1]["result"]))
    status, reply = app.call(method, *params)
    assert reply["error"] == {"code": code, "message": message}
    assert reply["result"] is None
    assert status == (404 if code == -32601 else 500)


@pytest.mark.parametrize("profile", ["pai", "bitcoin-28"])
def test_wrong_arity_answers_the_methods_help(profile):
    _status, reply = AppUnderTest(profile=profile).call("getblockcount", 1)
    assert reply["error"]["code"] == -1
    assert reply["error"]["message"].startswith("getblockcount\n")


def test_bitcoin_0_13_has_no_uptime_which_arrived_in_0_15():
    """issue 14, defect 7: uptime came with Bitcoin Core 0.15 (#10400)."""
    assert AppUnderTest(profile="bitcoin-0.13").call("uptime")[1]["error"]["code"] == -32601
    assert AppUnderTest(profile="pai").call("uptime")[1]["error"] is None
