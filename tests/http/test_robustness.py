"""Malformed bodies, headers and parameter values never crash the server or break its state;
each gets a JSON-RPC error or one of the node's HTTP errors."""

import base64
import http.client
import json
import socket

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simnode.conformance.invariants import node_problems
from simnode.local import LocalNode
from simnode.rpc import default_table
from tests.helpers import json_values
from tests.transport_helpers import AUTH, AppUnderTest

FUZZ = settings(max_examples=700, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
PLAIN_BODIES = {b"", b"JSONRPC server handles only POST requests", b"Work queue depth exceeded"}
METHODS = sorted(set(default_table().methods) - {"stop"})  # stop is tested on its own


def assert_node_like(response) -> None:
    """A JSON-RPC reply (single or batch) or one of the node's plain HTTP answers."""
    if response.headers.get("Content-Type") != "application/json":
        assert response.status_code in (401, 404, 405, 500, 501)
        assert response.data in PLAIN_BODIES or response.status_code == 501
        return
    assert response.status_code in (200, 400, 404, 500)
    assert response.data.endswith(b"\n")
    reply = json.loads(response.data)
    for envelope in reply if isinstance(reply, list) else [reply]:
        assert list(envelope) == ["result", "error", "id"]
        error = envelope["error"]
        if error is not None:
            assert isinstance(error["code"], int) and isinstance(error["message"], str)


def assert_still_healthy(app: AppUnderTest) -> None:
    status, reply = app.call("getpeerinfo")
    assert status == 200
    assert node_problems(reply["result"]) == []


app_under_fuzz = AppUnderTest(peers=5)


@FUZZ
@given(st.binary(max_size=300))
def test_arbitrary_bodies(body):
    assert_node_like(app_under_fuzz.post(body))


@FUZZ
@given(json_values)
def test_arbitrary_json_documents(document):
    assert_node_like(app_under_fuzz.post(json.dumps(document)))


@FUZZ
@given(
    st.sampled_from(METHODS),
    st.lists(json_values, max_size=5)
    | st.dictionaries(
        st.sampled_from(
            [
                "node",
                "command",
                "subnet",
                "bantime",
                "absolute",
                "address",
                "nodeid",
                "state",
                "timestamp",
                "x",
            ]
        ),
        json_values,
        max_size=4,
    ),
    json_values,
)
def test_arbitrary_parameters_for_every_method(method, params, request_id):  # fmt: skip
    body = {"method": method, "params": params, "id": request_id}
    assert_node_like(app_under_fuzz.post(json.dumps(body)))
    assert_still_healthy(app_under_fuzz)


@FUZZ
@given(
    st.sampled_from(["GET", "POST", "PUT", "HEAD", "DELETE", "OPTIONS", "PATCH"]),
    st.sampled_from(["/", "/wallet/x", "/x", "/?a=1", "/simnode/state", "/simnode/nope"]),
    st.one_of(st.none(), st.text(st.characters(exclude_characters="\r\n"), max_size=40),
              st.just(AUTH["Authorization"])),
)  # fmt: skip
def test_arbitrary_methods_paths_and_authorization(method, path, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    response = app_under_fuzz.client.open(path, method=method, data=b"{}", headers=headers)
    if path.startswith("/simnode/"):
        assert response.status_code in (200, 400, 401, 404, 405, 501)
    elif (method, path) == ("GET", "/"):  # a browser's: the live page, behind the credentials
        assert response.status_code in (200, 401)
        assert (response.status_code == 200) == (authorization == AUTH["Authorization"])
    else:
        assert_node_like(response)


EVENT_KEYS = ["peer", "addr", "seconds", "score", "subnet", "bytes", "direction", "message",
              "rtt_seconds", "until", "inbound", "synced_headers", "synced_blocks", "version",
              "subver", "pending", "reason", "active", "node", "epoch_seconds"]  # fmt: skip
control_events = st.fixed_dictionaries(
    {"type": st.sampled_from(["connect", "disconnect", "version", "traffic", "ping", "pong",
                              "misbehave", "ban", "unban", "sync", "advance", "set_clock", "x"])},
    optional={key: json_values for key in EVENT_KEYS},
)  # fmt: skip
control_bodies = st.one_of(
    json_values,
    st.lists(control_events, max_size=4),
    st.fixed_dictionaries({"events": st.lists(control_events, max_size=4)}),
    st.fixed_dictionaries({"seconds": json_values | st.sampled_from([1e20, 1e308])}),
    st.sampled_from([b"NaN", b'{"seconds": Infinity}', b'[{"type": "advance", "seconds": 1e300}]']),
)


@settings(FUZZ, max_examples=200)  # each example may rebuild the node; 3,000 ran clean once
@given(st.sampled_from(["events", "advance", "reset", "state", "warmup"]), control_bodies)
def test_arbitrary_control_plane_requests_get_json_answers(action, body):
    """The control plane answers 200 or 400 with JSON, whatever it is sent: never a crash."""
    data = body if isinstance(body, bytes) else json.dumps(body)
    response = app_under_fuzz.client.post(f"/simnode/{action}", data=data, headers=AUTH)
    assert response.status_code in (200, 400), response.data
    assert isinstance(json.loads(response.data), dict)
    app_under_fuzz.client.post("/simnode/warmup", data="{}", headers=AUTH)  # calls work again


def test_the_app_is_healthy_after_the_fuzzing():
    assert_still_healthy(app_under_fuzz)


@pytest.fixture(scope="module")
def served():
    with LocalNode(peers=2) as node:
        node.app.auth_failure_delay = 0  # hundreds of wrong passwords; the delay is tested apart
        yield node


def getpeerinfo_status(node: LocalNode) -> int:
    conn = http.client.HTTPConnection(node.host, node.port, timeout=5)
    try:
        token = base64.b64encode(f"{node.user}:{node.password}".encode()).decode()
        conn.request("POST", "/", b'{"method":"getpeerinfo","id":1}',
                     {"Authorization": f"Basic {token}"})  # fmt: skip
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(garbage=st.binary(min_size=1, max_size=2000))
def test_garbage_on_a_real_socket_never_kills_the_server(served, garbage):
    with socket.create_connection((served.host, served.port), timeout=5) as sock:
        sock.sendall(garbage)
        sock.shutdown(socket.SHUT_WR)
        while sock.recv(65536):
            pass
    assert getpeerinfo_status(served) == 200


NODE_STATUSES = {200, 204, 400, 401, 403, 404, 405, 413, 500, 501, 503}
header_values = st.binary(max_size=40).map(lambda value: value.translate(None, b"\r\n"))


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    method=st.just(b"POST") | st.sampled_from([b"GET", b"HEAD", b"PUT", b"DELETE", b"OPTIONS",
                                               b"PATCH", b"CONNECT", b"TRACE", b"BREW"]),
    path=st.just(b"/") | st.sampled_from([b"/wallet/w", b"/%ff", b"/\xff", b"*", b"//", b"/?x",
                                          b"/simnode/state", b"http://elsewhere/"]),
    headers=st.lists(st.tuples(st.sampled_from([b"Authorization", b"Content-Type", b"Connection",
                                                b"Expect", b"Transfer-Encoding", b"X-Any"]),
                               header_values), max_size=4),
    basic=st.one_of(st.none(), header_values),
)  # fmt: skip
def test_arbitrary_request_heads_on_a_real_socket_get_the_nodes_answers(
    served, method, path, headers, basic
):
    """Whatever the request line and headers, the answer is one the node gives (never a crash
    page or the server library's own wording), and the node serves on."""
    lines = [method + b" " + path + b" HTTP/1.1", b"Host: x", b"Content-Length: 2"]
    lines += [name + b": " + value for name, value in headers]
    if basic is not None:
        lines.append(b"Authorization: Basic " + basic)
    request = b"\r\n".join(lines) + b"\r\n\r\n{}"
    with socket.create_connection((served.host, served.port), timeout=5) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        reply = b""
        try:
            while chunk := sock.recv(65536):
                reply += chunk
        except ConnectionResetError:  # closed with part of the request unread, after replying
            pass
    status_line = reply.split(b"\r\n", 1)[0]
    assert status_line.startswith(b"HTTP/1.")
    assert int(status_line.split()[1]) in NODE_STATUSES
    assert b"waitress" not in reply and b"Internal Server Error\r\n\r\n" not in reply
    assert getpeerinfo_status(served) == 200
