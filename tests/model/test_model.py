"""Model behaviour that real nodes have, one test per rule (no HTTP)."""

import pytest

from simnode.model import (
    AddNode,
    AdvanceClock,
    Ban,
    ClearBans,
    Connect,
    ConnectionRefused,
    Disconnect,
    EventError,
    FlushSendQueue,
    Misbehave,
    PingSent,
    PongReceived,
    SetClock,
    SetNetworkActive,
    SetPongRtt,
    SyncProgress,
    Traffic,
    Unban,
    VersionReceived,
)
from simnode.model.fakepeers import populate
from simnode.model.fakerprovider import seeded_faker
from simnode.profiles.jsontext import dumps
from simnode.profiles.netviews import getnettotals, listbanned
from simnode.profiles.releases import PAI_3_0
from tests.helpers import START, connected, entries, entry, new_node


# --- identity and order ---------------------------------------------------------------------
def test_ids_start_at_zero_are_never_reused_and_peers_list_in_connection_order():
    node = new_node()
    first = [node.apply(Connect(f"192.0.2.{n}:8567")) for n in (1, 2, 3)]
    node.apply(Disconnect(1))
    later = node.apply(Connect("192.0.2.9:8567"))
    assert first == [0, 1, 2]
    assert later == 3
    assert [e["id"] for e in entries(node)] == [0, 2, 3]


# --- byte accounting ------------------------------------------------------------------------
def test_sent_bytes_count_per_type_when_queued_and_in_totals_when_written():
    node = new_node()
    peer = connected(node)
    node.apply(Traffic(peer, "inv", "send", 61, pending=True))
    queued = entry(node, peer)
    assert queued["bytessent_per_msg"]["inv"] == 61
    assert queued["bytessent"] == sum(queued["bytessent_per_msg"].values()) - 61
    node.apply(FlushSendQueue(peer))
    idle = entry(node, peer)
    assert idle["bytessent"] == sum(idle["bytessent_per_msg"].values())


def test_received_bytes_count_in_totals_at_once_and_per_type_when_complete():
    node = new_node()
    peer = connected(node)
    before = entry(node, peer)
    node.apply(Traffic(peer, "block", "recv", 400, pending=True))
    partial = entry(node, peer)
    assert partial["bytesrecv"] == before["bytesrecv"] + 400
    assert "block" not in partial["bytesrecv_per_msg"]
    node.apply(Traffic(peer, "block", "recv", 1000))
    done = entry(node, peer)
    assert done["bytesrecv_per_msg"]["block"] == 1000
    assert (
        done["bytesrecv"] == before["bytesrecv"] + 1000 == sum(done["bytesrecv_per_msg"].values())
    )


def test_maps_list_only_nonzero_types_sorted_with_unknown_inbound_types_as_other():
    node = new_node(automatic_pings=False)
    peer = connected(node)
    node.apply(Traffic(peer, "zzz-unknown", "recv", 30))
    node.apply(Traffic(peer, "tx", "recv", 250))
    node.apply(Traffic(peer, "addr", "send", 55))
    e = entry(node, peer)
    assert list(e["bytesrecv_per_msg"]) == ["*other*", "tx", "version"]
    assert e["bytesrecv_per_msg"]["*other*"] == 30
    assert list(e["bytessent_per_msg"]) == ["addr"]  # no *other* on the send side


def test_ping_and_pong_are_32_bytes():
    node = new_node(automatic_pings=False)
    peer = connected(node)
    node.apply(PingSent(peer))
    node.apply(PongReceived(peer))
    e = entry(node, peer)
    assert e["bytessent_per_msg"]["ping"] == 32
    assert e["bytesrecv_per_msg"]["pong"] == 32


def test_lastsend_and_lastrecv_are_zero_until_the_first_byte_moves():
    node = new_node()
    peer = node.apply(Connect("192.0.2.7:51000"))
    assert (entry(node, peer)["lastsend"], entry(node, peer)["lastrecv"]) == (0, 0)
    node.apply(AdvanceClock(5))
    node.apply(Traffic(peer, "version", "recv", 126))
    assert (entry(node, peer)["lastsend"], entry(node, peer)["lastrecv"]) == (0, START + 5)
    node.apply(AdvanceClock(3))
    node.apply(Traffic(peer, "version", "send", 124))
    assert entry(node, peer)["lastsend"] == START + 8


