"""The newest getpeerinfo fields as a client sees them over a socket (issue 11): a served
core-31 node whose peers are declared through the control plane (POST /simnode/events) or a
scenario, read with python-bitcoinrpc, changes them as the model's events arrive."""

import base64
import json
import urllib.error
import urllib.request
from decimal import Decimal

from bitcoinrpc.authproxy import AuthServiceProxy

from simnode.local import LocalNode
from tests.helpers import service_proxy


def post_events(node: LocalNode, events: list[dict]) -> list:
    token = base64.b64encode(f"{node.user}:{node.password}".encode()).decode()
    request = urllib.request.Request(
        node.url.rstrip("/") + "/simnode/events", data=json.dumps(events).encode(),
        method="POST", headers={"Authorization": f"Basic {token}"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["results"]


def peer(proxy: AuthServiceProxy, peer_id: int) -> dict:
    return next(p for p in proxy.getpeerinfo() if p["id"] == peer_id)


def test_peers_declared_through_the_control_plane_show_their_facts():
    with LocalNode(profile="core-31") as node, service_proxy(node.rpc_url) as proxy:
        v2, block, inbound = post_events(node, [
            {"type": "connect", "addr": "1.2.3.4:8333", "inbound": False, "v2transport": True,
             "mapped_as": 64500, "pong_rtt_seconds": 0.1},
            {"type": "connect", "addr": "203.0.113.9:8333",
             "connection_type": "block-relay-only", "pong_rtt_seconds": 0.1},
            {"type": "connect", "addr": "198.51.100.4:50004", "pong_rtt_seconds": 0.1},
        ])  # fmt: skip
        before = peer(proxy, v2)
        assert (before["connection_type"], before["transport_protocol_type"]) == (
            "outbound-full-relay", "detecting")  # fmt: skip
        assert before["mapped_as"] == 64500 and before["session_id"] == ""
        assert peer(proxy, block)["connection_type"] == "block-relay-only"
        assert peer(proxy, inbound)["transport_protocol_type"] == "detecting"

        post_events(node, [
            {"type": "version_received", "peer_id": v2, "subver": "/Satoshi:31.0.0/"},
            {"type": "version_received", "peer_id": inbound, "subver": "/Satoshi:30.0.0/"},
            {"type": "send_cmpct", "peer_id": v2, "direction": "send"},
            {"type": "send_cmpct", "peer_id": inbound, "direction": "recv"},
            {"type": "fee_filter", "peer_id": v2, "feerate": 1500},
            {"type": "addr_message", "peer_id": inbound, "count": 4, "addrv2": True},
            {"type": "sync_progress", "peer_id": block, "presynced_headers": 800000},
        ])  # fmt: skip
        after, heard = peer(proxy, v2), peer(proxy, inbound)
        assert after["transport_protocol_type"] == "v2" and len(after["session_id"]) == 64
        assert (after["bip152_hb_to"], after["minfeefilter"]) == (True, Decimal("0.00001500"))
        assert (heard["transport_protocol_type"], heard["bip152_hb_from"]) == ("v1", True)
        assert (heard["addr_relay_enabled"], heard["addr_processed"],
                heard["addr_rate_limited"]) == (True, 1, 3)  # fmt: skip
        assert peer(proxy, block)["presynced_headers"] == 800000


def test_the_modern_peers_scenario_over_a_socket():
    with LocalNode(scenario="modern-peers") as node, service_proxy(node.rpc_url) as proxy:
        kinds = sorted(p["connection_type"] for p in proxy.getpeerinfo())
        assert kinds.count("block-relay-only") == 2 and "feeler" in kinds
        node.advance(6 * 60)
        flooded = next(p for p in proxy.getpeerinfo() if p["addr"] == "1.2.3.5:51017")
        assert (flooded["addr_processed"], flooded["addr_rate_limited"]) == (30, 30)
        assert proxy.getnetworkinfo()["relayfee"] == Decimal("0.00000100")


def post(node: LocalNode, path: str, body: dict) -> dict:
    token = base64.b64encode(f"{node.user}:{node.password}".encode()).decode()
    request = urllib.request.Request(
        node.url.rstrip("/") + path, data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Basic {token}"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_the_convenience_ways_in_take_the_connect_facts_too():
    """LocalNode.add_peer and POST /simnode/peers/add take connection_type, v2transport and
    mapped_as, as the connect event does; a bad type is refused naming the choices."""
    with LocalNode(profile="core-31") as node, service_proxy(node.rpc_url) as proxy:
        relay_only = node.add_peer("1.2.3.4:8333", inbound=False,
                                   connection_type="block-relay-only", mapped_as=64500)  # fmt: skip
        posted = post(node, "/simnode/peers/add", {"addr": "5.6.7.8:8333", "inbound": False,
                                                   "v2transport": True})  # fmt: skip
        feeler = post(node, "/simnode/peers/add", {"addr": "9.9.9.9:8333", "inbound": False,
                                                   "connection_type": "feeler"})  # fmt: skip
        first = peer(proxy, relay_only)
        assert (first["connection_type"], first["mapped_as"]) == ("block-relay-only", 64500)
        assert first["relaytxes"] is False  # block-relay-only connections relay no transactions
        second = peer(proxy, posted["id"])
        assert second["transport_protocol_type"] == "v2" and len(second["session_id"]) == 64
        assert peer(proxy, feeler["id"])["connection_type"] == "feeler"
        try:
            post(node, "/simnode/peers/add", {"addr": "9.9.9.8:8333", "connection_type": "x"})
        except urllib.error.HTTPError as error:
            assert error.code == 400 and "connection_type" in error.read().decode()
        else:
            raise AssertionError("an unknown connection type was accepted")
