"""Is a node's answer well-formed? Schema (from the profile's field table) plus the semantic
invariants real nodes keep; for simnode and for any real node alike.

    problems = validate(getpeerinfo_result, "pai")   # [] when it conforms
    report = check_node(client, "pai")               # every net RPC of a live node
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jsonschema

from simnode.conformance.invariants import node_problems
from simnode.profiles import get_profile
from simnode.profiles.netviews import result_schemas
from simnode.profiles.profile import Profile
from simnode.profiles.schema import LEVELS, getpeerinfo_schema
from simnode.rpc import default_table


def _profile(profile: Profile | str) -> Profile:
    return get_profile(profile) if isinstance(profile, str) else profile


def _who(result: Any, index: int) -> str:
    entry = result[index] if isinstance(result, list) and index < len(result) else None
    peer_id = entry.get("id") if isinstance(entry, dict) else None
    return f"peer {peer_id!r} (entry {index})"


def _schema_problems(result: Any, schema: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft202012Validator(schema)
    problems = []
    for error in sorted(validator.iter_errors(result), key=lambda e: list(map(str, e.path))):
        path = list(error.path)
        where = _who(result, path[0]) if path and isinstance(path[0], int) else "result"
        if error.validator == "required":
            missing = error.message.split("'")[1]
            problems.append(f"{where}: {missing}: missing (a field the node always sends)")
        elif error.validator == "additionalProperties":
            extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            problems.append(f"{where}: {', '.join(extra)}: not a field of this profile")
        else:
            name = ".".join(str(p) for p in path[1:]) or "value"
            problems.append(f"{where}: {name}: {error.message}")
    return problems


def _order_problems(result: Any, profile: Profile) -> list[str]:
    """Strict only: keys in the order the node pushes them."""
    rank = {f.name: i for i, f in enumerate(profile.peer_fields)}
    problems = []
    for index, entry in enumerate(result if isinstance(result, list) else []):
        if not isinstance(entry, dict):
            continue
        keys = [k for k in entry if k in rank]
        for before, after in itertools.pairwise(keys):
            if rank[before] > rank[after]:
                problems.append(
                    f"{_who(result, index)}: {after}: comes after {before}, "
                    f"the node sends it before"
                )
                break
    return problems


def validate(
    result: Any,
    profile: Profile | str = "pai",
    level: str = "documented",
    banned: list[dict[str, Any]] | None = None,
    ban_threshold: int | None = 100,
) -> list[str]:
    """Problems with a getpeerinfo result; each names the peer and the field. [] conforms."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    profile = _profile(profile)
    problems = _schema_problems(result, getpeerinfo_schema(profile, level))
    if level == "strict":
        problems += _order_problems(result, profile)
    if isinstance(result, list) and all(isinstance(entry, dict) for entry in result):
        problems += node_problems(result, banned, ban_threshold)
    return problems


def validate_result(method: str, result: Any, profile: Profile | str = "pai") -> list[str]:
    """Problems with another net RPC's result (getnetworkinfo, listbanned, ...)."""
    schema = result_schemas(_profile(profile))[method]
    return [f"{method}: {p.removeprefix('result: ')}" for p in _schema_problems(result, schema)]


@dataclass
class CheckReport:
    """What ``check_node`` found: a line per RPC, and every problem."""

    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return not self.problems

    def grouped(self) -> list[tuple[str, int, str]]:
        """The problems by rule: (rule, how often, one example), most frequent first. A rule is
        a problem without the peer it was found on and with its values elided, so one broken
        field on 196 peers is one line, not 196."""
        groups: dict[str, list[str]] = {}
        for problem in self.problems:
            rule = _VALUE.sub("…", _WHO.sub("", problem))
            groups.setdefault(rule, []).append(problem)
        return sorted(((rule, len(found), found[0]) for rule, found in groups.items()),
                      key=lambda group: (-group[1], group[0]))  # fmt: skip

    def text(self) -> str:
        verdict = "conforms" if self.conforms else f"{len(self.problems)} problem(s)"
        lines = [*self.lines]
        for rule, count, example in self.grouped():
            lines.append(f"  - {count} x {rule}\n      e.g. {example}" if count > 1
                         else f"  - {example}")  # fmt: skip
        return "\n".join([*lines, verdict])

    def as_json(self) -> dict[str, Any]:
        return {
            "conforms": self.conforms,
            "lines": self.lines,
            "problems": [{"rule": rule, "count": count, "example": example}
                         for rule, count, example in self.grouped()],
        }  # fmt: skip


# "peer 3 (entry 0): " or "peer 3: " before a problem found on one peer; values in it.
_WHO = re.compile(r"^peer [^ ]+(?: \(entry \d+\))?: ")
_VALUE = re.compile(r"'[^']*'|\b-?\d+(?:\.\d+)?(?:e-?\d+)?\b")


def check_node(
    call: Callable[..., Any],
    profile: Profile | str = "pai",
    level: str = "documented",
    ban_threshold: int | None = 100,
) -> CheckReport:
    """Ask a live node (``call(method, *params)``) every net RPC and check the answers, alone
    and against each other. getpeerinfo is asked first, so later totals can only be larger."""
    profile = _profile(profile)
    report = CheckReport()
    answers: dict[str, Any] = {}
    available = default_table().available(profile)
    for method in (
        "getpeerinfo",
        "listbanned",
        "getconnectioncount",
        "getnettotals",
        "getnetworkinfo",
        "getaddednodeinfo",
        *(name for name in ("uptime", "getinfo") if name in available),  # not in every release
    ):
        try:
            answers[method] = call(method)
        except Exception as error:  # an RPC the node does not answer is a finding, not a crash
            report.problems.append(f"{method}: {error}")
            report.lines.append(f"{method:<20} failed")
    peers = answers.get("getpeerinfo")
    if "getpeerinfo" in answers:
        found = validate(peers, profile, level, answers.get("listbanned"), ban_threshold)
        report.problems += found
        count = len(peers) if isinstance(peers, list) else "?"
        report.lines.append(
            f"{'getpeerinfo':<20} {'ok' if not found else 'problems'} ({count} peers)"
        )
    for method, result in answers.items():
        if method == "getpeerinfo":
            continue
        found = validate_result(method, result, profile)
        report.problems += found
        report.lines.append(f"{method:<20} {'ok' if not found else 'problems'}")
    if isinstance(peers, list) and all(isinstance(p, dict) for p in peers):
        report.problems += _cross_checks(peers, answers)
    return report


def _cross_checks(peers: list[dict[str, Any]], answers: dict[str, Any]) -> list[str]:
    problems = []
    totals = answers.get("getnettotals")
    if isinstance(totals, dict):
        for total, per_peer in (("totalbytessent", "bytessent"), ("totalbytesrecv", "bytesrecv")):
            summed = sum(p.get(per_peer, 0) for p in peers if isinstance(p.get(per_peer), int))
            if isinstance(totals.get(total), int) and totals[total] < summed:
                problems.append(
                    f"getnettotals: {total}: {totals[total]} is less than the "
                    f"peers' {per_peer} ({summed}); totals include every peer ever"
                )
    info = answers.get("getnetworkinfo")
    count = answers.get("getconnectioncount")
    if isinstance(info, dict) and isinstance(count, int) and info.get("connections") != count:
        problems.append(
            f"getnetworkinfo: connections: {info.get('connections')} but "
            f"getconnectioncount says {count}"
        )
    return problems
