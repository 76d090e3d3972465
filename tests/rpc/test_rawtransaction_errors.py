"""getrawtransaction, gettxout and decoderawtransaction refuse bad input with the node's code and
message, per release: one row per case, with the source it follows. gettxout answers null for an
output that does not exist or is spent, as the node does."""

import pytest

from simnode.model import BlocksFound, StaleBranch, TransactionsArrived
from tests.transport_helpers import AppUnderTest

ZEROS = "00" * 32
SUFFIX = ". Use gettransaction for wallet transactions."
# GetTransaction's failure without -txindex (src/rpc/rawtransaction.cpp getrawtransaction).
NO_SUCH_0_15 = "No such mempool transaction. Use -txindex to enable blockchain transaction queries"
NO_SUCH = ("No such mempool transaction. Use -txindex or provide a block hash to enable "
           "blockchain transaction queries")  # fmt: skip
GENESIS = ("The genesis block coinbase is not considered an ordinary transaction and cannot be "
           "retrieved")  # fmt: skip
NOT_IN_BLOCK = "No such transaction found in the provided block" + SUFFIX
BAD_TYPE_31 = ('Wrong type passed:\n{\n    "Position 1 (txid)": "JSON value of type number is not'
               ' of expected type string"\n}')  # fmt: skip

ROWS = [
    # PAI Core 3.0.0 (src/rpc/rawtransaction.cpp, src/rpc/server.cpp ParseHashV @ 12b2e4e99f97):
    # hex checked before length, no value in the length message; no blockhash argument.
    ("pai", "getrawtransaction", ["abc"], -8, "parameter 1 must be hexadecimal string (not 'abc')"),
    ("pai", "getrawtransaction", ["abcd"], -8, "parameter 1 must be of length 64 (not 4)"),
    ("pai", "getrawtransaction", [5], -8, "parameter 1 must be hexadecimal string (not '')"),
    ("pai", "getrawtransaction", [ZEROS], -5, NO_SUCH_0_15 + SUFFIX),
    ("pai", "getrawtransaction", ["GENESIS"], -5, NO_SUCH_0_15 + SUFFIX),  # no special case
    ("pai", "getrawtransaction", ["SPENT"], -5, NO_SUCH_0_15 + SUFFIX),  # no unspent coin left
    ("pai", "getrawtransaction", ["POOLTX", "yes"], -3,
     "Invalid type provided. Verbose parameter must be a boolean."),
    ("pai", "getrawtransaction", ["POOLTX", 1, "BEST"], -1, "HELP"),  # two arguments at most
    ("pai", "decoderawtransaction", ["zz"], -22, "TX decode failed"),
    ("pai", "decoderawtransaction", ["0200"], -22, "TX decode failed"),
    ("pai", "decoderawtransaction", [5], -3, "Expected type string, got number"),
    ("pai", "decoderawtransaction", ["TXHEX", True], -1, "HELP"),  # iswitness came in 0.17
    # Bitcoin Core 0.13 (@ e4382fbef56a): ParseHashV checks only for hex; a verbose integer.
    ("core-0.13", "getrawtransaction", ["abc"], -8,
     "parameter 1 must be hexadecimal string (not 'abc')"),
    ("core-0.13", "getrawtransaction", ["abcd"], -5, "No information available about transaction"),
    ("core-0.13", "getrawtransaction", [ZEROS], -5, "No information available about transaction"),
    ("core-0.13", "getrawtransaction", ["POOLTX", True], -1,
     "JSON value is not an integer as expected"),
    ("core-0.13", "getrawtransaction", ["POOLTX", None], -1,
     "JSON value is not an integer as expected"),  # params.size() > 1: get_int on null
    ("core-0.13", "decoderawtransaction", ["zz"], -22, "TX decode failed"),
    # Bitcoin Core 0.15 (@ c2704ec98a1b): as PAI Core.
    ("core-0.15", "getrawtransaction", ["abcd"], -8, "parameter 1 must be of length 64 (not 4)"),
    ("core-0.15", "getrawtransaction", [ZEROS], -5, NO_SUCH_0_15 + SUFFIX),
    ("core-0.15", "getrawtransaction", ["POOLTX", "yes"], -3,
     "Invalid type provided. Verbose parameter must be a boolean."),
    # Bitcoin Core 0.17 (@ 8a9ffec0a257): the blockhash argument (0.16) and its errors, the
    # genesis coinbase refused; a verbose neither number nor boolean is get_bool's error.
    ("core-0.17", "getrawtransaction", [ZEROS], -5, NO_SUCH_0_15 + SUFFIX),
    ("core-0.17", "getrawtransaction", ["GENESIS"], -5, GENESIS),
    ("core-0.17", "getrawtransaction", [ZEROS, 1, ZEROS], -5, "Block hash not found"),
    ("core-0.17", "getrawtransaction", [ZEROS, 1, "BEST"], -5, NOT_IN_BLOCK),
    ("core-0.17", "getrawtransaction", [ZEROS, 1, "HEADERS"], -1, "Block not available"),
    ("core-0.17", "getrawtransaction", [ZEROS, 1, "xyz"], -8,
     "parameter 3 must be hexadecimal string (not 'xyz')"),
    ("core-0.17", "getrawtransaction", ["POOLTX", "yes"], -1,
     "JSON value is not a boolean as expected"),
    ("core-0.17", "decoderawtransaction", ["TXHEX", "yes"], -3, "Expected type bool, got string"),
    ("core-0.17", "decoderawtransaction", ["TXHEX", None], -3, "Expected type bool, got null"),
    # Bitcoin Core 0.19 (src/rpc/util.cpp ParseHashV @ 8afa602f308e): the length first, with the
    # value; get_str on a non-string; no UTXO-set lookup: a confirmed transaction needs its block.
    ("core-0.19", "getrawtransaction", ["abc"], -8,
     "parameter 1 must be of length 64 (not 3, for 'abc')"),
    ("core-0.19", "getrawtransaction", ["zz" * 32], -8,
     f"parameter 1 must be hexadecimal string (not '{'zz' * 32}')"),
    ("core-0.19", "getrawtransaction", [5], -1, "JSON value is not a string as expected"),
    ("core-0.19", "getrawtransaction", ["BLOCKTX"], -5, NO_SUCH + SUFFIX),
    ("core-0.19", "gettxout", ["abc", 0], -8, "txid must be of length 64 (not 3, for 'abc')"),
    # Bitcoin Core 22 and 28 (@ 42af9596ce85, 0022c847165d).
    ("core-22", "getrawtransaction", [ZEROS], -5, NO_SUCH + SUFFIX),
    ("core-22", "gettxout", ["POOLTX", "0"], -1, "JSON value is not an integer as expected"),
    # Bitcoin Core 24 (@ 9f650062fc43): UniValue's getters fail in checkType's words, still -1.
    ("core-24", "getrawtransaction", ["POOLTX", "yes"], -1,
     "JSON value of type string is not of expected type bool"),
    ("core-24", "getrawtransaction", [5], -1,
     "JSON value of type number is not of expected type string"),
    ("core-24", "gettxout", ["POOLTX", 0, "no"], -1,
     "JSON value of type string is not of expected type bool"),
    ("core-22", "getrawtransaction", [ZEROS, True, "abc"], -8,
     "parameter 3 must be of length 64 (not 3, for 'abc')"),
    ("core-28", "getrawtransaction", ["BLOCKTX", 1, ZEROS], -5, "Block hash not found"),
    ("core-28", "getrawtransaction", ["GENESIS", 2], -5, GENESIS),
    ("core-28", "decoderawtransaction", ["0200"], -22, "TX decode failed"),
    ("core-28", "getrawtransaction", ["POOLTX", "yes"], -3,  # getInt<int>, a type_error: -3
     "JSON value of type string is not of expected type number"),
    # Bitcoin Core 31 (@ 6574cb40869b): RPCHelpMan checks argument types first (25+).
    ("core-31", "getrawtransaction", [5], -3, BAD_TYPE_31),
    ("core-31", "getrawtransaction", ["abc"], -8,
     "parameter 1 must be of length 64 (not 3, for 'abc')"),
    ("core-31", "getrawtransaction", [ZEROS, 0, "BEST"], -5, NOT_IN_BLOCK),
    ("core-31", "getrawtransaction", [ZEROS, 0, "HEADERS"], -1, "Block not available"),
    ("core-31", "getrawtransaction", ["BLOCKTX"], -5, NO_SUCH + SUFFIX),
    ("core-31", "decoderawtransaction", ["zz"], -22, "TX decode failed"),
    ("core-31", "gettxout", ["zz" * 32, 0], -8,
     f"txid must be hexadecimal string (not '{'zz' * 32}')"),
]  # fmt: skip


