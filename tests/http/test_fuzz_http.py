"""Fuzzing the transport (issue 16, must-show 2): hypothesis-made HTTP exchanges on a real socket
(requests in pieces, pipelined, cut short, with lengths and codings that lie) and JSON-RPC
bodies (batches, both protocol generations) against the WSGI app. Throughout, a valid client on
its own thread keeps calling and must be answered within HANG_GUARD_SECONDS every time.

Modest by default; ``SIMNODE_HYPOTHESIS_PROFILE=long`` runs 1,000 examples each (the soak).
test_robustness.py covers single bodies and request heads; this adds what it does not."""

import base64
import http.client
import json
import socket
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simnode.http.app import MAX_BATCH_CALLS
from simnode.local import LocalNode
from simnode.rpc import default_table
from tests.helpers import json_values
from tests.transport_helpers import AUTH, AppUnderTest

HANG_GUARD_SECONDS = 10
NODE_STATUSES = {200, 204, 400, 401, 403, 404, 405, 413, 500, 501, 503}
METHODS = sorted(set(default_table().methods) - {"stop"})  # stop ends serving: tested apart
EXTRA_HEADERS = [
    b"Connection: close",
    b"Connection: keep-alive",
    b"Expect: 100-continue",
    b"Host: x",
    b"X-Pad: " + b"y" * 9000,  # past libevent's 8 KB of headers
    b"Content-Type: application/json",
]
FIXTURE_SETTINGS = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


class ValidClient:
    """Calls getconnectioncount on its own connection every 20 ms; remembers what went wrong."""

    def __init__(self, node: LocalNode) -> None:
        self.node = node
        self.problems: list[str] = []
        self.answered = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="valid-client")
        token = base64.b64encode(f"{node.user}:{node.password}".encode()).decode()
        self._headers = {"Authorization": f"Basic {token}"}

    def _run(self) -> None:
        conn = http.client.HTTPConnection(self.node.host, self.node.port, HANG_GUARD_SECONDS)
        while not self._stop.wait(0.02):
            try:
                conn.request("POST", "/", b'{"method":"getconnectioncount","id":1}', self._headers)
                response = conn.getresponse()
                body = response.read()
                if response.status != 200 or json.loads(body)["error"] is not None:
                    self.problems.append(f"{response.status} {body[:80]!r}")
                self.answered += 1
            except (OSError, http.client.HTTPException) as error:
                self.problems.append(repr(error))
                conn.close()
        conn.close()

    def __enter__(self) -> "ValidClient":
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(HANG_GUARD_SECONDS + 1)


@pytest.fixture(scope="module")
def watched():
    """A served node with a valid client calling it all along."""
    with LocalNode(peers=3) as node, ValidClient(node) as client:
        node.app.auth_failure_delay = 0  # many wrong passwords below; the delay is tested apart
        yield node, client
    assert client.answered > 0 and client.problems == []


def request_bodies() -> st.SearchStrategy[bytes]:
    call = st.fixed_dictionaries(
        {"method": st.sampled_from(METHODS)},
        optional={"params": st.lists(json_values, max_size=3), "id": json_values,
                  "jsonrpc": st.sampled_from(["2.0", "1.0", 2])},
    )  # fmt: skip
    documents = call | st.lists(call | json_values, max_size=6)
    return documents.map(lambda doc: json.dumps(doc).encode()) | st.binary(max_size=80)


