"""Issue 11, must-show 4: ``bitcoin-cli -netinfo`` (levels 0-4) and ``-getinfo`` work against
``--profile core-31``. The requests are the batches bitcoin-cli 31 sends (JSON-RPC 2.0 objects
with ids 0, 1, ..., src/rpc/request.cpp:JSONRPCRequestObj), over a real socket; the replies go
through JSONRPCProcessBatchReply's checks and then every read the command makes, with UniValue's
strictness (simnode/conformance/bitcoincli.py, transcribed from src/bitcoin-cli.cpp @ v31.0)."""

import base64
import http.client
import json

import pytest

from simnode.conformance.bitcoincli import getinfo_problems, netinfo_problems
from simnode.local import LocalNode


@pytest.fixture(scope="module")
def node():
    with LocalNode(profile="core-31", peers=8, seed=3) as served:
        served.add_peer("203.0.113.9:8333", inbound=False, manual=True)
        served.add_peer("[2001:db8::5]:8333", inbound=True)
        served.send_ping()  # one peer with a ping outstanding, others with ping times
        yield served


def batch(node: LocalNode, methods: list[str]) -> dict[str, dict]:
    """bitcoin-cli's batch: one 2.0 request object per method, id = its index; the reply as
    JSONRPCProcessBatchReply reads it (src/rpc/request.cpp @ v31.0 lines 180-195)."""
    body = json.dumps([{"method": m, "params": None, "id": i, "jsonrpc": "2.0"}
                       for i, m in enumerate(methods)])  # fmt: skip
    token = base64.b64encode(f"{node.user}:{node.password}".encode()).decode()
    connection = http.client.HTTPConnection(node.host, node.port, timeout=10)
    try:
        connection.request("POST", "/", body, {"Authorization": f"Basic {token}"})
        response = connection.getresponse()
        status, replies = response.status, json.loads(response.read())
    finally:
        connection.close()
    assert status == 200 and isinstance(replies, list)  # "Batch must be an array"
    by_id = {}
    for reply in replies:
        assert isinstance(reply, dict)  # "Batch member must be an object"
        assert isinstance(reply["id"], int) and 0 <= reply["id"] < len(methods)
        by_id[methods[reply["id"]]] = reply
    return by_id


@pytest.mark.parametrize("level", [0, 1, 2, 3, 4])
def test_netinfo_reads_every_field_with_its_type(node, level):
    replies = batch(node, ["getpeerinfo", "getnetworkinfo"])
    assert all("error" not in reply for reply in replies.values())  # l. 511-512: fatal
    answers = {method: reply["result"] for method, reply in replies.items()}
    assert len(answers["getpeerinfo"]) >= 10
    assert netinfo_problems(answers, level) == []


def test_getinfo_reads_every_field_with_its_type(node):
    replies = batch(node, ["getnetworkinfo", "getblockchaininfo", "getwalletinfo", "getbalances"])
    # l. 342-347: network and chain errors are fatal; the wallet calls may fail (no wallet).
    assert "error" not in replies["getnetworkinfo"] and "error" not in replies["getblockchaininfo"]
    assert replies["getwalletinfo"]["error"]["code"] == -32601
    answers = {m: replies[m]["result"] for m in ("getnetworkinfo", "getblockchaininfo")}
    assert getinfo_problems(answers) == []


def test_the_checker_is_as_strict_as_univalue(node):
    """A value of another JSON type, a missing key and a pre-0.21 server all stop -netinfo."""
    replies = batch(node, ["getpeerinfo", "getnetworkinfo"])
    answers = {method: reply["result"] for method, reply in replies.items()}
    answers["getpeerinfo"][0]["inbound"] = "false"
    del answers["getpeerinfo"][1]["bip152_hb_to"]
    answers["getpeerinfo"][2]["pingtime"] = "0.1"
    answers["getnetworkinfo"]["version"] = 200200
    problems = netinfo_problems(answers, 4)
    assert any(p.startswith("bitcoin-cli.cpp:525: getpeerinfo[0].inbound") for p in problems)
    assert any(p.startswith("bitcoin-cli.cpp:556: getpeerinfo[1].bip152_hb_to") for p in problems)
    assert any(p.startswith("bitcoin-cli.cpp:515: -netinfo needs") for p in problems)
    assert any(p.startswith("bitcoin-cli.cpp:548: getpeerinfo[2].pingtime") for p in problems)
    # level 0 reads no per-peer details: a broken bip152_hb_to does not matter there
    assert not any("bip152_hb_to" in p for p in netinfo_problems(answers, 0))
