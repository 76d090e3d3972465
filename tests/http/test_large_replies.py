"""Large JSON-RPC replies go to waitress as a file over their chunks (``ReplyFile``), not through
its output buffer: the bytes, headers and faults must be what a small reply gets."""

import base64
import http.client
import io
import json

from hypothesis import given
from hypothesis import strategies as st

from simnode.http.replies import SEND_FROM_CHUNKS_BYTES, ReplyFile
from simnode.local import LocalNode

GETPEERINFO = b'{"jsonrpc":"1.0","id":7,"method":"getpeerinfo","params":[]}'
PEERS = 150  # getpeerinfo of this many peers is well over SEND_FROM_CHUNKS_BYTES


@given(
    chunks=st.lists(st.binary(max_size=40), max_size=6),
    steps=st.lists(st.tuples(st.sampled_from(["read", "seek"]), st.integers(-5, 90)), max_size=12),
)
def test_a_reply_file_reads_and_seeks_as_the_joined_bytes_would(chunks, steps):
    """Each read may stop at a chunk's end; what comes out, from wherever it was sought to,
    is what a BytesIO of the whole reply gives."""
    reply, whole = ReplyFile(chunks), io.BytesIO(b"".join(chunks))
    size = len(whole.getvalue())
    for action, amount in steps:
        if action == "seek":
            whence = amount % 3
            offset = amount if whence == 0 else amount - 45
            base = (0, whole.tell(), size)[whence]
            expected = max(0, min(base + offset, size))  # clamped where a file would refuse
            whole.seek(expected)
            assert reply.seek(offset, whence) == expected
            continue
        got = bytes(reply.read(amount))
        if amount != 0 and whole.tell() < size:
            assert got  # never an empty read before the end
        assert got == whole.read(len(got))
        assert reply.tell() == whole.tell()
    assert b"".join(iter(lambda: bytes(reply.read()), b"")) == whole.read()


def test_closing_a_reply_file_runs_its_callback_once():
    closed = []
    reply = ReplyFile([b"a", b"b"], on_close=lambda: closed.append(True))
    reply.close()
    reply.close()
    assert closed == [True]
    assert reply.read() == b""


def post(node: LocalNode, connection: http.client.HTTPConnection) -> http.client.HTTPResponse:
    token = base64.b64encode(f"{node.user}:{node.password}".encode()).decode()
    connection.request("POST", "/", GETPEERINFO, {"Authorization": f"Basic {token}"})
    return connection.getresponse()


def test_a_large_reply_arrives_whole_with_its_headers_on_a_kept_alive_connection():
    with LocalNode(peers=PEERS, seed=3) as node:  # a virtual clock: nothing moves between calls
        expected = node.app.reply_to(GETPEERINFO).body
        assert len(expected) > SEND_FROM_CHUNKS_BYTES
        connection = http.client.HTTPConnection(node.host, node.port, timeout=10)
        try:
            for _ in range(3):
                response = post(node, connection)
                body = response.read()
                assert response.status == 200
                assert response.getheader("Content-Type") == "application/json"
                assert response.getheader("Content-Length") == str(len(expected))
                assert body == expected
                assert len(json.loads(body)["result"]) == PEERS
            sockets = {id(connection.sock)}
            post(node, connection).read()
            assert {id(connection.sock)} == sockets  # still the same connection
        finally:
            connection.close()


def test_faults_cut_a_large_reply_as_they_cut_a_small_one():
    with LocalNode(peers=PEERS, seed=3) as node:
        whole = node.app.reply_to(GETPEERINFO).body
        node.faults.malformed_json("getpeerinfo")
        connection = http.client.HTTPConnection(node.host, node.port, timeout=10)
        try:
            response = post(node, connection)
            assert response.read() == whole[: len(whole) // 2]
            node.faults.truncated("getpeerinfo")
            response = post(node, connection)
            assert response.getheader("Content-Length") == str(len(whole))
            try:
                received = response.read()
            except http.client.IncompleteRead as cut:
                received = cut.partial
            assert received == whole[: len(whole) // 2]
        finally:
            connection.close()
