"""Each release's -rpcthreads/-rpcworkqueue defaults, as a client sees them: PAI Core (4 + 16)
turns the 21st concurrent call away with "Work queue depth exceeded", Bitcoin Core 29+ (16 +
64, #31215) takes 30 at once (issue 11)."""

import base64
import http.client
import threading

import pytest

from simnode.local import LocalNode

CONCURRENT = 30
HOLD_SECONDS = 0.5  # each call waits this long in its worker, so all 30 are in at once


def concurrent_statuses(node: LocalNode) -> list[tuple[int, bytes]]:
    node.faults.latency(HOLD_SECONDS, method="uptime", times=None)
    token = base64.b64encode(f"{node.user}:{node.password}".encode()).decode()
    statuses: list[tuple[int, bytes]] = []
    lock = threading.Lock()

    def call() -> None:
        connection = http.client.HTTPConnection(node.host, node.port, timeout=30)
        try:
            connection.request("POST", "/", b'{"id":1,"method":"uptime","params":[]}',
                               {"Authorization": f"Basic {token}"})  # fmt: skip
            reply = connection.getresponse()
            with lock:
                statuses.append((reply.status, reply.read()))
        finally:
            connection.close()

    threads = [threading.Thread(target=call) for _ in range(CONCURRENT)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    node.faults.clear()
    return statuses


@pytest.mark.parametrize(("profile", "capacity", "refused_status"),
                         [("pai", 20, 500), ("core-31", 80, 503)])  # fmt: skip
def test_the_work_queue_holds_what_the_release_holds(profile, capacity, refused_status):
    with LocalNode(profile=profile) as node:
        assert node.app.work_queue.capacity == capacity
        statuses = concurrent_statuses(node)
    refused = [s for s in statuses if s == (refused_status, b"Work queue depth exceeded")]
    answered = [s for s in statuses if s[0] == 200]
    assert len(refused) + len(answered) == CONCURRENT
    assert len(answered) <= capacity
    if capacity < CONCURRENT:
        assert refused  # the node's queue overflowed, as PAI Core's does
    else:
        assert not refused
