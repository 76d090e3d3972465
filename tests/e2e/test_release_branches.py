"""Issue 11, must-show 2: client code that branches on the node's release sees, over a real
socket through python-bitcoinrpc, what a node of that release returns: whitelisted vs
permissions, banscore present or not, addnode vs connection_type, warnings string vs list,
startingheight with and without -deprecatedrpc=startingheight."""

from contextlib import contextmanager

import pytest

from simnode.local import LocalNode
from tests.helpers import service_proxy


# --- client code, written the way monitors branch on the release they talk to --------------
def is_trusted(peer: dict) -> bool:
    """permissions from 0.19 (#16248); before, the whitelisted flag."""
    if "permissions" in peer:
        return "noban" in peer["permissions"]
    return peer["whitelisted"]


def is_manual(peer: dict) -> bool:
    """connection_type from 0.21 (#19725); before, the addnode flag."""
    if "connection_type" in peer:
        return peer["connection_type"] == "manual"
    return peer["addnode"]


def ban_score(peer: dict) -> int | None:
    """The misbehaviour score, gone from 22 (#20755)."""
    return peer.get("banscore")


def warning_lines(info: dict) -> list[str]:
    """getnetworkinfo warnings: one string up to 27, a list of strings from 28 (#29845)."""
    warnings = info["warnings"]
    return list(warnings) if isinstance(warnings, list) else [warnings] if warnings else []


def starting_height(peer: dict) -> int | None:
    """Deprecated in 31 (#34197): present only with -deprecatedrpc=startingheight."""
    return peer.get("startingheight")


# --------------------------------------------------------------------------------------------
@contextmanager
def node_as(profile: str, deprecatedrpc: tuple[str, ...] = ()):
    with LocalNode(profile=profile, deprecatedrpc=deprecatedrpc) as node:
        trusted = node.add_peer("203.0.113.7:8333", whitelisted=True, startingheight=900_000)
        manual = node.add_peer("203.0.113.8:8333", inbound=False, manual=True,
                               startingheight=900_001)  # fmt: skip
        with service_proxy(node.rpc_url) as proxy:
            peers = {p["id"]: p for p in proxy.getpeerinfo()}
            yield peers[trusted], peers[manual], proxy.getnetworkinfo()


# profile -> (trusted key, manual key, banscore shown, warnings type, startingheight shown)
RELEASES = {
    "pai": ("whitelisted", "addnode", True, str, True),
    "core-0.13": ("whitelisted", None, True, str, True),
    "core-0.17": ("whitelisted", "addnode", True, str, True),
    "core-0.19": ("permissions", "addnode", True, str, True),
    "core-0.21": ("permissions", "connection_type", False, str, True),
    "core-22": ("permissions", "connection_type", False, str, True),
    "core-27": ("permissions", "connection_type", False, str, True),
    "core-28": ("permissions", "connection_type", False, list, True),
    "core-31": ("permissions", "connection_type", False, list, False),
}


@pytest.mark.parametrize("profile", list(RELEASES))
def test_client_branches_see_the_release(profile):
    trusted_key, manual_key, has_banscore, warnings_type, has_height = RELEASES[profile]
    with node_as(profile) as (trusted, manual, info):
        assert trusted_key in trusted and is_trusted(trusted)
        assert not is_trusted(manual)
        other = {"permissions": "whitelisted", "whitelisted": "permissions"}[trusted_key]
        if profile not in ("core-0.19",):  # 0.19 and 0.20 send both
            assert other not in trusted
        if manual_key is None:  # 0.13 knows neither: the client cannot tell
            assert "addnode" not in manual and "connection_type" not in manual
        else:
            assert manual_key in manual and is_manual(manual) and not is_manual(trusted)
        assert (ban_score(trusted) is not None) == has_banscore
        assert isinstance(info["warnings"], warnings_type) and warning_lines(info) == []
        assert (starting_height(trusted) == 900_000) == has_height
        assert ("startingheight" in manual) == has_height


@pytest.mark.parametrize(
    ("profile", "switch", "field"),
    [("core-31", "startingheight", "startingheight"), ("core-0.21", "banscore", "banscore"),
     ("core-0.21", "getpeerinfo_addnode", "addnode"), ("core-0.21", "whitelisted", "whitelisted")],
)  # fmt: skip
def test_deprecatedrpc_brings_a_field_back(profile, switch, field):
    with node_as(profile) as (trusted, _, _):
        assert field not in trusted
    with node_as(profile, (switch,)) as (trusted, manual, _):
        assert field in trusted and field in manual
    if field == "startingheight":
        assert starting_height(trusted) == 900_000


def test_deprecatedrpc_warnings_keeps_the_string_in_28():
    with node_as("core-28", ("warnings",)) as (_, _, info):
        assert info["warnings"] == ""
    with node_as("core-31", ("warnings",)) as (_, _, info):
        assert info["warnings"] == ""  # still honoured at v31.0 (GetWarningsForRpc)
    with node_as("core-31") as (_, _, info):
        assert info["warnings"] == []
