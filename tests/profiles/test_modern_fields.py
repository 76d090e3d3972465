"""The newest getpeerinfo fields read the model, per release (issue 11): each release shows
what its src/rpc/net.cpp pushes, from the same peer state, and the older fields (inbound,
addnode) render as ever from the one connection type."""

import pytest

from simnode.model import (
    AddrMessage,
    Connect,
    FeeFilter,
    Node,
    SendCmpct,
    SyncProgress,
    VersionReceived,
    VirtualClock,
)
from simnode.model.state import EventError
from simnode.profiles import PROFILES, get_profile


def rendered(profile_name: str, *connects: Connect, then=()) -> list[dict]:
    profile = get_profile(profile_name)
    node = Node(VirtualClock(), profile.settings)
    for connect in connects:
        peer_id = node.apply(connect)
        node.apply(VersionReceived(peer_id, version=70016, subver="/Satoshi:31.0.0/"))
    for event in then:
        node.apply(event)
    return profile.getpeerinfo(node.snapshot())


MANUAL = Connect("203.0.113.8:8333", inbound=False, manual=True)
BLOCK = Connect("203.0.113.9:8333", connection_type="block-relay-only")


@pytest.mark.parametrize("name", ["pai", "core-0.15", "core-0.17", "core-0.20"])
def test_old_releases_render_inbound_and_addnode_from_the_connection_type(name):
    manual, block = rendered(name, MANUAL, BLOCK)
    assert (manual["inbound"], manual["addnode"]) == (False, True)
    assert (block["inbound"], block["addnode"]) == (False, False)
    assert "connection_type" not in manual


@pytest.mark.parametrize("name", ["core-0.21", "core-26", "core-31"])
def test_connection_type_names_every_kind(name):
    kinds = ["outbound-full-relay", "block-relay-only", "feeler", "addr-fetch", "manual"]
    connects = [Connect(f"203.0.113.{i}:8333", inbound=False, connection_type=kind)  # type: ignore[arg-type]
                for i, kind in enumerate(kinds)]  # fmt: skip
    peers = rendered(name, *connects, Connect("198.51.100.1:50001"))
    assert [p["connection_type"] for p in peers] == [*kinds, "inbound"]
    assert [p["inbound"] for p in peers] == [False] * 5 + [True]


def test_transport_and_session_id_on_27_plus_and_never_before_26():
    v2 = Connect("203.0.113.1:8333", inbound=False, v2transport=True)
    peer, plain = rendered("core-31", v2, Connect("203.0.113.2:8333", inbound=False))
    assert peer["transport_protocol_type"] == "v2" and len(peer["session_id"]) == 64
    assert (plain["transport_protocol_type"], plain["session_id"]) == ("v1", "")
    assert "transport_protocol_type" not in rendered("core-25", plain_connect())[0]
    # 26 has BIP324 but -v2transport is off by default: inbound peers are v1 at once.
    assert rendered("core-26", Connect("198.51.100.1:50001"))[0]["transport_protocol_type"] == "v1"


def plain_connect() -> Connect:
    return Connect("203.0.113.3:8333", inbound=False)


def test_mapped_as_from_0_20_only_when_the_peer_has_one():
    with_as = Connect("1.2.3.4:8333", inbound=False, mapped_as=64500)
    peers = rendered("core-31", with_as, plain_connect())
    assert peers[0]["mapped_as"] == 64500 and "mapped_as" not in peers[1]
    assert list(peers[0])[:6] == ["id", "addr", "network", "mapped_as", "services",
                                  "servicesnames"]  # fmt: skip
    assert list(rendered("core-0.20", with_as)[0])[:5] == ["id", "addr", "mapped_as", "services",
                                                           "servicesnames"]  # fmt: skip
    assert "mapped_as" not in rendered("core-0.19", with_as)[0]
    assert "mapped_as" not in rendered("pai", with_as)[0]


def test_relay_fields_follow_the_messages():
    events = (SendCmpct(0, "send"), SendCmpct(0, "recv"), AddrMessage(0, 3), FeeFilter(0, 2500),
              SyncProgress(0, presynced_headers=700_000))  # fmt: skip
    (before,) = rendered("core-31", plain_connect())
    (after,) = rendered("core-31", plain_connect(), then=events)
    changed = {key: (before[key], after[key]) for key in before if before[key] != after[key]}
    assert {key: changed[key] for key in (
        "bip152_hb_to", "bip152_hb_from", "addr_processed", "presynced_headers", "minfeefilter",
    )} == {
        "bip152_hb_to": (False, True), "bip152_hb_from": (False, True),
        "addr_processed": (0, 3), "presynced_headers": (-1, 700_000),
        "minfeefilter": (0.0, 0.000025),
    }  # fmt: skip
    assert after["last_inv_sequence"] == 1  # TxRelay::m_last_inv_sequence{1}, nothing announced


PRIVATE = Connect("203.0.113.1:8333", connection_type="private-broadcast", inbound=False)


def test_every_profile_renders_a_peer_of_every_kind_it_has():
    feeler = Connect("1.2.3.4:8333", inbound=False, mapped_as=64500, connection_type="feeler")
    for name, profile in PROFILES.items():
        connects = [feeler, PRIVATE] if profile.settings.private_broadcast else [feeler]
        peers = rendered(name, *connects)
        assert all(set(p) <= set(profile.field_names) for p in peers) and peers, name


@pytest.mark.parametrize("name", ["pai", "core-0.21", "core-30"])
def test_releases_before_31_have_no_private_broadcast_connections(name):
    """A connection type the release did not have would render a string its clients never
    saw; Bitcoin Core 31 added private broadcast (#29415)."""
    with pytest.raises(EventError, match="no private-broadcast connections"):
        rendered(name, PRIVATE)
    assert rendered("core-31", PRIVATE)[0]["connection_type"] == "private-broadcast"