@st.composite
def http_exchanges(draw, node: LocalNode) -> tuple[list[bytes], bool]:
    """One connection's worth of bytes, in the pieces they are sent in, and whether the client
    closes before reading (a request cut short)."""
    token = base64.b64encode(f"{node.user}:{node.password}".encode())
    requests = []
    for _ in range(draw(st.integers(1, 3))):  # pipelined on one connection
        body = draw(request_bodies())
        method = draw(st.sampled_from([b"POST", b"POST", b"GET", b"PUT", b"HEAD", b"XYZ"]))
        path = draw(st.sampled_from([b"/", b"/", b"/wallet/w", b"/x", b"//", b"/?a"]))
        version = draw(st.sampled_from([b"HTTP/1.1", b"HTTP/1.0", b"HTTP/1.1", b"HTTP/2", b""]))
        head = [method + b" " + path + (b" " + version if version else b"")]
        auth = draw(st.sampled_from([b"Basic " + token, b"Basic " + token, b"Basic eDp5", None]))
        if auth is not None:
            head.append(b"Authorization: " + auth)
        framing = draw(st.sampled_from(["length", "length", "wrong length", "chunked", "none"]))
        if framing == "length":
            head.append(b"Content-Length: %d" % len(body))
        elif framing == "wrong length":
            head.append(b"Content-Length: " + draw(st.sampled_from([b"-1", b"x", b"99999", b"0"])))
        elif framing == "chunked":
            head.append(b"Transfer-Encoding: chunked")
            body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body) if draw(st.booleans()) else body
        head += draw(st.lists(st.sampled_from(EXTRA_HEADERS), max_size=3))
        requests.append(b"\r\n".join(head) + b"\r\n\r\n" + body)
    data = b"".join(requests)
    cut = draw(st.none() | st.integers(0, len(data)))
    data = data if cut is None else data[:cut]
    splits = sorted(draw(st.lists(st.integers(0, len(data)), max_size=4)))
    pieces = [data[a:b] for a, b in zip([0, *splits], [*splits, len(data)], strict=True)]
    return [piece for piece in pieces if piece], cut is not None


def exchange(node: LocalNode, pieces: list[bytes], close_early: bool) -> bytes:
    with socket.create_connection((node.host, node.port), timeout=HANG_GUARD_SECONDS) as sock:
        try:
            for piece in pieces:
                sock.sendall(piece)
            if close_early:
                return b""
            sock.shutdown(socket.SHUT_WR)
            reply = b""
            while chunk := sock.recv(65536):
                reply += chunk
            return reply
        except TimeoutError:
            raise
        except OSError:  # reset, or closed, on a request it refused
            return b""


@FIXTURE_SETTINGS
@given(data=st.data())
def test_arbitrary_exchanges_on_a_socket_leave_the_server_answering(watched, data):
    node, client = watched
    pieces, close_early = data.draw(http_exchanges(node))
    reply = exchange(node, pieces, close_early)
    for status_line in (line for line in reply.split(b"\r\n") if line.startswith(b"HTTP/1.")):
        assert int(status_line.split()[1]) in NODE_STATUSES | {100}, status_line
    assert b"waitress" not in reply and b"Traceback" not in reply
    assert client.problems == []


@pytest.mark.parametrize("profile", ["pai", "bitcoin-28"])
@FIXTURE_SETTINGS
@given(body=request_bodies())
def test_arbitrary_json_rpc_bodies_get_node_answers_from_the_app(profile, body):
    app = APPS[profile]
    response = app.post(body)
    assert response.status_code in NODE_STATUSES
    if response.status_code != 204:
        reply = json.loads(response.data)
        for envelope in reply if isinstance(reply, list) else [reply]:
            assert ("result" in envelope) != ("error" in envelope) or "jsonrpc" not in envelope
            assert "id" in envelope or profile == "bitcoin-28"
    status, answer = app.call("getconnectioncount")
    assert (status, answer["result"]) == (200, 3)


APPS = {profile: AppUnderTest(peers=3, profile=profile) for profile in ("pai", "bitcoin-28")}


def test_a_batch_of_every_method_at_the_limit_is_answered_whole():
    """The limit does not cut a batch short: MAX_BATCH_CALLS calls of every method, all answered
    in order."""
    calls = [{"method": METHODS[i % len(METHODS)], "id": i} for i in range(MAX_BATCH_CALLS)]
    response = APPS["pai"].post(json.dumps(calls), headers=AUTH)
    assert response.status_code == 200
    assert [reply["id"] for reply in json.loads(response.data)] == list(range(MAX_BATCH_CALLS))
