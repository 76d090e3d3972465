"""JSON-RPC 2.0 as Bitcoin Core 28+ serves it: one row per rule, each citing the source line it
follows (src/httprpc.cpp:HTTPReq_JSONRPC and src/rpc/request.cpp at v31.0, 6574cb40869b; the
rules came with #27101 in 28.0 and are unchanged since). Every row runs against each 2.0
release's profile and the whole reply (status and bytes) is compared."""

import json

import pytest

from simnode.profiles import PROFILES
from tests.transport_helpers import AppUnderTest

V2_RELEASES = [name for name, p in sorted(PROFILES.items()) if p.features.jsonrpc_v2]
COUNT = 3  # getconnectioncount of AppUnderTest's node
ERR = '"error":{{"code":{code},"message":"{message}"}}'
INVALID_PARAMS = ERR.format(code=-32600, message="Params must be an array or object")
NOT_FOUND = ERR.format(code=-32601, message="Method not found")
V2 = {"jsonrpc": "2.0"}

# (rule, request body, HTTP status, reply text or None for no content, source line)
RULES = [
    ("2.0 reply: jsonrpc, result, id; no error member",
     {**V2, "method": "getconnectioncount", "id": 1},
     200, f'{{"jsonrpc":"2.0","result":{COUNT},"id":1}}', "request.cpp:55-66"),
    ("2.0 method error: HTTP 200, error without result",
     {**V2, "method": "nosuch", "id": 2},
     200, f'{{"jsonrpc":"2.0",{NOT_FOUND},"id":2}}', "httprpc.cpp:164-165 (catch_errors)"),
    ("2.0 notification: executed, 204 and no body",
     {**V2, "method": "getconnectioncount"}, 204, None, "httprpc.cpp:167-169"),
    ("2.0 notification whose method fails: still 204",
     {**V2, "method": "nosuch"}, 204, None, "httprpc.cpp:164-169"),
    ("2.0 notification that fails to parse: 400, 2.0 envelope without id",
     {**V2, "method": "uptime", "params": "x"},
     400, f'{{"jsonrpc":"2.0",{INVALID_PARAMS}}}', "request.cpp:252, httprpc.cpp:231, 51"),
    ("2.0 request that fails to parse: 400, the id echoed",
     {**V2, "method": "uptime", "params": "x", "id": 4},
     400, f'{{"jsonrpc":"2.0",{INVALID_PARAMS},"id":4}}', "request.cpp:208, 252"),
    ("2.0 request without method: 400 Missing method",
     {**V2, "id": 5},
     400, '{"jsonrpc":"2.0",' + ERR.format(code=-32600, message="Missing method") + ',"id":5}',
     "request.cpp:235"),
    ("jsonrpc not a string: legacy envelope (version not yet read), 400",
     {"jsonrpc": 2, "method": "uptime", "id": 6},
     400, '{"result":null,'
     + ERR.format(code=-32600, message="jsonrpc field must be a string") + ',"id":6}',
     "request.cpp:214-218"),
    ("unknown jsonrpc version: legacy envelope, 400",
     {"jsonrpc": "3.0", "method": "uptime"},
     400, '{"result":null,'
     + ERR.format(code=-32600, message="JSON-RPC version not supported") + "}",
     "request.cpp:228"),
    ("legacy request without id: reply without id",
     {"method": "getconnectioncount"},
     200, f'{{"result":{COUNT},"error":null}}', "request.cpp:210, 61, 66"),
    ('"jsonrpc":"1.0" is legacy: method not found is HTTP 404',
     {"jsonrpc": "1.0", "method": "nosuch", "id": 7},
     404, f'{{"result":null,{NOT_FOUND},"id":7}}', "request.cpp:223-224, httprpc.cpp:53"),
    ("batch of 2.0 notifications only: 204",
     [{**V2, "method": "uptime"}, {**V2, "method": "nosuch"}], 204, None, "httprpc.cpp:220-221"),
    ("empty batch: 200 and [] (kept for old clients)",
     [], 200, "[]", "httprpc.cpp:211-220"),
    ("batch: method errors are members of an HTTP 200 reply, each in its own protocol",
     [{**V2, "method": "nosuch", "id": 8}, {"method": "nosuch", "id": 9}],
     200, f'[{{"jsonrpc":"2.0",{NOT_FOUND},"id":8}},{{"result":null,{NOT_FOUND},"id":9}}]',
     "httprpc.cpp:197-205"),
    ("batch: a 2.0 notification that fails to parse gets no answer",
     [{**V2, "method": "uptime", "params": "x"}, {**V2, "method": "getconnectioncount", "id": 1}],
     200, f'[{{"jsonrpc":"2.0","result":{COUNT},"id":1}}]', "httprpc.cpp:202-207"),
    ("batch: a non-object member is answered with the previous member's id and protocol",
     [{**V2, "method": "getconnectioncount", "id": 10}, 5],
     200, f'[{{"jsonrpc":"2.0","result":{COUNT},"id":10}},{{"jsonrpc":"2.0",'
     + ERR.format(code=-32600, message="Invalid Request object") + ',"id":10}]',
     "httprpc.cpp:195-203 (jreq reused), request.cpp:202-203"),
    ("batch: a non-object first member: legacy envelope, id null",
     [5], 200, '[{"result":null,'
     + ERR.format(code=-32600, message="Invalid Request object") + ',"id":null}]',
     "request.h:55 (id defaults to null), httprpc.cpp:203"),
    ("neither object nor array: 500 Top-level object parse error, id null",
     "3", 500, '{"result":null,'
     + ERR.format(code=-32700, message="Top-level object parse error") + ',"id":null}',
     "httprpc.cpp:226, 231, 47"),
    ("not JSON: 500 Parse error, id null",
     "{", 500, '{"result":null,' + ERR.format(code=-32700, message="Parse error") + ',"id":null}',
     "httprpc.cpp:139, 231, 47"),
]  # fmt: skip


@pytest.mark.parametrize("profile", V2_RELEASES)
@pytest.mark.parametrize(
    ("rule", "body", "status", "reply", "source"), RULES, ids=[row[0] for row in RULES]
)
def test_jsonrpc2_rule(profile, rule, body, status, reply, source):
    app = AppUnderTest(profile=profile)
    response = app.post(body)
    expected = b"" if reply is None else reply.encode() + b"\n"
    assert (response.status_code, response.data) == (status, expected), f"{rule} ({source})"
    if reply is not None:
        json.loads(response.data)  # the reply is JSON


def test_2_0_is_new_in_28():
    """Releases before 28 ignore the marker (src/rpc/request.cpp had no jsonrpc key then)."""
    assert V2_RELEASES == ["core-28", "core-29", "core-30", "core-31"]
    app = AppUnderTest(profile="core-27")
    response = app.post({**V2, "method": "getconnectioncount"})
    assert (response.status_code, response.data) == (200, b'{"result":3,"error":null,"id":null}\n')