def test_net_totals_keep_the_bytes_of_disconnected_peers():
    node = new_node(automatic_pings=False)
    peer = connected(node)
    node.apply(Traffic(peer, "tx", "send", 300))
    node.apply(Disconnect(peer))
    totals = getnettotals(node.snapshot())
    assert (totals["totalbytessent"], totals["totalbytesrecv"]) == (300, 124)


# --- pings ----------------------------------------------------------------------------------
def test_first_ping_follows_the_handshake_then_one_every_two_minutes():
    node = new_node()
    peer = connected(node, pong_rtt_seconds=0.25)
    assert entry(node, peer)["bytessent_per_msg"]["ping"] == 32
    node.apply(AdvanceClock(1))
    assert entry(node, peer)["pingtime"] == 0.25
    node.apply(AdvanceClock(118))
    assert entry(node, peer)["bytessent_per_msg"]["ping"] == 32
    node.apply(AdvanceClock(1))  # 120 s after the first ping started
    assert entry(node, peer)["bytessent_per_msg"]["ping"] == 64
    node.apply(AdvanceClock(3600))
    assert entry(node, peer)["bytessent_per_msg"]["ping"] == 32 * (2 + 30)


def test_pingwait_is_a_real_number_present_only_while_a_ping_is_outstanding():
    node = new_node(automatic_pings=False)
    peer = connected(node)
    assert "pingwait" not in entry(node, peer)
    node.apply(PingSent(peer))
    assert entry(node, peer)["pingwait"] == 1e-06  # a stopped clock still shows the ping
    node.apply(AdvanceClock(1.5))
    waiting = entry(node, peer)
    assert waiting["pingwait"] == 1.5 and isinstance(waiting["pingwait"], float)
    assert "pingtime" not in waiting and "minping" not in waiting
    node.apply(PongReceived(peer))
    answered = entry(node, peer)
    assert "pingwait" not in answered
    assert answered["pingtime"] == answered["minping"] == 1.5


def test_pong_sets_pingtime_and_minping_is_the_minimum():
    node = new_node(automatic_pings=False)
    peer = connected(node)
    seen = []
    for rtt in (0.3, 0.1, 0.2):
        node.apply(PingSent(peer))
        node.apply(PongReceived(peer, rtt_seconds=rtt))
        seen.append(entry(node, peer))
    assert [e["pingtime"] for e in seen] == [0.3, 0.1, 0.2]
    assert [e["minping"] for e in seen] == [0.3, 0.1, 0.1]


def test_unanswered_ping_disconnects_the_peer_after_20_minutes():
    node = new_node()
    peer = connected(node)  # pong_rtt None: the peer never answers
    node.apply(AdvanceClock(1199))
    assert entry(node, peer)["pingwait"] == 1199.0
    node.apply(AdvanceClock(1))
    assert entries(node) == []


def test_pre_bip31_peers_get_nonceless_pings_and_are_never_timed():
    node = new_node()
    peer = node.apply(Connect("192.0.2.7:8567"))
    node.apply(VersionReceived(peer, version=60000))
    node.apply(AdvanceClock(3000))
    e = entry(node, peer)
    assert "pingwait" not in e and "pingtime" not in e
    assert e["bytessent_per_msg"]["ping"] == 24 * 26  # 1 + one per 120 s


def test_a_peer_that_stops_answering_times_out():
    node = new_node()
    peer = connected(node, pong_rtt_seconds=0.1)
    node.apply(AdvanceClock(600))
    node.apply(SetPongRtt(peer, None))
    node.apply(AdvanceClock(1400))
    assert entries(node) == []


# --- misbehaviour and bans --------------------------------------------------------------------
def test_crossing_the_ban_threshold_disconnects_and_bans_for_the_ban_time():
    node = new_node()
    peer = connected(node, "192.0.2.50:8567")
    node.apply(Misbehave(peer, 60))
    assert entry(node, peer)["banscore"] == 60
    node.apply(Misbehave(peer, 40))
    assert entries(node) == []
    (ban,) = listbanned(PAI_3_0, node.snapshot())
    assert ban == {
        "address": "192.0.2.50/32",
        "banned_until": START + 86400,
        "ban_created": START,
        "ban_reason": "node misbehaving",
    }


def test_ban_threshold_and_ban_time_are_configurable():
    node = new_node(ban_threshold=10, ban_time_seconds=60)
    peer = connected(node, "192.0.2.51:8567")
    node.apply(Misbehave(peer, 10))
    assert entries(node) == []
    assert listbanned(PAI_3_0, node.snapshot())[0]["banned_until"] == START + 60


