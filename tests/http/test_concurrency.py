"""Clients polling getpeerinfo while events pour in: every answer is a consistent snapshot."""

import base64
import http.client
import json
import random
import sys
import threading
import time

from simnode.conformance.invariants import node_problems
from simnode.local import LocalNode
from simnode.model import (
    AdvanceClock,
    Connect,
    Disconnect,
    EventError,
    Misbehave,
    PingSent,
    Traffic,
    VersionReceived,
)
from simnode.model.clock import VirtualClock
from simnode.model.node import Node
from simnode.profiles.peertable import PeerTable
from simnode.profiles.releases import get_profile

POLLERS = 4
EVENTS = 5000
MIN_ANSWERS_EACH = 40


def random_event(rng: random.Random, peer_ids: list[int]):
    kind = rng.random()
    if kind < 0.08 or not peer_ids:
        return Connect(f"192.0.2.{rng.randint(1, 250)}:{rng.randint(1024, 65535)}")
    peer = rng.choice(peer_ids)
    if kind < 0.12:
        return Disconnect(peer)
    if kind < 0.2:
        return VersionReceived(peer)
    if kind < 0.25:
        return PingSent(peer)
    if kind < 0.3:
        return Misbehave(peer, rng.randint(1, 30))
    if kind < 0.35:
        return AdvanceClock(rng.choice([0.1, 1, 30, 130]))
    return Traffic(peer, rng.choice(["inv", "tx", "getdata"]), rng.choice(["send", "recv"]),
                   rng.randint(24, 5000), pending=rng.random() < 0.2)  # fmt: skip


def test_pollers_always_see_consistent_snapshots_while_events_apply():
    with LocalNode(peers=30, seed=2) as node:
        stop = threading.Event()
        problems: list[str] = []
        answers = [0] * POLLERS
        authorization = (
            "Basic " + base64.b64encode(f"{node.user}:{node.password}".encode()).decode()
        )

        def poll(index: int) -> None:
            """Alternate getpeerinfo (one RPC answer) and the control plane's state (peers and
            bans from one snapshot); each must be consistent on its own. A batch of
            getpeerinfo and listbanned is two snapshots, on a real node too."""
            conn = http.client.HTTPConnection(node.host, node.port, timeout=10)
            headers = {"Authorization": authorization}
            try:
                while not stop.is_set():
                    if answers[index] % 2:
                        conn.request("POST", "/simnode/state", b"{}", headers)
                    else:
                        conn.request("POST", "/", b'{"method":"getpeerinfo","id":0}', headers)
                    response = conn.getresponse()
                    reply = json.loads(response.read())
                    if response.status != 200:
                        problems.append(f"status {response.status}")
                    if "result" in reply:
                        problems.extend(node_problems(reply["result"], ban_threshold=100))
                    else:
                        problems.extend(node_problems(reply["peers"], reply["banned"], 100))
                    answers[index] += 1
            except Exception as error:  # a dropped connection or a bad body is a failure
                problems.append(repr(error))
            finally:
                conn.close()

        pollers = [threading.Thread(target=poll, args=(i,)) for i in range(POLLERS)]
        for thread in pollers:
            thread.start()
        rng = random.Random(1)
        applied = attempts = 0
        try:
            # Keep events coming until every poller has seen plenty of snapshots.
            deadline = time.monotonic() + 60
            while attempts < EVENTS or min(answers) < MIN_ANSWERS_EACH:
                if time.monotonic() > deadline or not all(t.is_alive() for t in pollers):
                    break  # a poller died or stalled: the assertions below say how
                attempts += 1
                try:
                    node.node.apply(random_event(rng, node.node.peer_ids()))
                    applied += 1
                except EventError:
                    pass
        finally:
            stop.set()
            for thread in pollers:
                thread.join(timeout=30)
        assert not any(thread.is_alive() for thread in pollers), "a poller deadlocked"
        assert problems == []
        assert applied > EVENTS // 2
        assert min(answers) >= MIN_ANSWERS_EACH


def test_nodes_sharing_a_profile_render_concurrently_without_errors():
    """A profile is shared by every node of a release and holds no state; each node's
    getpeerinfo cache is its own (issue 13). Threads rendering nodes whose peers come and go,
    and threads rendering one node's table together, must not trip over each other."""
    profile = get_profile("pai")
    shared = Node(VirtualClock(1_600_000_000))
    shared_table = profile.peer_table()
    errors: list[str] = []

    def churn(subnet_host: int, node: Node | None = None, table: PeerTable | None = None) -> None:
        node = node or Node(VirtualClock(1_600_000_000))
        table = table or profile.peer_table()
        try:
            for index in range(2000):
                for event in (Connect(f"192.0.2.{subnet_host}:{1024 + index}"), None):
                    snapshot = node.snapshot()
                    # the cached text is the text rendered afresh, whoever rendered before
                    assert table.render(snapshot).text == profile.getpeerinfo_json(snapshot).text
                    if event is not None:
                        peer = node.apply(event)
                node.apply(Disconnect(peer))
        except Exception as error:
            errors.append(repr(error))

    threads = [threading.Thread(target=churn, args=(host,)) for host in range(1, 3)]
    threads += [threading.Thread(target=churn, args=(host, shared, shared_table))
                for host in range(3, 5)]  # fmt: skip
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, so races show
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == []
