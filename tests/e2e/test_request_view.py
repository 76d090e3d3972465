"""One HTTP request reads one instant of the node: a batch's calls share a snapshot, and a call
that changes the node is seen by the calls after it (issue 15: one snapshot per request)."""

import base64
import json
import urllib.request

from simnode.local import LocalNode


def batch(node: LocalNode, *calls: tuple[str, list]) -> list[dict]:
    body = json.dumps([{"jsonrpc": "1.0", "id": index, "method": method, "params": params}
                       for index, (method, params) in enumerate(calls)]).encode()  # fmt: skip
    request = urllib.request.Request(node.url, body)
    request.add_unredirected_header("Authorization", "Basic " + _token(node))
    with urllib.request.urlopen(request, timeout=10) as reply:
        return [entry["result"] for entry in json.loads(reply.read())]


def _token(node: LocalNode) -> str:
    return base64.b64encode(f"{node.user}:{node.password}".encode()).decode()


def test_a_batch_reads_one_instant_of_a_running_clock():
    with LocalNode(peers=4, speed=10_000) as node:  # ten seconds of node time per millisecond
        first, second = batch(node, ("getnettotals", []), ("getnettotals", []))
        later = batch(node, ("getnettotals", []))[0]
    assert first["timemillis"] == second["timemillis"]
    assert later["timemillis"] > first["timemillis"]


def test_a_call_that_changes_the_node_is_seen_by_the_calls_after_it():
    with LocalNode(peers=3, seed=2) as node:
        node.listen("203.0.113.9:8567")
        peer = node.node.peer_ids()[0]
        replies = batch(
            node,
            ("getconnectioncount", []),
            ("addnode", ["203.0.113.9:8567", "onetry"]),
            ("disconnectnode", ["", peer]),
            ("getpeerinfo", []),
            ("getconnectioncount", []),
        )
    before, _, _, peers, after = replies
    assert before == 3 and after == 3  # one connected by onetry, one disconnected
    assert peer not in [entry["id"] for entry in peers]
    assert "203.0.113.9:8567" in [entry["addr"] for entry in peers]
