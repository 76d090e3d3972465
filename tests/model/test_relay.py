"""The newest getpeerinfo facts as model state (issue 11): connection types, BIP324 transport,
asmap, compact-block high-bandwidth picks, the address rate limiter, fee filters and header
presync, each driven by events and read from the snapshot (src/net_processing.cpp,
src/net.cpp @ v31.0)."""

import dataclasses

import pytest

from simnode.model import (
    AddrMessage,
    Connect,
    EventError,
    FeeFilter,
    Node,
    NodeSettings,
    SendCmpct,
    SyncProgress,
    Traffic,
    VersionReceived,
    VirtualClock,
)
from simnode.model.peer import CONNECTION_TYPES
from simnode.model.relay import MAX_ADDR_PROCESSING_TOKEN_BUCKET, bip324_session_id

V2_NODE = NodeSettings(v2transport=True, private_broadcast=True, seed=5)  # a 31-like node


def peer_of(node: Node, peer_id: int):
    return next(p for p in node.snapshot().peers if p.id == peer_id)


def connected(settings: NodeSettings = V2_NODE, **connect) -> tuple[Node, int]:
    node = Node(VirtualClock(), settings)
    connect.setdefault("pong_rtt_seconds", 0.1)
    peer_id = node.apply(Connect(connect.pop("addr", "203.0.113.5:8333"), **connect))
    return node, peer_id


# --- connection type ------------------------------------------------------------------------
@pytest.mark.parametrize("kind", CONNECTION_TYPES)
def test_the_connection_type_is_one_fact_inbound_and_manual_derive_from_it(kind):
    node, peer_id = connected(connection_type=kind, inbound=kind == "inbound")
    peer = peer_of(node, peer_id)
    assert peer.connection_type == kind
    assert peer.inbound is (kind == "inbound")
    assert peer.manual is (kind == "manual")


@pytest.mark.parametrize(
    ("flags", "kind"),
    [({}, "inbound"), ({"inbound": False}, "outbound-full-relay"),
     ({"inbound": False, "manual": True}, "manual"), ({"manual": True}, "manual")],
)  # fmt: skip
def test_without_a_type_the_flags_decide(flags, kind):
    node, peer_id = connected(**flags)
    assert peer_of(node, peer_id).connection_type == kind


@pytest.mark.parametrize(
    ("connect", "message"),
    [({"connection_type": "feeler", "manual": True}, "manual is true"),
     ({"connection_type": "inbound", "inbound": False}, "inbound is false"),
     ({"connection_type": "outbound"}, "connection_type must be one of")],
)  # fmt: skip
def test_contradicting_flags_and_unknown_types_are_refused(connect, message):
    node = Node(VirtualClock(), V2_NODE)
    with pytest.raises(EventError, match=message):
        node.apply(Connect("203.0.113.5:8333", **connect))
    assert node.snapshot().peers == ()


@pytest.mark.parametrize("kind", ["block-relay-only", "feeler"])
def test_block_relay_and_feeler_connections_relay_no_transactions(kind):
    node, peer_id = connected(connection_type=kind)
    node.apply(VersionReceived(peer_id, relaytxes=True))
    node.apply(FeeFilter(peer_id, 5000))
    peer = peer_of(node, peer_id)
    assert (peer.relaytxes, peer.fee_filter_received, peer.last_inv_sequence) == (False, 0, 0)
    assert peer.addr_relay_enabled is (kind == "feeler")  # SetupAddressRelay refuses block-only


# --- transport ------------------------------------------------------------------------------
def test_a_v2_connection_has_a_session_id_from_the_seed_and_detects_until_it_hears_the_peer():
    node, peer_id = connected(inbound=False, v2transport=True)
    peer = peer_of(node, peer_id)
    assert peer.transport_v2 and peer.transport_detecting
    assert peer.session_id == bip324_session_id(5, peer_id)
    assert len(peer.session_id) == 64 and int(peer.session_id, 16) >= 0
    node.apply(Traffic(peer_id, "version", "recv", 126))
    assert not peer_of(node, peer_id).transport_detecting
    other, _ = connected(dataclasses.replace(V2_NODE, seed=6), inbound=False, v2transport=True)
    assert other.snapshot().peers[0].session_id != peer.session_id


def test_inbound_peers_are_detecting_only_on_a_node_with_v2_transport():
    v2_node, v2_inbound = connected()
    v1_node, v1_inbound = connected(NodeSettings())
    assert peer_of(v2_node, v2_inbound).transport_detecting
    assert not peer_of(v1_node, v1_inbound).transport_detecting
    assert peer_of(v2_node, v2_inbound).session_id == ""


