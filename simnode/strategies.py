"""Hypothesis strategies for simnode's events (more arrive with the conformance work).

Every strategy is built from other strategies, so failures shrink to short, readable sequences.

Example::

    @given(event_sequences(max_peers=4))
    def test_my_client_survives(events):
        node = Node()
        for event in events:
            try:
                node.apply(event)
            except EventError:
                pass  # events for peers that are gone are refused, state untouched
"""

from __future__ import annotations

from hypothesis import strategies as st

from simnode.model import events as ev
from simnode.model.node import PAI_MESSAGE_TYPES

_IPV4_HOSTS = st.sampled_from([f"192.0.2.{n}" for n in range(1, 6)] + ["127.0.0.1", "203.0.113.9"])
_IPV6_HOSTS = st.sampled_from(["[2001:db8::1]", "[2001:db8::2]", "[::1]"])


def peer_addresses() -> st.SearchStrategy[str]:
    """``ip:port`` strings from the documentation ranges and loopback, with repeats on purpose."""
    host = st.one_of(_IPV4_HOSTS, _IPV6_HOSTS)
    return st.builds(lambda h, p: f"{h}:{p}", host, st.sampled_from([8567, 40000, 51234]))


def message_types() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(sorted(PAI_MESSAGE_TYPES)), st.sampled_from(["xyz", "alert"]))


def events(max_peers: int = 8) -> st.SearchStrategy[ev.Event]:
    """Single events; peer ids fall in ``range(max_peers)``, so some name peers that are gone."""
    peer = st.integers(0, max_peers - 1)
    rtt = st.one_of(st.none(), st.floats(0.000001, 5.0).map(lambda s: round(s, 6)))
    return st.one_of(
        st.builds(
            ev.Connect,
            addr=peer_addresses(),
            inbound=st.booleans(),
            whitelisted=st.booleans(),
            manual=st.booleans(),
            addrbind=st.one_of(st.none(), st.just("198.51.100.1:8567")),
            pong_rtt_seconds=rtt,
        ),
        st.builds(ev.Disconnect, peer),
        st.builds(
            ev.VersionReceived,
            peer,
            version=st.sampled_from([0, 60000, 70001, 70015]),
            subver=st.sampled_from(["/Turing:3.0.0/", "", "/Satoshi:0.12.1/", "/x\n\u00e9/"]),
            services=st.integers(0, 2**64 - 1),
            startingheight=st.integers(-1, 2_000_000),
            relaytxes=st.booleans(),
            timeoffset=st.integers(-10_000, 10_000),
            addrlocal=st.one_of(st.none(), st.just("198.51.100.1:8567")),
        ),
        st.builds(
            ev.Traffic,
            peer,
            message_types(),
            st.sampled_from(["send", "recv"]),
            st.integers(1, 100_000),
            pending=st.booleans(),
        ),
        st.builds(ev.FlushSendQueue, peer),
        st.builds(ev.PingSent, st.one_of(st.none(), peer)),
        st.builds(ev.PongReceived, peer, rtt),
        st.builds(ev.SetPongRtt, peer, rtt),
        st.builds(ev.Misbehave, peer, st.integers(0, 120), st.just("test")),
        st.builds(
            ev.Ban,
            st.sampled_from(["192.0.2.1", "192.0.2.0/24", "2001:db8::/32", "127.0.0.1"]),
            bantime_seconds=st.one_of(st.none(), st.integers(1, 5000)),
        ),
        st.builds(ev.Unban, st.sampled_from(["192.0.2.1", "192.0.2.0/24"])),
        st.builds(ev.ClearBans),
        st.builds(
            ev.SyncProgress,
            peer,
            synced_headers=st.one_of(st.none(), st.integers(-1, 10**6)),
            synced_blocks=st.one_of(st.none(), st.integers(-1, 10**6)),
            inflight=st.one_of(st.none(), st.lists(st.integers(0, 10**6), max_size=16).map(tuple)),
        ),
        st.builds(ev.SetNetworkActive, st.booleans()),
        st.builds(ev.AdvanceClock, st.sampled_from([0, 0.05, 1, 30, 119, 121, 600, 1300, 90000])),
    )


def event_sequences(max_peers: int = 8, max_size: int = 60) -> st.SearchStrategy[list[ev.Event]]:
    """Sequences that start with a few connections, so most events find their peer."""
    opening = st.lists(st.builds(ev.Connect, addr=peer_addresses()), min_size=1, max_size=3)
    rest = st.lists(events(max_peers), max_size=max_size)
    return st.builds(lambda a, b: a + b, opening, rest)