def _app(profile: str) -> tuple[AppUnderTest, dict[str, str]]:
    """A node whose best block confirmed a parent and its child (the parent's output spent in
    the chain), with a transaction left in the mempool."""
    app = AppUnderTest(profile=profile)
    node = app.simulation.node
    node.apply(TransactionsArrived(40))
    node.apply(BlocksFound(1))
    node.apply(TransactionsArrived(1))
    node.apply(StaleBranch(depth=1, length=1, status="headers-only"))
    snapshot = node.snapshot()
    block = snapshot.chain.tip
    confirmed = snapshot.chain.transactions(block)
    spent = {txin.prev_txid for tx in confirmed for txin in tx.inputs}
    fill = {
        "BEST": block.hash, "POOLTX": snapshot.mempool.entries[0].txid,
        "TXHEX": snapshot.mempool.entries[0].body.raw.hex(),
        "BLOCKTX": confirmed[-1].txid,
        "SPENT": next(tx.txid for tx in confirmed if tx.txid in spent),
        "GENESIS": snapshot.chain.params.genesis_merkleroot,
        "HEADERS": snapshot.chain.branches[-1].tip.hash,  # a block the node has no data of
    }  # fmt: skip
    return app, fill


@pytest.mark.parametrize(("profile", "method", "params", "code", "message"), ROWS)
def test_bad_transaction_requests_get_the_nodes_error(profile, method, params, code, message):
    app, fill = _app(profile)
    status, reply = app.call(method, *[fill.get(p, p) if isinstance(p, str) else p
                                       for p in params])  # fmt: skip
    if message == "HELP":  # more arguments than the release's handler takes: its help text
        assert reply["error"]["code"] == code
        assert reply["error"]["message"].startswith(f"{method} ")
    else:
        assert reply["error"] == {"code": code, "message": message}
    assert reply["result"] is None and status == 500


