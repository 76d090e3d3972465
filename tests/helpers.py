"""Small builders shared by the tests."""

from collections.abc import Iterator
from contextlib import contextmanager

from bitcoinrpc.authproxy import AuthServiceProxy
from hypothesis import strategies as st

from simnode.model import Connect, Node, NodeSettings, VersionReceived, VirtualClock
from simnode.profiles import get_profile

START = 1_600_000_000


def new_node(**settings) -> Node:
    return Node(VirtualClock(START), NodeSettings(**settings))


def connected(node: Node, addr: str = "192.0.2.7:8567", **connect) -> int:
    """A peer that has completed the handshake."""
    peer_id = node.apply(Connect(addr, **connect))
    node.apply(VersionReceived(peer_id))
    return peer_id


def entries(node: Node, profile: str = "pai") -> list[dict]:
    return get_profile(profile).getpeerinfo(node.snapshot())


def entry(node: Node, peer_id: int) -> dict:
    return next(e for e in entries(node) if e["id"] == peer_id)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=12,
)  # fmt: skip


@contextmanager
def service_proxy(url: str, timeout: float = 10) -> Iterator[AuthServiceProxy]:
    """python-bitcoinrpc's AuthServiceProxy, its kept-alive connection closed after (it has no
    close of its own), so no socket outlives the test."""
    proxy = AuthServiceProxy(url, timeout=timeout)
    try:
        yield proxy
    finally:
        proxy._AuthServiceProxy__conn.close()
