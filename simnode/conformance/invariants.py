"""What must hold in any getpeerinfo answer of a PAI Core / Bitcoin Core 0.13-0.16 node.

Works on rendered JSON (lists of dicts), so it checks simnode and real nodes alike. Each problem
is a readable string naming the peer and the field. Sources: ../shared/reference/node-rpc.md
section 3.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from simnode.model.addresses import IPNetwork, ip_of
from simnode.model.limits import MAX_BLOCKS_IN_TRANSIT_PER_PEER

_HEX16 = re.compile(r"[0-9a-f]{16}")


def peer_problems(entry: dict[str, Any]) -> list[str]:
    """Problems within one getpeerinfo entry."""
    problems = []
    who = f"peer {entry.get('id')!r}"

    def bad(field: str, why: str) -> None:
        problems.append(f"{who}: {field}: {why}")

    for name, total_name, relation in (
        ("bytessent_per_msg", "bytessent", ">="),
        ("bytesrecv_per_msg", "bytesrecv", "<="),
    ):
        per_msg, total = entry.get(name), entry.get(total_name)
        if not isinstance(per_msg, dict) or not isinstance(total, int):
            continue
        values = list(per_msg.values())
        if any(not isinstance(v, int) or isinstance(v, bool) or v <= 0 for v in values):
            bad(name, "lists only positive integer byte counts")
        elif list(per_msg) != sorted(per_msg):
            bad(name, "keys are not in sorted order")
        else:
            # Sent bytes count per type when queued, totals when written (so the map's sum is
            # at least the total); received bytes count in totals at once, per type when a
            # message completes (so the map's sum is at most the total).
            mapped = sum(values)
            if (relation == ">=" and mapped < total) or (relation == "<=" and mapped > total):
                bad(name, f"sums to {mapped}, must be {relation} {total_name} {total}")
    has_pingtime, has_minping = "pingtime" in entry, "minping" in entry
    if has_pingtime != has_minping:
        bad("minping", "pingtime and minping appear together (both set by the first pong)")
    for name in ("pingtime", "minping", "pingwait"):
        value = entry.get(name)
        if name in entry and (isinstance(value, bool) or not isinstance(value, int | float)):
            bad(name, f"must be a number of seconds, got {value!r}")
        elif name in entry and value <= 0:
            bad(name, f"must be positive, got {value!r}")
    if has_pingtime and has_minping and not problems and entry["minping"] > entry["pingtime"]:
        bad("minping", f"{entry['minping']} exceeds pingtime {entry['pingtime']}")
    conntime = entry.get("conntime")
    for name in ("lastsend", "lastrecv"):
        value = entry.get(name)
        if isinstance(value, int) and isinstance(conntime, int) and value and value < conntime:
            bad(name, f"{value} is before conntime {conntime} (must be 0 or later)")
    services = entry.get("services")
    if isinstance(services, str) and not _HEX16.fullmatch(services):
        bad("services", f"must be 16 lowercase hex digits, got {services!r}")
    inflight = entry.get("inflight")
    if isinstance(inflight, list) and len(inflight) > MAX_BLOCKS_IN_TRANSIT_PER_PEER:
        bad(
            "inflight",
            f"holds {len(inflight)} blocks, at most {MAX_BLOCKS_IN_TRANSIT_PER_PEER} per peer",
        )
    return problems


def node_problems(
    peers: list[dict[str, Any]],
    banned: list[dict[str, Any]] | None = None,
    ban_threshold: int | None = None,
) -> list[str]:
    """Problems across a whole answer: every peer's, plus ids, bans and ban scores."""
    problems = [p for entry in peers for p in peer_problems(entry)]
    ids = [entry.get("id") for entry in peers]
    if len(set(map(repr, ids))) != len(ids):
        problems.append(f"id: ids are not unique: {ids}")
    for entry in peers:
        exempt = entry.get("whitelisted") or entry.get("addnode")
        score = entry.get("banscore")
        over = ban_threshold is not None and isinstance(score, int) and score >= ban_threshold
        if over and not exempt:
            problems.append(
                f"peer {entry.get('id')!r}: banscore: {score} reached the threshold "
                f"{ban_threshold}, yet the peer is neither whitelisted nor manual"
            )
        if banned and not exempt:
            ip = ip_of(str(entry.get("addr", "")))
            for ban, subnet in _ban_subnets(banned):
                if ip is not None and ip.version == subnet.version and ip in subnet:
                    problems.append(
                        f"peer {entry.get('id')!r}: addr: {entry['addr']} is connected "
                        f"while {ban['address']} is banned"
                    )
    return problems


def _ban_subnets(banned: list[Any]) -> list[tuple[dict[str, Any], IPNetwork]]:
    """The well-formed listbanned entries with their subnets (the schema reports the rest)."""
    found = []
    for ban in banned:
        try:
            found.append((ban, ipaddress.ip_network(ban["address"], strict=False)))
        except (TypeError, KeyError, ValueError):
            continue
    return found
