"""Bitcoin Core's releases as data: one release table and one field-history table.

Each ``core-*`` profile is derived from these two tables (fakeredis style: the version is data,
not a hand-written block per release). Versions are CLIENT_VERSION numbers
(``10000*major + 100*minor + build`` for 0.x, ``10000*major + 100*minor`` from 22), so 0.21.2
(210200) sorts before 22.1 (220100).

Facts: ../shared/reference/node-rpc.md sections 2.1 (field matrix, the PR that added or removed
each field) and 2.2 (key order per release), taken from ``src/rpc/net.cpp:getpeerinfo`` at each
release tag.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Release:
    """One Bitcoin Core release simnode imitates (the last point release of its series)."""

    name: str  # profile name: core-0.13 ... core-31
    client_version: tuple[int, int, int]
    protocol_version: int  # src/version.h:PROTOCOL_VERSION
    # src/init.cpp:AppInitMain nLocalServices with default options: NETWORK | BLOOM (until
    # -peerbloomfilters defaulted off, 0.19 #16152) | WITNESS (0.13.1+) | NETWORK_LIMITED (0.16+,
    # #11740) | P2P_V2 (-v2transport default on from 27, #29347).
    local_services: int
    note: str  # what changed in this release, as a reader of the table wants to know

    @property
    def version(self) -> int:
        major, minor, build = self.client_version
        return 10000 * major + 100 * minor + build if major else 10000 * minor + 100 * build


def v(text: str) -> int:
    """``"0.21"`` -> 210000, ``"28"`` -> 280000: a release series as a CLIENT_VERSION number."""
    parts = [int(part) for part in text.split(".")]
    if parts[0] == 0:
        return 10000 * parts[1] + (100 * parts[2] if len(parts) > 2 else 0)
    return 10000 * parts[0] + (100 * parts[1] if len(parts) > 1 else 0)


_LEGACY, _LIMITED, _NO_BLOOM, _V2 = 0x0D, 0x40D, 0x409, 0xC09
RELEASES: tuple[Release, ...] = (
    Release("core-0.13", (0, 13, 2), 70014, _LEGACY, "the spec page's shape: per-message maps"),
    Release("core-0.15", (0, 15, 2), 70015, _LEGACY, "addrbind, addnode (0.14); last getinfo"),
    Release("core-0.17", (0, 17, 2), 70015, _LIMITED, "getinfo gone (0.16), NETWORK_LIMITED"),
    Release("core-0.19", (0, 19, 1), 70015, _NO_BLOOM, "servicesnames, permissions, minfeefilter"),
    Release("core-0.20", (0, 20, 2), 70015, _NO_BLOOM, "mapped_as; listbanned without reason"),
    Release("core-0.21", (0, 21, 2), 70016, _NO_BLOOM,
            "network, connection_type; addnode/banscore/whitelisted behind -deprecatedrpc"),
    Release("core-22", (22, 1, 0), 70016, _NO_BLOOM,
            "addnode/banscore/whitelisted removed; bip152_hb_*, addr_processed; 503 work queue"),
    Release("core-23", (23, 2, 0), 70016, _NO_BLOOM, "addr_relay_enabled; cjdns network"),
    Release("core-24", (24, 2, 0), 70016, _NO_BLOOM, "presynced_headers"),
    Release("core-25", (25, 2, 0), 70016, _NO_BLOOM, "RPCHelpMan checks argument types"),
    Release("core-26", (26, 2, 0), 70016, _NO_BLOOM, "transport_protocol_type, session_id"),
    Release("core-27", (27, 2, 0), 70016, _V2, "v2 transport on by default"),
    Release("core-28", (28, 1, 0), 70016, _V2, "JSON-RPC 2.0; warnings as a list"),
    Release("core-29", (29, 1, 0), 70016, _V2, "-rpcthreads 16, -rpcworkqueue 64"),
    Release("core-30", (30, 0, 0), 70016, _V2, "ping help in seconds"),
    Release("core-31", (31, 0, 0), 70016, _V2,
            "inv_to_send, last_inv_sequence; startingheight behind -deprecatedrpc"),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class FieldHistory:
    """When a getpeerinfo field appeared, went behind a ``-deprecatedrpc`` switch, and left."""

    added: int = 0  # first release with it (0: before 0.13)
    deprecated: int | None = None  # from this release shown only with -deprecatedrpc=switch
    switch: str = ""
    removed: int | None = None  # first release without it, switch or not
    source: str = ""  # the PR, per node-rpc.md section 2.1


# One row per field, in the key order of 0.21+ (node-rpc.md 2.2).
FIELD_HISTORY: dict[str, FieldHistory] = {
    "id": FieldHistory(),
    "addr": FieldHistory(),
    "addrbind": FieldHistory(v("0.15"), source="#10478"),
    "addrlocal": FieldHistory(),
    "network": FieldHistory(v("0.21"), source="#20002"),
    "mapped_as": FieldHistory(v("0.20"), source="#16702"),
    "services": FieldHistory(),
    "servicesnames": FieldHistory(v("0.19"), source="#16787"),
    "relaytxes": FieldHistory(),
    "last_inv_sequence": FieldHistory(v("31"), source="#33448"),
    "inv_to_send": FieldHistory(v("31"), source="#33448"),
    "lastsend": FieldHistory(),
    "lastrecv": FieldHistory(),
    "last_transaction": FieldHistory(v("0.21"), source="#19731"),
    "last_block": FieldHistory(v("0.21"), source="#19731"),
    "bytessent": FieldHistory(),
    "bytesrecv": FieldHistory(),
    "conntime": FieldHistory(),
    "timeoffset": FieldHistory(),
    "pingtime": FieldHistory(),
    "minping": FieldHistory(),
    "pingwait": FieldHistory(),
    "version": FieldHistory(),
    "subver": FieldHistory(),
    "inbound": FieldHistory(),
    "addnode": FieldHistory(v("0.14"), v("0.21"), "getpeerinfo_addnode", v("22"), "#9319 #20755"),
    "bip152_hb_to": FieldHistory(v("22"), source="#19776"),
    "bip152_hb_from": FieldHistory(v("22"), source="#19776"),
    "startingheight": FieldHistory(0, v("31"), "startingheight", None, "#34197"),
    "presynced_headers": FieldHistory(v("24"), source="#25717"),
    "banscore": FieldHistory(0, v("0.21"), "banscore", v("22"), "#19469 #20755"),
    "synced_headers": FieldHistory(),
    "synced_blocks": FieldHistory(),
    "inflight": FieldHistory(),
    "addr_relay_enabled": FieldHistory(v("23"), source="#21528"),
    "addr_processed": FieldHistory(v("22"), source="#22387"),
    "addr_rate_limited": FieldHistory(v("22"), source="#22387"),
    # The code checks "whitelisted"; the 0.21 release notes wrongly say getpeerinfo_whitelisted.
    "whitelisted": FieldHistory(0, v("0.21"), "whitelisted", v("22"), "#20755"),
    "permissions": FieldHistory(v("0.19"), source="#16248"),
    "minfeefilter": FieldHistory(v("0.18"), source="#13987"),
    "bytessent_per_msg": FieldHistory(v("0.13"), source="#6589"),
    "bytesrecv_per_msg": FieldHistory(v("0.13"), source="#6589"),
    "connection_type": FieldHistory(v("0.21"), source="#19725"),
    "transport_protocol_type": FieldHistory(v("26"), source="#28331"),
    "session_id": FieldHistory(v("26"), source="#28331"),
}

# Before 0.21 the keys came in another order (node-rpc.md 2.2): addrlocal before addrbind,
# whitelisted after the state fields; 0.21 (#20002 and neighbours) reordered to the table's.
_ORDER_BEFORE_0_21 = (
    "id", "addr", "addrlocal", "addrbind", "mapped_as", "services", "servicesnames", "relaytxes",
    "lastsend", "lastrecv", "bytessent", "bytesrecv", "conntime", "timeoffset", "pingtime",
    "minping", "pingwait", "version", "subver", "inbound", "addnode", "startingheight", "banscore",
    "synced_headers", "synced_blocks", "inflight", "whitelisted", "permissions", "minfeefilter",
    "bytessent_per_msg", "bytesrecv_per_msg",
)  # fmt: skip


def shown(name: str, version: int, switches: frozenset[str] = frozenset()) -> bool:
    """Whether a node of ``version`` started with ``-deprecatedrpc=switches`` sends the field."""
    history = FIELD_HISTORY[name]
    if version < history.added or (history.removed is not None and version >= history.removed):
        return False
    hidden = history.deprecated is not None and version >= history.deprecated
    return not hidden or history.switch in switches


def field_names(version: int, switches: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """getpeerinfo's keys, in order, for a release and its -deprecatedrpc switches."""
    order = FIELD_HISTORY if version >= v("0.21") else _ORDER_BEFORE_0_21
    return tuple(name for name in order if shown(name, version, switches))


def deprecation_switches(version: int) -> tuple[str, ...]:
    """The getpeerinfo -deprecatedrpc switches a release accepts."""
    return tuple(
        h.switch
        for h in FIELD_HISTORY.values()
        if h.deprecated is not None
        and h.deprecated <= version
        and (h.removed is None or version < h.removed)
    )
