"""The releases simnode speaks for, each a Profile built from the shared field table."""

from __future__ import annotations

from simnode.profiles.profile import NetFeatures, NodeIdentity, Profile

# src/rpc/net.cpp:getpeerinfo @ PAI 3.0.0 (identical from 2.0.001): the order the code pushes keys,
# which differs from the spec page's table (it omits addrbind, relaytxes and addnode) and from
# PAI's own help text (which lists addrbind before addrlocal).
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
    ),
    field_names=(
        "id",
        "addr",
        "addrlocal",
        "addrbind",
        "services",
        "relaytxes",
        "lastsend",
        "lastrecv",
        "bytessent",
        "bytesrecv",
        "conntime",
        "timeoffset",
        "pingtime",
        "minping",
        "pingwait",
        "version",
        "subver",
        "inbound",
        "addnode",
        "startingheight",
        "banscore",
        "synced_headers",
        "synced_blocks",
        "inflight",
        "whitelisted",
        "bytessent_per_msg",
        "bytesrecv_per_msg",
    ),
    summary="PAI Core 3.0.0 (also 2.x; a Bitcoin Core 0.15.99 fork): the default",
    undocumented=("addrbind", "relaytxes", "addnode"),  # ../shared/spec/getpeerinfo.md
)

# The spec page's example has exactly Bitcoin Core 0.13's shape (src/rpc/net.cpp @ v0.13): no
# addrbind (0.15) and no addnode (0.14), per-message maps new in 0.13.
BITCOIN_0_13 = Profile(
    name="bitcoin-0.13",
    identity=NodeIdentity(
        client_name="Satoshi",
        client_version=(0, 13, 2),
        version_number=130200,
        protocol_version=70014,
        local_services=0x0D,
        rpc_port=8332,
        p2p_port=8333,
        release_label="Bitcoin Core 0.13",
        cli_name="bitcoin-cli",
    ),
    field_names=(
        "id",
        "addr",
        "addrlocal",
        "services",
        "relaytxes",
        "lastsend",
        "lastrecv",
        "bytessent",
        "bytesrecv",
        "conntime",
        "timeoffset",
        "pingtime",
        "minping",
        "pingwait",
        "version",
        "subver",
        "inbound",
        "startingheight",
        "banscore",
        "synced_headers",
        "synced_blocks",
        "inflight",
        "whitelisted",
        "bytessent_per_msg",
        "bytesrecv_per_msg",
    ),
    features=NetFeatures(networkinfo_has_networkactive=False, networkinfo_has_incrementalfee=False),
    summary="Bitcoin Core 0.13: the shape of the spec page's example",
)

PROFILES: dict[str, Profile] = {p.name: p for p in (PAI_3_0, BITCOIN_0_13)}
ALIASES = {"spec": "bitcoin-0.13", "pai-3.0": "pai", "paicoin": "pai"}
DEFAULT_PROFILE = "pai"


def get_profile(name: str) -> Profile:
    """A profile by name or alias; KeyError names the known ones."""
    key = ALIASES.get(name, name)
    if key not in PROFILES:
        known = ", ".join(sorted([*PROFILES, *ALIASES]))
        raise KeyError(f"unknown profile {name!r} (known: {known})")
    return PROFILES[key]
