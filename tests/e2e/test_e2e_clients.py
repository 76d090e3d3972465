"""Unmodified third-party clients over a real socket: python-bitcoinrpc's AuthServiceProxy and
python-bitcoinlib's RawProxy, with user/password and cookie auth."""

import json
import shutil
import subprocess
from contextlib import contextmanager

import bitcoin.rpc
import pytest
from bitcoinrpc.authproxy import JSONRPCException

from simnode.conformance.invariants import node_problems
from simnode.local import LocalNode
from tests.helpers import service_proxy


@contextmanager
def raw_proxy(**kwargs):
    proxy = bitcoin.rpc.RawProxy(**kwargs)
    try:
        yield proxy
    finally:
        proxy.close()


@pytest.fixture(scope="module")
def served():
    with LocalNode(peers=6, seed=11) as node:
        yield node


@pytest.fixture
def node(served):
    served.configure(auth="password")
    return served


def client_for(kind: str, node: LocalNode):
    if kind == "AuthServiceProxy":
        return service_proxy(node.rpc_url)
    if node.config.auth == "cookie":  # python-bitcoinlib finds the cookie beside the .conf
        return raw_proxy(btc_conf_file=str(node.conf_path))
    return raw_proxy(service_url=node.rpc_url)


@pytest.mark.parametrize("auth", ["password", "cookie"])
@pytest.mark.parametrize("client", ["AuthServiceProxy", "RawProxy"])
def test_unmodified_clients_call_every_method(node, client, auth):
    node.configure(auth=auth)
    with client_for(client, node) as proxy:
        peers = proxy.getpeerinfo()
        assert len(peers) == proxy.getconnectioncount() == 6
        assert node_problems(json.loads(json.dumps(peers, default=float))) == []
        assert proxy.getnettotals()["totalbytessent"] >= sum(p["bytessent"] for p in peers)
        assert proxy.getnetworkinfo()["subversion"] == "/Turing:3.0.0/"
        assert proxy.ping() is None
        assert all("pingwait" in p for p in proxy.getpeerinfo())
        node.listen("192.0.2.200:8567")
        assert proxy.addnode("192.0.2.200:8567", "add") is None
        assert proxy.addnode("192.0.2.201:8567", "onetry") is None  # nothing listens there
        assert proxy.getaddednodeinfo()[0]["addednode"] == "192.0.2.200:8567"
        node.advance(2)  # the added-node thread's next round
        assert proxy.getaddednodeinfo("192.0.2.200:8567")[0]["connected"] is True
        assert proxy.addnode("192.0.2.200:8567", "remove") is None
        assert proxy.disconnectnode(peers[0]["addr"]) is None
        assert proxy.disconnectnode("", peers[1]["id"]) is None
        assert proxy.setban("192.0.2.0/24", "add", 600) is None
        assert proxy.listbanned()[0]["address"] == "192.0.2.0/24"
        assert proxy.setban("192.0.2.0/24", "remove") is None
        assert proxy.setban("203.0.113.0/24", "add") is None
        assert proxy.clearbanned() is None
        assert proxy.listbanned() == []
        uptime = proxy.uptime()
        assert proxy.setmocktime(node.node.snapshot().now_seconds + 60) is None
        assert proxy.uptime() == uptime + 60
        assert proxy.setnetworkactive(False) is False
        assert proxy.getconnectioncount() == 0
        assert proxy.help("getpeerinfo").startswith("getpeerinfo")


def test_authserviceproxy_sees_node_errors(node):
    with service_proxy(node.rpc_url) as proxy:
        with pytest.raises(JSONRPCException) as raised:
            proxy.disconnectnode("", 999)
        assert raised.value.error == {"code": -29, "message": "Node not found in connected nodes"}
        with pytest.raises(JSONRPCException) as raised:
            proxy.getrpcinfo()  # PAI Core 3.0.0 has none (Bitcoin Core 0.18 added it)
        assert raised.value.error["code"] == -32601


def test_authserviceproxy_batch(node):
    with service_proxy(node.rpc_url) as proxy:
        count, peers, info = proxy.batch_([["getconnectioncount"], ["getpeerinfo"],
                                           ["getnetworkinfo"]])  # fmt: skip
        assert count == len(peers) == info["connections"] == 6


def test_rawproxy_with_password_and_with_cookie():
    with LocalNode(peers=2) as node, raw_proxy(service_url=node.rpc_url) as proxy:
        assert proxy.getconnectioncount() == 2
        with pytest.raises(bitcoin.rpc.JSONRPCError):
            proxy.setban("nonsense", "add")
    with LocalNode(peers=3, auth="cookie") as node:
        assert node.cookie_path.read_text().startswith("__cookie__:")
        assert node.cookie_path.stat().st_mode & 0o777 == 0o600
        with raw_proxy(btc_conf_file=str(node.conf_path)) as proxy:
            assert len(proxy.getpeerinfo()) == 3
            assert str(proxy.getnetworkinfo()["relayfee"]) == "0.00001000"
            cookie = node.cookie_path
    assert not cookie.exists()


def test_wrong_password_is_refused_by_the_client():
    with (
        LocalNode() as node,
        service_proxy(f"http://simnode:wrong@127.0.0.1:{node.port}/") as proxy,
        pytest.raises(JSONRPCException) as raised,
    ):
        proxy.getconnectioncount()
    assert raised.value.error == {
        "code": -342, "message": "non-JSON HTTP response with '401 Unauthorized' from server"
    }  # fmt: skip


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_example_from_the_help_text(node):
    body = '{"jsonrpc": "1.0", "id":"curltest", "method": "getconnectioncount", "params": [] }'
    result = subprocess.run(
        ["curl", "-s", "--user", f"{node.user}:{node.password}", "--data-binary", body,
         "-H", "content-type: text/plain;", node.url],
        capture_output=True, check=True, text=True, timeout=10,
    )  # fmt: skip
    assert result.stdout == '{"result":6,"error":null,"id":"curltest"}\n'


def test_authserviceproxy_against_the_bitcoin_28_profile():
    with LocalNode(profile="bitcoin-28", peers=4) as node, service_proxy(node.rpc_url) as proxy:
        peers = proxy.getpeerinfo()
        assert [p["connection_type"] for p in peers][:1] == ["outbound-full-relay"]
        assert proxy.getnetworkinfo()["subversion"] == "/Satoshi:28.1.0/"
        assert node.conf_path.name == "bitcoin.conf"
