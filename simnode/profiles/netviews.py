"""The neighbouring net RPCs' results, rendered from a snapshot in a profile's shape.

Shapes and key orders from src/rpc/net.cpp @ PAI 3.0.0 (= Bitcoin Core 0.15), see
../shared/reference/node-rpc.md section 5.
"""

from __future__ import annotations

from typing import Any

from simnode.model.addresses import format_subnet
from simnode.model.chainparams import difficulty_of
from simnode.model.state import NodeSnapshot
from simnode.profiles.fields import services_names
from simnode.profiles.jsontext import Amount
from simnode.profiles.profile import Profile

MAX_TIME_ADJUSTMENT_SECONDS = 70 * 60  # DEFAULT_MAX_TIME_ADJUSTMENT, src/timedata.h
MAX_TIME_SAMPLES = 200


def network_time_offset(snapshot: NodeSnapshot) -> int:
    """``GetTimeOffset`` (src/timedata.cpp): the median of the peers' offsets, counting our own 0,
    once at least 5 samples make an odd count, and 0 if that median exceeds 70 minutes.

    simnode takes the samples from the peers connected now; the node keeps them from every peer
    it has seen since start (up to 200), so the two differ after disconnects.
    """
    samples = [0] + [p.timeoffset for p in snapshot.peers if p.handshake_complete]
    samples = samples[:MAX_TIME_SAMPLES]
    if len(samples) < 5:
        return 0
    if len(samples) % 2 == 0:
        samples = samples[:-1]
    median = sorted(samples)[len(samples) // 2]
    return median if abs(median) <= MAX_TIME_ADJUSTMENT_SECONDS else 0


def getconnectioncount(snapshot: NodeSnapshot) -> int:
    return len(snapshot.peers)


def getnettotals(snapshot: NodeSnapshot) -> dict[str, Any]:
    """Totals include peers that have since disconnected (RecordBytesSent/Recv)."""
    return {
        "totalbytesrecv": snapshot.total_bytes_recv,
        "totalbytessent": snapshot.total_bytes_sent,
        "timemillis": snapshot.now_us // 1000,
        # -maxuploadtarget=0 (the default): no target, GetOutboundTargetBytesLeft etc. return 0.
        "uploadtarget": {
            "timeframe": 86400,
            "target": 0,
            "target_reached": False,
            "serve_historical_blocks": True,
            "bytes_left_in_cycle": 0,
            "time_left_in_cycle": 0,
        },
    }


def getnetworkinfo(profile: Profile, snapshot: NodeSnapshot) -> dict[str, Any]:
    identity, features = profile.identity, profile.features
    info: dict[str, Any] = {
        "version": identity.version_number,
        "subversion": identity.subversion,
        "protocolversion": identity.protocol_version,
        "localservices": f"{identity.local_services:016x}",
    }
    if features.networkinfo_servicesnames:
        info["localservicesnames"] = services_names(identity.local_services)
    info["localrelay"] = True
    info["timeoffset"] = network_time_offset(snapshot)
    # The code emits networkactive before connections, whatever the help says.
    if features.networkinfo_has_networkactive:
        info["networkactive"] = snapshot.network_active
    info["connections"] = len(snapshot.peers)
    if features.networkinfo_connections_split:
        inbound = sum(peer.inbound for peer in snapshot.peers)
        info["connections_in"] = inbound
        info["connections_out"] = len(snapshot.peers) - inbound
    # Without a proxy, onion is limited and unreachable (SetLimited(NET_TOR), src/init.cpp).
    info["networks"] = [
        {
            "name": name,
            "limited": name == "onion",
            "reachable": name != "onion",
            "proxy": "",
            "proxy_randomize_credentials": False,
        }
        for name in features.networks
    ]
    # -minrelaytxfee and -incrementalrelayfee: 0.00001000 up to 29, 0.00000100 from 30.
    info["relayfee"] = Amount(snapshot.settings.min_relay_fee)
    if features.networkinfo_has_incrementalfee:
        info["incrementalfee"] = Amount(snapshot.settings.incremental_relay_fee)
    info["localaddresses"] = []
    info["warnings"] = [] if features.warnings_list else ""
    return info


def getinfo(profile: Profile, snapshot: NodeSnapshot) -> dict[str, Any]:
    """PAI Core's ``getinfo`` (src/rpc/blockchain.cpp @ PAI 3.0.0; Bitcoin Core had one until
    0.16): the active chain's height and difficulty."""
    chain = snapshot.chain
    return {
        "version": profile.identity.version_number,
        "protocolversion": profile.identity.protocol_version,
        "blocks": chain.height,
        "timeoffset": network_time_offset(snapshot),
        "connections": len(snapshot.peers),
        "proxy": "",
        "difficulty": difficulty_of(chain.tip.bits),
        "testnet": chain.params.name == "test",
        "relayfee": Amount(snapshot.settings.min_relay_fee),
        "errors": "",
    }


def listbanned(profile: Profile, snapshot: NodeSnapshot) -> list[dict[str, Any]]:
    entries = []
    for ban in snapshot.bans:
        entry: dict[str, Any] = {"address": format_subnet(ban.subnet)}
        if profile.features.listbanned_durations:  # 22+ (#21602)
            entry["ban_created"] = ban.created
            entry["banned_until"] = ban.until
            entry["ban_duration"] = ban.until - ban.created
            entry["time_remaining"] = max(ban.until - snapshot.now_seconds, 0)
        else:
            entry["banned_until"] = ban.until
            entry["ban_created"] = ban.created
        if profile.features.listbanned_has_reason:
            entry["ban_reason"] = ban.reason
        entries.append(entry)
    return entries


def getaddednodeinfo(snapshot: NodeSnapshot, node: str | None = None) -> list[dict[str, Any]]:
    """``CConnman::GetAddedNodeInfo``: an added node is connected when a peer's address string
    is the one that was added. Raises KeyError for a node that was never added."""
    if node is not None and node not in snapshot.added_nodes:
        raise KeyError(node)
    by_addr = {peer.addr: peer for peer in snapshot.peers}
    result = []
    for added in snapshot.added_nodes:
        if node is not None and added != node:
            continue
        peer = by_addr.get(added)
        addresses = []
        if peer is not None:
            addresses.append(
                {"address": peer.addr, "connected": "inbound" if peer.inbound else "outbound"}
            )
        result.append({"addednode": added, "connected": peer is not None, "addresses": addresses})
    return result


def uptime(snapshot: NodeSnapshot) -> int:
    """``GetTime() - GetStartupTime()`` (src/rpc/server.cpp uptime @ PAI 3.0.0): whole seconds
    less whole seconds, so it ticks with the clock's second, not a second after the start."""
    return snapshot.now_seconds - snapshot.started_us // 1_000_000


def result_schemas(profile: Profile) -> dict[str, dict[str, Any]]:
    """JSON Schemas of the net RPCs rendered above, in this profile's shape (the same decisions
    as the renderers: networkactive and incrementalfee only where the release has them)."""
    amount = {"type": "number", "minimum": 0}
    counter = {"type": "integer", "minimum": 0}
    network = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "limited": {"type": "boolean"},
            "reachable": {"type": "boolean"},
            "proxy": {"type": "string"},
            "proxy_randomize_credentials": {"type": "boolean"},
        },
        "required": ["name", "limited", "reachable", "proxy", "proxy_randomize_credentials"],
    }
    info_properties: dict[str, Any] = {
        "version": counter,
        "subversion": {"type": "string"},
        "protocolversion": counter,
        "localservices": {"type": "string", "pattern": "^[0-9a-f]{16}$"},
        "localrelay": {"type": "boolean"},
        "timeoffset": {"type": "integer"},
        "connections": counter,
        "networks": {"type": "array", "items": network},
        "relayfee": amount,
        "localaddresses": {"type": "array"},
        "warnings": {"type": "array", "items": {"type": "string"}}
        if profile.features.warnings_list
        else {"type": "string"},
    }
    if profile.features.networkinfo_has_networkactive:
        info_properties["networkactive"] = {"type": "boolean"}
    if profile.features.networkinfo_has_incrementalfee:
        info_properties["incrementalfee"] = amount
    if profile.features.networkinfo_servicesnames:
        info_properties["localservicesnames"] = {"type": "array", "items": {"type": "string"}}
    if profile.features.networkinfo_connections_split:
        info_properties["connections_in"] = counter
        info_properties["connections_out"] = counter
    ban_properties: dict[str, Any] = {
        "address": {"type": "string"},
        "banned_until": counter,
        "ban_created": counter,
    }
    if profile.features.listbanned_durations:
        ban_properties["ban_duration"] = counter
        ban_properties["time_remaining"] = counter
    if profile.features.listbanned_has_reason:
        ban_properties["ban_reason"] = {"type": "string"}
    return {
        "getconnectioncount": counter,
        "uptime": counter,
        "getnettotals": {
            "type": "object",
            "properties": {
                "totalbytesrecv": counter,
                "totalbytessent": counter,
                "timemillis": counter,
                "uploadtarget": {"type": "object"},
            },
            "required": ["totalbytesrecv", "totalbytessent", "timemillis", "uploadtarget"],
        },
        "getnetworkinfo": {
            "type": "object",
            "properties": info_properties,
            "required": list(info_properties),
            # The release sends exactly these keys: a newer or older one's answer does not fit.
            "additionalProperties": False,
        },
        "listbanned": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": ban_properties,
                "required": list(ban_properties),
            },
        },
        "getinfo": {
            "type": "object",
            "properties": {
                "version": counter,
                "protocolversion": counter,
                "blocks": counter,
                "timeoffset": {"type": "integer"},
                "connections": counter,
                "proxy": {"type": "string"},
                "difficulty": amount,
                "testnet": {"type": "boolean"},
                "relayfee": amount,
                "errors": {"type": "string"},
            },
            "required": [
                "version",
                "protocolversion",
                "blocks",
                "timeoffset",
                "connections",
                "proxy",
                "difficulty",
                "testnet",
                "relayfee",
                "errors",
            ],
        },
        "getaddednodeinfo": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "addednode": {"type": "string"},
                    "connected": {"type": "boolean"},
                    "addresses": {"type": "array"},
                },
                "required": ["addednode", "connected", "addresses"],
            },
        },
    }
