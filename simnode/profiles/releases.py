"""The releases simnode speaks for, each a Profile built from the shared field table."""

from __future__ import annotations

import difflib

from simnode.model.chainparams import BITCOIN_MAIN
from simnode.model.messages import MODERN_MESSAGE_TYPES
from simnode.model.state import NodeSettings
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

# The spec page's example has exactly Bitcoin Core 0.13's shape (src/rpc/net.cpp @ v0.13): no
# addrbind (0.15) and no addnode (0.14), per-message maps new in 0.13.
BITCOIN_0_13_FIELDS = (
    "id", "addr", "addrlocal", "services", "relaytxes", "lastsend", "lastrecv", "bytessent",
    "bytesrecv", "conntime", "timeoffset", "pingtime", "minping", "pingwait", "version", "subver",
    "inbound", "startingheight", "banscore", "synced_headers", "synced_blocks", "inflight",
    "whitelisted", "bytessent_per_msg", "bytesrecv_per_msg",
)  # fmt: skip
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
        stop_message="Bitcoin server stopping",
    ),
    field_names=BITCOIN_0_13_FIELDS,
    features=NetFeatures(networkinfo_has_networkactive=False, networkinfo_has_incrementalfee=False),
    summary="Bitcoin Core 0.13: the shape of the spec page's example",
    settings=NodeSettings(chain=BITCOIN_MAIN),
)

# Bitcoin Core 28.1 (src/rpc/net.cpp:getpeerinfo @ v28, reference sections 2.2 and 4.4): the
# first release with JSON-RPC 2.0, and without ban scores (misbehaviour discourages at once).
# Not modelled: mapped_as (needs -asmap), BIP324 v2 sessions, block-relay-only/feeler peers and
# address relay counters (always 0).
BITCOIN_28_FIELDS = (
    "id", "addr", "addrbind", "addrlocal", "network", "services", "servicesnames", "relaytxes",
    "lastsend", "lastrecv", "last_transaction", "last_block", "bytessent", "bytesrecv", "conntime",
    "timeoffset", "pingtime", "minping", "pingwait", "version", "subver", "inbound",
    "bip152_hb_to", "bip152_hb_from", "startingheight", "presynced_headers", "synced_headers",
    "synced_blocks", "inflight", "addr_relay_enabled", "addr_processed", "addr_rate_limited",
    "permissions", "minfeefilter", "bytessent_per_msg", "bytesrecv_per_msg", "connection_type",
    "transport_protocol_type", "session_id",
)  # fmt: skip
BITCOIN_28 = Profile(
    name="bitcoin-28",
    identity=NodeIdentity(
        client_name="Satoshi",
        client_version=(28, 1, 0),
        version_number=280100,  # 10000*maj + 100*min + build
        protocol_version=70016,
        local_services=0xC09,  # NETWORK | WITNESS | NETWORK_LIMITED | P2P_V2
        rpc_port=8332,
        p2p_port=8333,
        release_label="Bitcoin Core 28.1",
        cli_name="bitcoin-cli",
        stop_message="Bitcoin Core stopping",
    ),
    field_names=BITCOIN_28_FIELDS,
    features=NetFeatures(
        listbanned_has_reason=False,
        networks=("ipv4", "ipv6", "onion", "i2p", "cjdns"),
        addnode_remove_unknown="Error: Node could not be removed. It has not been added "
        "previously.",
        unban_unknown="Error: Unban failed. Requested address/subnet was not previously "
        "manually banned.",
        work_queue_status=503,
        jsonrpc_v2=True,
        has_getinfo=False,
        networkinfo_modern=True,
        listbanned_durations=True,
        rpchelpman_arguments=True,
    ),
    summary="Bitcoin Core 28.1: JSON-RPC 2.0, discouragement instead of ban scores",
    settings=NodeSettings(
        misbehaviour="discourage", known_message_types=MODERN_MESSAGE_TYPES, chain=BITCOIN_MAIN
    ),
)

PROFILES: dict[str, Profile] = {p.name: p for p in (PAI_3_0, BITCOIN_0_13, BITCOIN_28)}
ALIASES = {"spec": "bitcoin-0.13", "pai-3.0": "pai", "paicoin": "pai", "bitcoin": "bitcoin-28"}
DEFAULT_PROFILE = "pai"


class UnknownProfile(ValueError):
    """A profile name simnode does not know; the message lists the known ones."""


def get_profile(name: str) -> Profile:
    """A profile by name or alias; UnknownProfile names the known ones (and the closest)."""
    key = ALIASES.get(name, name) if isinstance(name, str) else name
    if key not in PROFILES:
        known = sorted([*PROFILES, *ALIASES])
        close = difflib.get_close_matches(str(name), known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise UnknownProfile(f"unknown profile {name!r} (known: {', '.join(known)}){hint}")
    return PROFILES[key]
