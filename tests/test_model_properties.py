"""Invariants of the node over random event sequences (hypothesis)."""

from hypothesis import given

from simnode.invariants import node_problems
from simnode.jsontext import dumps
from simnode.model import EventError
from simnode.profiles.netviews import listbanned
from simnode.profiles.releases import PAI_3_0
from simnode.strategies import event_sequences
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