def test_v2_needs_the_node_to_have_it_on():
    node = Node(VirtualClock(), NodeSettings())
    with pytest.raises(EventError, match="v2transport requested but not enabled"):
        node.apply(Connect("203.0.113.5:8333", inbound=False, v2transport=True))


# --- asmap ----------------------------------------------------------------------------------
def test_mapped_as_only_for_publicly_routable_addresses():
    node, peer_id = connected(addr="1.2.3.4:8333", mapped_as=64500)
    assert peer_of(node, peer_id).mapped_as == 64500
    for addr in ("203.0.113.5:8333", "pg6mmjiyjmcrsslvykfw.onion:8333", "10.0.0.1:8333"):
        with pytest.raises(EventError, match="publicly routable"):
            node.apply(Connect(addr, mapped_as=64500))
    with pytest.raises(EventError, match="AS number"):
        node.apply(Connect("1.2.3.5:8333", mapped_as=2**32))


# --- BIP152 high-bandwidth ------------------------------------------------------------------
def test_sendcmpct_received_sets_hb_from_and_clears_it_again():
    node, peer_id = connected()
    node.apply(SendCmpct(peer_id, "recv", high_bandwidth=True))
    assert peer_of(node, peer_id).bip152_hb_from
    node.apply(SendCmpct(peer_id, "recv", high_bandwidth=False))
    peer = peer_of(node, peer_id)
    assert not peer.bip152_hb_from
    assert dict(peer.recv_per_msg)["sendcmpct"] == 66


def test_we_pick_at_most_three_high_bandwidth_peers_dropping_the_oldest():
    node = Node(VirtualClock(), V2_NODE)
    ids = [node.apply(Connect(f"203.0.113.{i}:8333", inbound=False)) for i in range(4)]
    for peer_id in ids:
        node.apply(SendCmpct(peer_id, "send"))
    picked = {p.id: p.bip152_hb_to for p in node.snapshot().peers}
    assert picked == {ids[0]: False, ids[1]: True, ids[2]: True, ids[3]: True}
    # The dropped peer was told so: a second sendcmpct (announce 0) went to it.
    assert dict(peer_of(node, ids[0]).sent_per_msg)["sendcmpct"] == 66


def test_an_inbound_pick_never_drops_the_last_outbound_one():
    node = Node(VirtualClock(), V2_NODE)
    outbound = node.apply(Connect("203.0.113.1:8333", inbound=False))
    inbound = [node.apply(Connect(f"198.51.100.{i}:5000{i}")) for i in range(3)]
    for peer_id in (outbound, *inbound):
        node.apply(SendCmpct(peer_id, "send"))
    picked = {p.id for p in node.snapshot().peers if p.bip152_hb_to}
    assert picked == {outbound, inbound[1], inbound[2]}  # inbound[0] went instead


# --- address relay and its rate limiter -----------------------------------------------------
def test_the_addr_token_bucket_refills_at_a_tenth_a_second():
    node, peer_id = connected(NodeSettings())
    node.apply(VersionReceived(peer_id))
    assert not peer_of(node, peer_id).addr_relay_enabled  # inbound: not before its first addr
    node.apply(AddrMessage(peer_id, 5))  # one token at connection
    peer = peer_of(node, peer_id)
    assert (peer.addr_relay_enabled, peer.addr_processed, peer.addr_rate_limited) == (True, 1, 4)
    node.advance(100)  # ten more tokens
    node.apply(AddrMessage(peer_id, 12, addrv2=True))
    peer = peer_of(node, peer_id)
    assert (peer.addr_processed, peer.addr_rate_limited) == (11, 6)
    received = dict(peer.recv_per_msg)
    assert received["addr"] == 24 + 1 + 30 * 5
    assert received["*other*"] == 24 + 1 + 13 * 12  # a PAI-era node knows no addrv2 type


def test_outbound_peers_get_a_getaddr_allowance_and_the_bucket_caps_at_1000():
    node, peer_id = connected(NodeSettings(), inbound=False)
    node.apply(VersionReceived(peer_id))
    node.advance(10**6)  # far past the cap's refill
    node.apply(AddrMessage(peer_id, 1000))
    node.apply(AddrMessage(peer_id, 1000))
    peer = peer_of(node, peer_id)
    # 1 + 1000 (getaddr) tokens at the handshake; refills stop at the soft cap of 1000.
    assert peer.addr_processed == 1001 + 0
    assert peer.addr_rate_limited == 2000 - 1001
    assert MAX_ADDR_PROCESSING_TOKEN_BUCKET == 1000


