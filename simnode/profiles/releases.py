"""The releases simnode speaks for, each a Profile built from the shared field table."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from simnode.model.chainparams import BITCOIN_MAIN
from simnode.model.fakepeers import NODE_P2P_V2
from simnode.model.messages import MODERN_MESSAGE_TYPES, PAI_MESSAGE_TYPES
from simnode.model.state import NodeSettings
from simnode.profiles.history import RELEASES, Release, field_names, v
from simnode.profiles.profile import NetFeatures, NodeIdentity, Profile

# src/rpc/net.cpp:getpeerinfo @ PAI 3.0.0 (identical from 2.0.001): the order the code pushes keys,
# which differs from the spec page's table (it omits addrbind, relaytxes and addnode) and from
# PAI's own help text (which lists addrbind before addrlocal).
PAI_3_0_FIELDS = (
    "id", "addr", "addrlocal", "addrbind", "services", "relaytxes", "lastsend", "lastrecv",
    "bytessent", "bytesrecv", "conntime", "timeoffset", "pingtime", "minping", "pingwait",
    "version", "subver", "inbound", "addnode", "startingheight", "banscore", "synced_headers",
    "synced_blocks", "inflight", "whitelisted", "bytessent_per_msg", "bytesrecv_per_msg",
)  # fmt: skip
PAI_3_0 = Profile(
    name="pai",
    identity=NodeIdentity(
        client_name="Turing",
        client_version=(3, 0, 0),
        version_number=3_000_000,  # 1000000*maj + 10000*min + 100*rev + build
        protocol_version=70015,
        local_services=0x0D,  # NODE_NETWORK | NODE_BLOOM | NODE_WITNESS
        rpc_port=8566,
        p2p_port=8567,
        release_label="PAI Core 3.0.0",
        cli_name="paicoin-cli",
        stop_message="PAI Coin server stopping",  # reference section 9
    ),
    field_names=PAI_3_0_FIELDS,
    summary="PAI Core 3.0.0 (also 2.x; a Bitcoin Core 0.15.99 fork): the default",
    undocumented=("addrbind", "relaytxes", "addnode"),  # ../shared/spec/getpeerinfo.md
)

# src/rpc/net.cpp:addnode (0.21+, #19696) and setban (0.20.1+): the newer error texts.
_ADDNODE_REMOVE_UNKNOWN = "Error: Node could not be removed. It has not been added previously."
_UNBAN_UNKNOWN = "Error: Unban failed. Requested address/subnet was not previously manually banned."


def _features(version: int, switches: frozenset[str] = frozenset()) -> NetFeatures:
    """The net RPCs' shapes of a Bitcoin Core release, each switch at the release that made it
    (the PR is cited at the NetFeatures field)."""
    networks = ("ipv4", "ipv6", "onion")  # src/rpc/net.cpp:GetNetworksInfo
    if version >= v("22"):
        networks += ("i2p",)  # I2P support, 22 (#20685)
    if version >= v("23"):
        networks += ("cjdns",)  # CJDNS support, 23 (#23077)
    return NetFeatures(
        networkinfo_has_networkactive=version >= v("0.14"),
        networkinfo_has_incrementalfee=version >= v("0.14"),
        listbanned_has_reason=version < v("0.20.1"),
        networks=networks,
        **({"addnode_remove_unknown": _ADDNODE_REMOVE_UNKNOWN} if version >= v("0.21") else {}),
        **({"unban_unknown": _UNBAN_UNKNOWN} if version >= v("0.20.1") else {}),
        work_queue_status=503 if version >= v("22") else 500,
        jsonrpc_v2=version >= v("28"),
        named_params=version >= v("0.14"),
        has_getinfo=version < v("0.16"),
        networkinfo_servicesnames=version >= v("0.19"),
        networkinfo_connections_split=version >= v("0.21"),
        # -deprecatedrpc=warnings keeps the string from 28 (release-notes-28.0.md), still at 31
        # (src/node/warnings.cpp GetWarningsForRpc, src/rpc/net.cpp getnetworkinfo @ v31.0).
        warnings_list=version >= v("28") and "warnings" not in switches,
        listbanned_durations=version >= v("22"),
        rpchelpman_arguments=version >= v("25"),
    )


def _core_profile(release: Release, switches: frozenset[str] = frozenset()) -> Profile:
    """A Bitcoin Core release's profile, derived from the release and field-history tables,
    as a node started with ``-deprecatedrpc=`` each of ``switches`` answers."""
    version = release.version
    major, minor, _ = release.client_version
    return Profile(
        name=release.name,
        identity=NodeIdentity(
            client_name="Satoshi",
            client_version=release.client_version,
            version_number=version,
            protocol_version=release.protocol_version,
            local_services=release.local_services,
            rpc_port=8332,
            p2p_port=8333,
            release_label=f"Bitcoin Core {major}.{minor}",
            cli_name="bitcoin-cli",
            # src/rpc/server.cpp:stop: "Bitcoin server stopping" up to 0.20, then
            # PACKAGE_NAME " stopping".
            stop_message="Bitcoin Core stopping"
            if version >= v("0.21")
            else "Bitcoin server stopping",
        ),
        field_names=field_names(version, switches),
        features=_features(version, switches),
        deprecatedrpc=switches,
        summary=f"{release.name.replace('core-', 'Bitcoin Core ')}: {release.note}",
        settings=NodeSettings(
            # 28 dropped the ban score: any misbehaviour discourages at once (#29575).
            misbehaviour="discourage" if version >= v("28") else "ban",
            known_message_types=MODERN_MESSAGE_TYPES if version >= v("0.21") else PAI_MESSAGE_TYPES,
            chain=BITCOIN_MAIN,
            v2transport=bool(release.local_services & NODE_P2P_V2),
            # src/policy/policy.h: DEFAULT_MIN_RELAY_TX_FEE and DEFAULT_INCREMENTAL_RELAY_FEE
            # lowered from 1000 to 100 sat/kvB in 30 (#33106).
            min_relay_fee=100 if version >= v("30") else 1000,
            incremental_relay_fee=100 if version >= v("30") else 1000,
            # Nodes from 0.19 keep two; generated tables show them from 26 on, so that the
            # goldens of earlier releases keep their all-full-relay outbound peers.
            block_relay_connections=2 if version >= v("26") else 0,
            tx_announcements=version >= v("31"),
            private_broadcast=version >= v("31"),
        ),
    )


PROFILES: dict[str, Profile] = {
    p.name: p for p in (PAI_3_0, *(_core_profile(release) for release in RELEASES))
}
# The names of earlier simnode versions keep working; "bitcoin" is the newest release.
ALIASES = {"spec": "core-0.13", "bitcoin-0.13": "core-0.13", "bitcoin-28": "core-28",
           "bitcoin": RELEASES[-1].name, "pai-3.0": "pai", "paicoin": "pai"}  # fmt: skip
DEFAULT_PROFILE = "pai"


def rpc_server_defaults(
    profile: Profile, threads: int | None = None, work_queue: int | None = None
) -> tuple[int, int]:
    """``-rpcthreads`` and ``-rpcworkqueue``, the release's defaults where not given
    (src/httpserver.h DEFAULT_HTTP_THREADS, DEFAULT_HTTP_WORKQUEUE): 4 and 16 in PAI Core 3.0.0
    and in Bitcoin Core up to 28, 16 and 64 from 29 (#31215). Like the node
    (src/httpserver.cpp:InitHTTPServer, StartHTTPServer), it takes at least 1 of each."""
    identity = profile.identity
    modern = identity.client_name == "Satoshi" and identity.version_number >= v("29")
    default_threads, default_queue = (16, 64) if modern else (4, 16)
    return (max(default_threads if threads is None else threads, 1),
            max(default_queue if work_queue is None else work_queue, 1))  # fmt: skip


class UnknownProfile(ValueError):
    """A profile name simnode does not know; the message lists the known ones."""


_RELEASES = {release.name: release for release in RELEASES}
_WITH_SWITCHES: dict[tuple[str, frozenset[str]], Profile] = {}


def get_profile(name: str, deprecatedrpc: Iterable[str] = ()) -> Profile:
    """A profile by name or alias; UnknownProfile names the known ones (and the closest).

    ``deprecatedrpc``: the node's ``-deprecatedrpc=`` switches. Like the node
    (``IsDeprecatedRPCEnabled`` only asks whether a name was given), a switch the release does not
    know changes nothing; PAI Core has none that touch these answers."""
    switches = frozenset(deprecatedrpc)
    if switches:
        base = get_profile(name)
        if base.name not in _RELEASES:
            return base
        key = (base.name, switches)
        if key not in _WITH_SWITCHES:
            _WITH_SWITCHES[key] = _core_profile(_RELEASES[base.name], switches)
        return _WITH_SWITCHES[key]
    key = ALIASES.get(name, name) if isinstance(name, str) else name
    if key not in PROFILES:
        known = sorted([*PROFILES, *ALIASES])
        close = difflib.get_close_matches(str(name), known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise UnknownProfile(f"unknown profile {name!r} (known: {', '.join(known)}){hint}")
    return PROFILES[key]