# gettxout's null: no such output, spent in the chain, spent by the mempool, or only in the
# mempool when include_mempool is false (src/rpc/blockchain.cpp gettxout, each release).
NULLS = [
    [ZEROS, 0], ["BLOCKTX", 1], ["BLOCKTX", -1], ["SPENT", 0], ["POOLTX", 0, False],
    ["GENESIS", 0],
]  # fmt: skip


@pytest.mark.parametrize("profile", ["pai", "core-0.13", "core-0.17", "core-22", "core-31"])
def test_gettxout_answers_null_where_there_is_no_unspent_output(profile):
    app, fill = _app(profile)
    for params in NULLS:
        status, reply = app.call("gettxout", *[fill.get(p, p) if isinstance(p, str) else p
                                               for p in params])  # fmt: skip
        assert (status, reply["error"], reply["result"]) == (200, None, None), params
    for params in (["BLOCKTX", 0], ["POOLTX", 0], ["BLOCKTX", 0, False]):
        reply = app.call("gettxout", *[fill.get(p, p) for p in params])[1]
        assert reply["result"]["value"] > 0, params


SLOW_LOOKUP = [("pai", True), ("core-0.13", True), ("core-0.17", True), ("core-0.19", False)]


@pytest.mark.parametrize(("profile", "found"), SLOW_LOOKUP)
def test_a_confirmed_transaction_is_found_through_its_unspent_coin_up_to_0_17(profile, found):
    """GetTransaction's fAllowSlow (src/validation.cpp @ PAI 3.0.0, 0.13-0.17): the UTXO set
    gives the height of a transaction with an unspent output; 0.19 dropped it."""
    app, fill = _app(profile)
    reply = app.call("getrawtransaction", fill["BLOCKTX"], 1)[1]
    assert (reply["error"] is None) == found
    if found:
        assert (reply["result"]["blockhash"], reply["result"]["confirmations"]) == (
            fill["BEST"], 1)  # fmt: skip