def test_addr_from_block_relay_peers_is_ignored_and_oversized_messages_misbehave():
    node, block = connected(NodeSettings(), connection_type="block-relay-only")
    node.apply(AddrMessage(block, 10))
    peer = peer_of(node, block)
    assert (peer.addr_relay_enabled, peer.addr_processed, peer.addr_rate_limited) == (False, 0, 0)
    inbound = node.apply(Connect("198.51.100.9:50009"))
    node.apply(AddrMessage(inbound, 1001))
    assert peer_of(node, inbound).banscore == 20  # "addr message size = 1001"


def test_a_plain_addr_message_starts_address_relay_with_an_inbound_peer():
    node, peer_id = connected(NodeSettings())
    node.apply(Traffic(peer_id, "getaddr", "recv", 24))
    assert peer_of(node, peer_id).addr_relay_enabled


# --- fee filter and headers presync ---------------------------------------------------------
def test_feefilter_sets_minfeefilter_and_out_of_range_values_are_ignored():
    node, peer_id = connected(NodeSettings())
    node.apply(FeeFilter(peer_id, 3000))
    assert peer_of(node, peer_id).fee_filter_received == 0  # no TxRelay before the version
    node.apply(VersionReceived(peer_id, relaytxes=True))
    node.apply(FeeFilter(peer_id, 3000))
    node.apply(FeeFilter(peer_id, -1))  # outside MoneyRange: the node ignores it
    peer = peer_of(node, peer_id)
    assert peer.fee_filter_received == 3000
    assert dict(peer.recv_per_msg)["feefilter"] == 3 * 32


def test_presynced_headers_follow_sync_progress():
    node, peer_id = connected()
    assert peer_of(node, peer_id).presynced_headers == -1
    node.apply(SyncProgress(peer_id, presynced_headers=500_000))
    assert peer_of(node, peer_id).presynced_headers == 500_000
    with pytest.raises(EventError, match="-1 or more"):
        node.apply(SyncProgress(peer_id, presynced_headers=-2))


# --- transaction announcements (31's inv_to_send, last_inv_sequence) ------------------------
def test_arriving_transactions_queue_for_each_relaying_peer_until_its_trickle():
    from simnode.model import BlocksFound, TransactionsArrived
    from simnode.profiles import get_profile

    node = Node(VirtualClock(), get_profile("core-31").settings)
    ids = {}
    connects = {
        "out": Connect("203.0.113.1:8333", inbound=False, pong_rtt_seconds=0.1),
        "in": Connect("198.51.100.1:50001", pong_rtt_seconds=0.1),
        "block": Connect("203.0.113.2:8333", pong_rtt_seconds=0.1,
                         connection_type="block-relay-only"),
    }  # fmt: skip
    for name, connect in connects.items():
        ids[name] = node.apply(connect)
        node.apply(VersionReceived(ids[name], relaytxes=True))
    node.apply(TransactionsArrived(5))

    def queue() -> dict[str, tuple[int, int]]:
        peers = {p.id: p for p in node.snapshot().peers}
        return {name: (peers[i].inv_to_send, peers[i].last_inv_sequence) for name, i in ids.items()}

    assert queue() == {"out": (5, 1), "in": (5, 1), "block": (0, 0)}
    node.advance(2)  # outbound peers' trickle: 2 s
    assert queue() == {"out": (0, 6), "in": (5, 1), "block": (0, 0)}
    node.advance(3)  # inbound: 5 s
    assert queue() == {"out": (0, 6), "in": (0, 6), "block": (0, 0)}
    node.apply(TransactionsArrived(3000))
    node.advance(2)  # at most 70 + 5 per 1000 queued per trickle
    assert queue()["out"] == (3000 - 85, 3006)
    node.apply(BlocksFound(1))  # confirmed transactions move the sequence; the next trickle sees it
    sequence = node.snapshot().mempool.sequence
    node.advance(5)
    assert queue()["in"][1] == sequence > 3006


def test_releases_before_31_keep_no_announcement_queue():
    from simnode.model import TransactionsArrived

    node, peer_id = connected(NodeSettings(), inbound=False)
    node.apply(VersionReceived(peer_id))
    node.apply(TransactionsArrived(5))
    node.advance(10)
    assert (peer_of(node, peer_id).inv_to_send, peer_of(node, peer_id).last_inv_sequence) == (0, 1)