@pytest.mark.parametrize("exemption", [{"whitelisted": True}, {"manual": True, "inbound": False}])
def test_whitelisted_and_manual_peers_are_not_punished_and_keep_accumulating(exemption):
    node = new_node()
    peer = connected(node, "192.0.2.52:8567", **exemption)
    for _ in range(3):
        node.apply(Misbehave(peer, 100))
    assert entry(node, peer)["banscore"] == 300
    assert listbanned(PAI_3_0, node.snapshot()) == []


@pytest.mark.parametrize("addr", ["127.0.0.1:40000", "[::1]:40000"])
def test_local_address_peers_are_disconnected_but_not_banned(addr):
    node = new_node()
    peer = connected(node, addr)
    node.apply(Misbehave(peer, 100))
    assert entries(node) == []
    assert listbanned(PAI_3_0, node.snapshot()) == []


def test_bans_expire_on_the_clock_and_block_connections_while_live():
    node = new_node()
    node.apply(Ban("192.0.2.0/24", bantime_seconds=100))
    with pytest.raises(ConnectionRefused):
        node.apply(Connect("192.0.2.77:8567"))
    node.apply(AdvanceClock(99))
    assert node.is_banned("192.0.2.77")
    node.apply(AdvanceClock(1))
    assert listbanned(PAI_3_0, node.snapshot()) == []
    assert node.apply(Connect("192.0.2.77:8567")) == 0  # a refused connection takes no id


def test_banning_a_subnet_disconnects_its_peers_but_whitelisted_may_reconnect():
    node = new_node()
    connected(node, "192.0.2.1:8567")
    keep = connected(node, "203.0.113.1:8567")
    node.apply(Ban("192.0.2.0/24"))
    assert [e["id"] for e in entries(node)] == [keep]
    assert node.apply(Connect("192.0.2.1:8567", whitelisted=True)) == 2
    assert node.apply(Connect("192.0.2.2:8567", inbound=False, manual=True)) == 3


def test_unban_and_clearbanned():
    node = new_node()
    node.apply(Ban("192.0.2.1"))
    node.apply(Ban("2001:db8::/32"))
    with pytest.raises(EventError):
        node.apply(Unban("192.0.2.2"))
    node.apply(Unban("192.0.2.1"))
    assert [b["address"] for b in listbanned(PAI_3_0, node.snapshot())] == ["2001:db8::/32"]
    node.apply(ClearBans())
    assert listbanned(PAI_3_0, node.snapshot()) == []


# --- sync and version -------------------------------------------------------------------------
def test_sync_fields_are_minus_one_until_known_and_inflight_holds_up_to_16():
    node = new_node()
    peer = connected(node)
    fresh = entry(node, peer)
    assert (fresh["synced_headers"], fresh["synced_blocks"], fresh["inflight"]) == (-1, -1, [])
    node.apply(SyncProgress(peer, synced_headers=500, inflight=tuple(range(101, 117))))
    e = entry(node, peer)
    assert (e["synced_headers"], e["synced_blocks"]) == (500, -1)
    assert e["inflight"] == list(range(101, 117))
    with pytest.raises(EventError):
        node.apply(SyncProgress(peer, inflight=tuple(range(17))))
    assert entry(node, peer)["inflight"] == list(range(101, 117))


def test_version_fields_have_node_defaults_before_the_version_message():
    node = new_node()
    peer = node.apply(Connect("203.0.113.7:51234", addrbind="198.51.100.1:8567"))
    before = entry(node, peer)
    assert {k: before[k] for k in ("services", "relaytxes", "version", "subver")} == {
        "services": "0000000000000000",
        "relaytxes": False,
        "version": 0,
        "subver": "",
    }
    assert (before["startingheight"], before["timeoffset"]) == (-1, 0)
    assert "addrlocal" not in before and before["addrbind"] == "198.51.100.1:8567"
    node.apply(
        VersionReceived(peer, services=0x409, subver="/Tur\x00ing\n:3/", startingheight=7,
                        timeoffset=-3, addrlocal="198.51.100.1:8567")
    )  # fmt: skip
    after = entry(node, peer)
    assert after["services"] == "0000000000000409"
    assert after["subver"] == "/Turing:3/"  # SanitizeString drops unsafe characters
    assert (after["startingheight"], after["timeoffset"]) == (7, -3)
    assert after["addrlocal"] == "198.51.100.1:8567"


