"""The bitcoin-28 profile: Bitcoin Core 28's getpeerinfo shape and its JSON-RPC 2.0 rules
(reference sections 2.2, 2.3, 4.4 and 5)."""

import json

import pytest

from simnode.conformance.check import validate
from simnode.model import (
    Connect,
    FeeFilter,
    Misbehave,
    Node,
    VersionReceived,
    VirtualClock,
)
from simnode.profiles import get_profile
from tests.transport_helpers import AppUnderTest

B28 = get_profile("bitcoin-28")


@pytest.fixture
def app():
    return AppUnderTest(profile="bitcoin-28")


def test_getpeerinfo_keys_in_v28_order():
    node = Node(VirtualClock(), B28.settings)
    peer = node.apply(Connect("203.0.113.44:8333", inbound=False, addrbind="10.0.0.5:39874"))
    node.apply(VersionReceived(peer, version=70016, subver="/Satoshi:28.1.0/", services=0xC09,
                               addrlocal="198.51.100.23:39874"))  # fmt: skip
    node.apply(FeeFilter(peer, 1000))  # a 28.1 peer with an empty mempool: its -minrelaytxfee
    (entry,) = B28.getpeerinfo(node.snapshot())
    # Reference section 2.2, "26.x - 30.x" (no mapped_as: no -asmap; no ping yet).
    assert list(entry) == [
        "id", "addr", "addrbind", "addrlocal", "network", "services", "servicesnames",
        "relaytxes", "lastsend", "lastrecv", "last_transaction", "last_block", "bytessent",
        "bytesrecv", "conntime", "timeoffset", "pingwait", "version", "subver", "inbound",
        "bip152_hb_to", "bip152_hb_from", "startingheight", "presynced_headers",
        "synced_headers", "synced_blocks", "inflight", "addr_relay_enabled", "addr_processed",
        "addr_rate_limited", "permissions", "minfeefilter", "bytessent_per_msg",
        "bytesrecv_per_msg", "connection_type", "transport_protocol_type", "session_id",
    ]  # fmt: skip
    assert entry["servicesnames"] == ["NETWORK", "WITNESS", "NETWORK_LIMITED", "P2P_V2"]
    assert entry["connection_type"] == "outbound-full-relay"
    assert entry["minfeefilter"] == 0.00001
    assert "banscore" not in entry and "whitelisted" not in entry and "addnode" not in entry
    assert validate([entry], B28, "strict") == []


def test_an_inbound_peer_that_has_sent_nothing_matches_the_functional_test():
    """rpc_net.py @ v28 pops addr, addrbind, bytesrecv and bytessent; on a default node (v2
    transport on) such a peer shows transport_protocol_type "detecting"."""
    node = Node(VirtualClock(1736937852), B28.settings)
    node.apply(Connect("127.0.0.1:50000"))
    node.apply(Connect("127.0.0.1:50001"))
    peer = node.apply(Connect("127.0.0.1:50002", addrbind="127.0.0.1:18444"))
    entry = B28.getpeerinfo(node.snapshot())[peer]
    for key in ("addr", "addrbind", "bytesrecv", "bytessent"):
        entry.pop(key)
    assert entry == {
        "addr_processed": 0, "addr_rate_limited": 0, "addr_relay_enabled": False,
        "bip152_hb_from": False, "bip152_hb_to": False, "bytesrecv_per_msg": {},
        "bytessent_per_msg": {}, "connection_type": "inbound", "conntime": 1736937852, "id": 2,
        "inbound": True, "inflight": [], "last_block": 0, "last_transaction": 0, "lastrecv": 0,
        "lastsend": 0, "minfeefilter": 0.0, "network": "not_publicly_routable",
        "permissions": [], "presynced_headers": -1, "relaytxes": False,
        "services": "0000000000000000", "servicesnames": [], "session_id": "",
        "startingheight": -1, "subver": "", "synced_blocks": -1, "synced_headers": -1,
        "timeoffset": 0, "transport_protocol_type": "detecting", "version": 0,
    }  # fmt: skip


def test_misbehaviour_discourages_at_once_and_lists_no_ban():
    node = Node(VirtualClock(), B28.settings)
    peer = node.apply(Connect("203.0.113.5:8333"))
    trusted = node.apply(Connect("203.0.113.6:8333", whitelisted=True))
    node.apply(Misbehave(peer, 1))
    node.apply(Misbehave(trusted, 1))
    assert [p["id"] for p in B28.getpeerinfo(node.snapshot())] == [trusted]
    assert node.snapshot().bans == ()
    assert B28.getpeerinfo(node.snapshot())[0]["permissions"] == ["noban", "relay", "mempool",
                                                                   "download"]  # fmt: skip


# --- JSON-RPC 2.0 ---------------------------------------------------------------------------
def test_v2_replies_carry_only_result_or_error_and_errors_are_http_200(app):
    ok = app.post({"jsonrpc": "2.0", "method": "getconnectioncount", "id": 1})
    assert (ok.status_code, ok.data) == (200, b'{"jsonrpc":"2.0","result":3,"id":1}\n')
    missing = app.post({"jsonrpc": "2.0", "method": "nosuch", "id": 2})
    assert missing.status_code == 200
    assert json.loads(missing.data) == {"jsonrpc": "2.0", "id": 2,
        "error": {"code": -32601, "message": "Method not found"}}  # fmt: skip
    bad_param = app.post({"jsonrpc": "2.0", "method": "setban", "params": {"x": 1}, "id": 3})
    assert bad_param.status_code == 200 and json.loads(bad_param.data)["error"]["code"] == -8


