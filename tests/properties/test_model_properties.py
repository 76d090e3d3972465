"""Invariants of the node over random event sequences (hypothesis)."""

import contextlib

from hypothesis import given, settings
from hypothesis import strategies as st

from simnode.conformance.invariants import node_problems
from simnode.model import Connect, EventError, Node, VersionReceived, VirtualClock
from simnode.profiles.jsontext import dumps
from simnode.profiles.netviews import getnettotals, listbanned
from simnode.profiles.releases import PAI_3_0, PROFILES, get_profile
from simnode.testing.strategies import event_sequences, node_states
from tests.helpers import new_node


@given(event_sequences())
def test_invariants_hold_after_every_event(events):
    node = new_node()
    pingtimes_seen: dict[int, list[float]] = {}
    last_ids: list[int] = []
    for event in events:
        before = dumps(PAI_3_0.getpeerinfo(node.snapshot()))
        try:
            node.apply(event)
        except EventError:
            assert dumps(PAI_3_0.getpeerinfo(node.snapshot())) == before
            continue
        snapshot = node.snapshot()
        peers = PAI_3_0.getpeerinfo(snapshot)
        banned = listbanned(PAI_3_0, snapshot)
        assert node_problems(peers, banned, ban_threshold=100) == []

        ids = [p["id"] for p in peers]
        assert ids == sorted(ids)  # connection order is id order in the model
        assert set(ids) - set(last_ids) <= {max(ids, default=-1)}  # at most one new id, the top
        last_ids = ids

        for entry, view in zip(peers, snapshot.peers, strict=True):
            if "pingtime" in entry:
                pingtimes_seen.setdefault(entry["id"], []).append(entry["pingtime"])
                assert entry["minping"] <= min(pingtimes_seen[entry["id"]])
            assert ("pingwait" in entry) == (view.ping_sent_us is not None)
            if entry["lastsend"]:
                assert entry["lastsend"] >= entry["conntime"]
            if entry["lastrecv"]:
                assert entry["lastrecv"] >= entry["conntime"]


@settings(max_examples=60, deadline=None)
@given(
    rtts=st.lists(st.sampled_from([None, 0.05, 0.3, 119.0]), min_size=1, max_size=4),
    old=st.booleans(),
    jump=st.integers(0, 30 * 86400),
)
def test_a_long_clock_jump_equals_the_same_time_in_small_steps(rtts, old, jump):
    """Ping cycles skipped at once on a long jump leave exactly the state of running them."""

    def build() -> Node:
        node = new_node()
        for index, rtt in enumerate(rtts):
            peer = node.apply(Connect(f"192.0.2.{index + 1}:8567", pong_rtt_seconds=rtt))
            node.apply(VersionReceived(peer, version=60000 if old and index == 0 else 70015))
        return node

    stepped, jumped = build(), build()
    step = 1000  # fewer ping cycles than SKIP_PING_CYCLES_FROM: replayed one by one
    for _ in range(jump // step):
        stepped.advance(step)
    stepped.advance(jump % step)
    jumped.advance(jump)
    for view in (PAI_3_0.getpeerinfo, getnettotals):
        assert dumps(view(jumped.snapshot())) == dumps(view(stepped.snapshot()))


def test_a_year_long_jump_is_quick():
    node = new_node()
    for index in range(125):
        peer = node.apply(Connect(f"192.0.2.{index + 1}:8567", pong_rtt_seconds=0.1))
        node.apply(VersionReceived(peer))
    node.advance(365 * 86400)  # 260,000 ping cycles a peer, if replayed one by one
    entries = PAI_3_0.getpeerinfo(node.snapshot())
    assert len(entries) == 125
    assert entries[0]["bytessent_per_msg"]["ping"] == 32 * (365 * 720 + 1)


@given(
    node_states(max_peers=6, optional="any", large_values=True), st.sampled_from(sorted(PROFILES))
)
def test_the_peer_encoder_writes_what_the_generic_encoder_writes(node, profile_name):
    """Each profile's PeerEncoder (attribute fields read by type group, one template per
    combination of optional fields) against jsontext.dumps of the rendered dicts, over every
    field and presence."""
    profile = get_profile(profile_name)
    snapshot = node.snapshot()
    assert profile.getpeerinfo_json(snapshot).text == dumps(profile.getpeerinfo(snapshot))


@given(event_sequences(), st.sampled_from(sorted(PROFILES)))
def test_incremental_rendering_after_every_event_equals_a_fresh_one(events, profile_name):
    """The node refreezes only changed peers and the renderer reuses the last answer's text;
    after every event the JSON must equal a rendering of the snapshot from scratch."""
    profile = get_profile(profile_name)
    node = Node(VirtualClock(), profile.settings)
    for event in events:
        with contextlib.suppress(EventError):
            node.apply(event)
        snapshot = node.snapshot()
        fresh = [repr(peer.freeze()) for peer in node._peers.values()]  # snapshots compare by id
        assert [repr(peer) for peer in snapshot.peers] == fresh
        assert profile.getpeerinfo_json(snapshot).text == dumps(profile.getpeerinfo(snapshot))
