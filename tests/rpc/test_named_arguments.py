"""Named parameters go by the names each release's method table gives (transformNamedArguments,
src/rpc/server.cpp @ PAI 3.0.0), aliases after "|" included: getblock's "verbosity|verbose"
in PAI Core 3.0.0 (src/rpc/blockchain.cpp) and Bitcoin Core from 0.15, getrawtransaction's
"verbose" until 24 and "verbosity|verbose" from 25, its "blockhash" from 0.16."""

import json

import pytest

from tests.transport_helpers import AppUnderTest

UNKNOWN = -8  # RPC_INVALID_PARAMETER "Unknown named parameter <name>"


def named_call(app, method, params):
    response = app.post({"method": method, "params": params, "id": 1})
    return json.loads(response.data)


@pytest.mark.parametrize(
    ("profile", "names", "unknown"),
    [
        ("pai", ["verbose"], None),
        ("pai", ["verbosity"], None),
        ("pai", ["verbosity", "verbose"], "verbose"),  # the first alias is taken, the rest left
        ("core-0.15", ["verbose"], None),
        ("core-28", ["verbose"], None),
        ("core-31", ["verbosity"], None),
        ("core-31", ["verbose", "verbosity"], "verbose"),
        ("core-31", ["verbosity", "level"], "level"),
    ],
)
def test_getblock_takes_verbosity_by_either_name(profile, names, unknown):
    app = AppUnderTest(2, profile)
    tip = app.call("getbestblockhash")[1]["result"]
    reply = named_call(app, "getblock", {"blockhash": tip, **{name: 0 for name in names}})
    if unknown is None:
        assert reply["error"] is None
        assert reply["result"] == app.call("getblock", tip, 0)[1]["result"]
    else:
        assert reply["error"] == {"code": UNKNOWN, "message": f"Unknown named parameter {unknown}"}


@pytest.mark.parametrize(
    ("profile", "arguments", "unknown"),
    [
        ("pai", {"verbose": True}, None),
        ("pai", {"verbosity": 1}, "verbosity"),
        ("pai", {"verbose": True, "blockhash": "TIP"}, "blockhash"),
        ("core-0.17", {"verbose": True, "blockhash": "TIP"}, None),
        ("core-24", {"verbosity": 1, "blockhash": "TIP"}, "verbosity"),
        ("core-25", {"verbosity": 1, "blockhash": "TIP"}, None),
        ("core-31", {"verbose": True, "blockhash": "TIP"}, None),
    ],
)
def test_getrawtransaction_names_by_release(profile, arguments, unknown):
    app = AppUnderTest(2, profile)
    tip = app.call("getbestblockhash")[1]["result"]
    txid = app.call("getblock", tip, 1)[1]["result"]["tx"][0]
    given = {name: tip if value == "TIP" else value for name, value in arguments.items()}
    reply = named_call(app, "getrawtransaction", {"txid": txid, **given})
    if unknown is not None:
        assert reply["error"] == {"code": UNKNOWN, "message": f"Unknown named parameter {unknown}"}
        return
    positional = [txid, *given.values()]
    assert reply == {"result": app.call("getrawtransaction", *positional)[1]["result"],
                     "error": None, "id": 1}  # fmt: skip


@pytest.mark.parametrize(
    ("profile", "params", "status", "error"),
    [
        # JSONRequest::parse (src/rpc/server.cpp @ v0.13.2): params must be an array
        ("core-0.13", {}, 400, "Params must be an array"),
        ("core-0.13", "x", 400, "Params must be an array"),
        ("core-0.13", [], 200, None),
        # from 0.14 (#8811), and in PAI Core 3.0.0: an array or an object
        ("core-0.15", {}, 200, None),
        ("core-0.15", "x", 400, "Params must be an array or object"),
        ("pai", {}, 200, None),
        ("pai", 3, 400, "Params must be an array or object"),
    ],
)
def test_named_parameters_arrived_in_0_14(profile, params, status, error):
    response = AppUnderTest(2, profile).post({"method": "getblockcount", "params": params, "id": 1})
    reply = json.loads(response.data)
    assert response.status_code == status
    assert reply["error"] == (None if error is None else {"code": -32600, "message": error})