def test_v2_notifications_run_and_get_204(app):
    response = app.post({"jsonrpc": "2.0", "method": "setban", "params": ["192.0.2.77", "add"]})
    assert (response.status_code, response.data) == (204, b"")
    assert app.call("listbanned")[1]["result"][0]["address"] == "192.0.2.77/32"
    batch = [{"jsonrpc": "2.0", "method": "ping"}, {"jsonrpc": "2.0", "method": "uptime"}]
    assert app.post(batch).status_code == 204
    mixed = app.post([{"jsonrpc": "2.0", "method": "ping"},
                      {"jsonrpc": "2.0", "method": "getconnectioncount", "id": 9},
                      {"method": "getconnectioncount"}])  # fmt: skip
    assert mixed.status_code == 200
    assert json.loads(mixed.data) == [{"jsonrpc": "2.0", "result": 3, "id": 9},
                                      {"result": 3, "error": None}]  # fmt: skip


@pytest.mark.parametrize(
    ("version", "message"),
    [("3.0", "JSON-RPC version not supported"), (2, "jsonrpc field must be a string")],
)
def test_bad_jsonrpc_versions_are_400(app, version, message):
    response = app.post({"jsonrpc": version, "method": "getconnectioncount"})
    assert response.status_code == 400
    assert json.loads(response.data) == {"result": None,
                                         "error": {"code": -32600, "message": message}}  # fmt: skip


def test_legacy_requests_from_28_on(app):
    no_id = app.post({"method": "getconnectioncount"})
    assert no_id.data == b'{"result":3,"error":null}\n'
    with_id = app.post({"jsonrpc": "1.0", "method": "nosuch", "id": 5})
    assert with_id.status_code == 404
    parse_error = app.post(b"nonsense")
    assert parse_error.status_code == 500
    assert parse_error.data == (
        b'{"result":null,"error":{"code":-32700,"message":"Parse error"},"id":null}\n'
    )


def test_net_rpc_shapes_and_messages(app):
    info = app.call("getnetworkinfo")[1]["result"]
    assert list(info) == ["version", "subversion", "protocolversion", "localservices",
                          "localservicesnames", "localrelay", "timeoffset", "networkactive",
                          "connections", "connections_in", "connections_out", "networks",
                          "relayfee", "incrementalfee", "localaddresses", "warnings"]  # fmt: skip
    assert (info["version"], info["subversion"], info["warnings"]) == (280100, "/Satoshi:28.1.0/",
                                                                       [])  # fmt: skip
    assert [n["name"] for n in info["networks"]] == ["ipv4", "ipv6", "onion", "i2p", "cjdns"]
    app.call("setban", "192.0.2.9", "add", 600)
    (ban,) = app.call("listbanned")[1]["result"]
    assert list(ban) == ["address", "ban_created", "banned_until", "ban_duration",
                         "time_remaining"]  # fmt: skip
    assert ban["ban_duration"] == ban["time_remaining"] == 600
    assert app.call("addnode", "192.0.2.1:8333", "remove")[1]["error"]["message"] == (
        "Error: Node could not be removed. It has not been added previously.")  # fmt: skip
    assert app.call("setban", "192.0.2.10", "remove")[1]["error"]["message"].endswith(
        "was not previously manually banned.")  # fmt: skip


def test_argument_types_are_checked_up_front_as_rpchelpman_does_from_25(app):
    """All mismatches in one -3 "Wrong type passed" with UniValue's indented object (#26929);
    omitted or null optional arguments pass."""
    status, reply = app.call("setban", 5, "add", "soon")
    assert status == 500
    assert reply["error"] == {"code": -3, "message": (
        "Wrong type passed:\n{\n"
        '    "Position 1 (subnet)": "JSON value of type number is not of expected type string",\n'
        '    "Position 3 (bantime)": "JSON value of type string is not of expected type number"\n'
        "}")}  # fmt: skip
    assert app.call("setnetworkactive", None)[1]["error"]["message"] == (
        'Wrong type passed:\n{\n    "Position 1 (state)": '
        '"JSON value of type null is not of expected type bool"\n}')  # fmt: skip
    assert app.call("setban", "192.0.2.9", "add", None, None)[0] == 200
    assert app.call("getaddednodeinfo", None)[1]["result"] == []


def test_disconnectnode_takes_no_argument_as_both_are_optional_from_rpchelpman(app):
    """PAI's handler wants at least one argument (else its help text); Bitcoin Core 28's
    RPCHelpMan documents both as optional, so none reaches the handler's -32602."""
    assert app.call("disconnectnode")[1]["error"] == {
        "code": -32602,
        "message": "Only one of address and nodeid should be provided.",
    }
    assert app.call("disconnectnode", None, 0)[0] == 200
    pai = AppUnderTest()
    assert pai.call("disconnectnode")[1]["error"]["message"].startswith("disconnectnode")


def test_getinfo_is_gone_as_in_bitcoin_core_0_16_and_later(app):
    assert app.call("getinfo")[1]["error"] == {"code": -32601, "message": "Method not found"}
    assert "getinfo" not in app.call("help")[1]["result"]


def test_work_queue_full_is_503():
    app = AppUnderTest(profile="bitcoin-28", rpc_threads=1, work_queue_depth=0)
    app.app.work_queue.admit()
    response = app.post({"method": "uptime"})
    assert (response.status_code, response.data) == (503, b"Work queue depth exceeded")


def test_a_served_bitcoin_28_node_passes_its_own_check():
    from simnode.conformance.check import check_node
    from simnode.conformance.client import RPCClient
    from simnode.local import LocalNode

    with LocalNode(profile="bitcoin-28", peers=6) as node:
        node.advance(300)
        with RPCClient(node.url, node.user, node.password) as client:
            report = check_node(client.call, "bitcoin-28", "strict")
    assert report.conforms, report.text()