def test_addrbind_absent_when_unknown():
    node = new_node()
    peer = connected(node)
    assert "addrbind" not in entry(node, peer)


# --- network switch, added nodes, clock ------------------------------------------------------
def test_network_inactive_drops_every_peer_and_refuses_new_ones():
    node = new_node()
    connected(node)
    node.apply(SetNetworkActive(False))
    assert entries(node) == []
    with pytest.raises(ConnectionRefused):
        node.apply(Connect("192.0.2.7:8567"))


def test_added_node_list():
    node = new_node()
    node.apply(AddNode("192.0.2.9:8567", "add"))
    with pytest.raises(EventError):
        node.apply(AddNode("192.0.2.9:8567", "add"))
    node.apply(AddNode("192.0.2.9:8567", "remove"))
    assert node.snapshot().added_nodes == ()


def test_set_clock_moves_time_and_timers_follow_but_never_back():
    node = new_node()
    connected(node)
    node.apply(SetClock(START + 1200))
    assert entries(node) == []
    with pytest.raises(EventError):
        node.apply(SetClock(START))


# --- errors and determinism -----------------------------------------------------------------
@pytest.mark.parametrize(
    "bad_event",
    [
        Disconnect(42),
        Traffic(0, "tx", "send", 0),
        Traffic(0, "tx", "sideways", 10),
        Misbehave(0, -1),
        Ban("not-an-ip"),
        PongReceived(0, rtt_seconds=-1),
        AdvanceClock(-5),
        AdvanceClock(float("inf")),
        AdvanceClock(float("nan")),
        AdvanceClock(1e300),  # past the node's int64 microseconds
        SetClock(2**63),
    ],
)
def test_refused_events_change_nothing(bad_event):
    node = new_node()
    connected(node)
    before = dumps(entries(node))
    with pytest.raises(EventError):
        node.apply(bad_event)
    assert dumps(entries(node)) == before


def test_same_events_give_byte_identical_json():
    def run() -> str:
        node = new_node()
        populate(node, 20, seed=7)
        node.apply(AdvanceClock(900))
        return dumps(entries(node))

    assert run() == run()


def test_populate_with_the_same_seed_gives_the_same_peers():
    a, b, c = new_node(), new_node(), new_node()
    populate(a, 10, seed=3)
    populate(b, 10, seed=3)
    populate(c, 10, seed=4)
    assert dumps(entries(a)) == dumps(entries(b)) != dumps(entries(c))


def test_fake_peers_use_only_documentation_addresses():
    import ipaddress

    documentation = [
        ipaddress.ip_network(n)
        for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")
    ]
    fake = seeded_faker(1)
    for _ in range(500):
        host = fake.peer_address().rsplit(":", 1)[0].strip("[]")
        assert any(ipaddress.ip_address(host) in net for net in documentation), host
    node = new_node()
    populate(node, 30, seed=1)
    subvers = {e["subver"] for e in entries(node)}
    assert "/Turing:3.0.0/" in subvers


def test_sends_queue_behind_a_pending_one_until_the_socket_drains():
    node = new_node(automatic_pings=False)
    peer = connected(node)
    node.apply(Traffic(peer, "block", "send", 1000, pending=True))
    node.apply(Traffic(peer, "inv", "send", 61))
    stalled = entry(node, peer)
    assert stalled["bytessent"] == 0
    assert sum(stalled["bytessent_per_msg"].values()) == 1061
    node.apply(FlushSendQueue(peer))
    node.apply(Traffic(peer, "inv", "send", 61))
    assert entry(node, peer)["bytessent"] == 1122


def test_a_clone_is_the_same_node_and_then_evolves_on_its_own():
    node = new_node()
    populate(node, 6, seed=2)
    node.apply(Ban("2001:db8:ffff::/48"))
    twin = node.clone()
    assert dumps(entries(twin)) == dumps(entries(node))
    assert listbanned(PAI_3_0, twin.snapshot()) == listbanned(PAI_3_0, node.snapshot())
    twin.apply(Misbehave(entries(twin)[0]["id"], 100))
    twin.apply(AdvanceClock(3600))
    node.apply(AdvanceClock(3600))
    assert len(entries(twin)) == 5 and len(entries(node)) == 6
    again = node.clone()
    node.apply(AdvanceClock(600))
    again.apply(AdvanceClock(600))
    assert dumps(entries(again)) == dumps(entries(node))
