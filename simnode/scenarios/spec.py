"""The scenario format: parsing located YAML into a ``Scenario``, strictly.

Every unknown key, wrong type, undefined peer, backwards time or bad duration is a ScenarioError
naming file, line and column and what was expected. Nothing is half-loaded: a Scenario exists only
once the whole file has passed. The format is documented in docs/scenarios.md.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simnode.model import events as ev
from simnode.model.clock import DEFAULT_EPOCH_SECONDS, MICROS
from simnode.model.node import NodeSettings
from simnode.profiles import DEFAULT_PROFILE, get_profile
from simnode.scenarios.actions import (
    ALL,
    Action,
    NodeEventAction,
    PeerAction,
    PeerEventAction,
    PeerSpec,
    TrafficAction,
    VersionAction,
    VersionSpec,
)
from simnode.scenarios.durations import format_duration, parse_duration
from simnode.scenarios.source import Located, ScenarioError, Where, load_located, read_located


@dataclass(frozen=True, slots=True)
class GeneratedPeers:
    """``count: N`` plausible peers from the seeded Faker provider, named ``prefix-0`` ...,
    with what the file overrides (``inbound``, ``whitelisted``, ``manual``, ``pong_rtt``,
    ``version`` fields)."""

    count: int
    prefix: str
    where: Where
    overrides: tuple[tuple[str, Any], ...] = ()  # PopulateOptions fields


@dataclass(frozen=True, slots=True)
class Step:
    """One occurrence of a timeline entry (repetitions expanded), in run order."""

    at_us: int
    action: Action
    where: Where


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    profile: str
    seed: int
    start_seconds: float
    settings: NodeSettings
    peers: tuple[PeerSpec | GeneratedPeers, ...]
    steps: tuple[Step, ...]
    end_seconds: float
    record_at: tuple[float, ...]
    source: str


# --------------------------------------------------------------------------------- field readers
Reader = Callable[[Located], Any]


def _fail(item: Located, expected: str) -> ScenarioError:
    return ScenarioError(item.where, f"expected {expected}, got {item.value!r}")


def _str(item: Located) -> str:
    if not isinstance(item.value, str) or not item.value:
        raise _fail(item, "a non-empty string")
    return item.value


def _int(item: Located) -> int:
    if isinstance(item.value, bool) or not isinstance(item.value, int):
        raise _fail(item, "an integer")
    return item.value


def _count(item: Located) -> int:
    value = _int(item)
    if value < 0:
        raise _fail(item, "a non-negative integer")
    return value


def _bool(item: Located) -> bool:
    if not isinstance(item.value, bool):
        raise _fail(item, "true or false")
    return item.value


def _duration(item: Located) -> float:
    try:
        return parse_duration(item.value)
    except ValueError as error:
        raise ScenarioError(item.where, str(error)) from None


def _optional(read: Reader) -> Reader:
    return lambda item: None if item.value is None else read(item)


def _services(item: Located) -> int:
    """An integer, or 16 hex digits as getpeerinfo prints them."""
    if isinstance(item.value, str):
        try:
            value = int(item.value, 16)
        except ValueError:
            raise _fail(item, "service bits as an integer or hex digits") from None
    else:
        value = _int(item)
    if not 0 <= value < 2**64:
        raise _fail(item, "service bits that fit in 64 bits")
    return value


def _start(item: Located) -> float:
    """Unix seconds, or an ISO 8601 date/time (UTC unless it says otherwise)."""
    value = item.value
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise _fail(item, "unix seconds or an ISO 8601 time") from None
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return aware.timestamp()
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC).timestamp()
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value)
    raise _fail(item, "unix seconds or an ISO 8601 time")


class Fields:
    """Reads a mapping's keys one by one; ``done`` refuses whatever was not read."""

    def __init__(self, item: Located, what: str) -> None:
        if not isinstance(item.value, dict):
            raise ScenarioError(item.where, f"expected a mapping for {what}, got {item.value!r}")
        self.item, self.what = item, what
        self.values: dict[str, Located] = item.value
        self.read: list[str] = []

    def get(self, key: str, read: Reader, default: Any = None, required: bool = False) -> Any:
        self.read.append(key)
        if key not in self.values:
            if required:
                raise ScenarioError(self.item.where, f"{self.what} needs {key!r}")
            return default
        return read(self.values[key])

    def has(self, key: str) -> bool:
        return key in self.values

    def done(self) -> None:
        for key, value in self.values.items():
            if key not in self.read:
                expected = ", ".join(self.read)
                where = (self.item.key_wheres or {}).get(key, value.where)
                raise ScenarioError(
                    where, f"unknown key {key!r} in {self.what} (expected: {expected})"
                )


# --------------------------------------------------------------------------------- peers
def _version(item: Located) -> VersionSpec | None:
    """A version message, ``true`` for the defaults, or ``false`` for none yet."""
    if item.value is True:
        return VersionSpec()
    if item.value is False:
        return None
    fields = Fields(item, "version")
    values = {name: fields.get(name, read) for name, read in _VERSION_FIELDS.items()}
    fields.done()
    return VersionSpec(tuple((name, v) for name, v in values.items() if fields.has(name)))


def _any_str(item: Located) -> str:
    """A string, possibly empty (a user agent may be)."""
    if not isinstance(item.value, str):
        raise _fail(item, "a string")
    return item.value


_VERSION_FIELDS: dict[str, Reader] = {
    "version": _int,
    "subver": _any_str,
    "services": _services,
    "startingheight": _int,
    "relaytxes": _bool,
    "timeoffset": _int,
    "addrlocal": _optional(_str),
}


def _rtt(item: Located) -> float | None:
    if item.value is None:
        return None
    seconds = _duration(item)
    if seconds <= 0:
        raise _fail(item, "a positive round-trip time or null (never answers)")
    return seconds


def _peer_spec(item: Located, what: str = "peer") -> PeerSpec:
    fields = Fields(item, what)
    spec = PeerSpec(
        name=fields.get("name", _str, required=True),
        addr=fields.get("addr", _str, required=True),
        inbound=fields.get("inbound", _bool, True),
        whitelisted=fields.get("whitelisted", _bool, False),
        manual=fields.get("manual", _bool, False),
        addrbind=fields.get("addrbind", _optional(_str)),
        pong_rtt=fields.get("pong_rtt", _rtt, 0.1),
        version=fields.get("version", _version, VersionSpec()),
    )
    fields.done()
    return spec


def _peers(item: Located) -> tuple[PeerSpec | GeneratedPeers, ...]:
    if not isinstance(item.value, list):
        raise _fail(item, "a list of peers")
    specs: list[PeerSpec | GeneratedPeers] = []
    names: set[str] = set()
    for entry in item.value:
        if isinstance(entry.value, dict) and "count" in entry.value:
            spec: PeerSpec | GeneratedPeers = _generated_peers(entry)
        else:
            spec = _peer_spec(entry)
        for name in _names_of(spec):
            if name in names or name == ALL:
                raise ScenarioError(entry.where, f"peer name {name!r} is used twice")
            names.add(name)
        specs.append(spec)
    return tuple(specs)


def _generated_peers(entry: Located) -> GeneratedPeers:
    fields = Fields(entry, "generated peers")
    count = fields.get("count", _count)
    prefix = fields.get("prefix", _str, "peer")
    overrides: list[tuple[str, Any]] = []
    for key, option, read in (
        ("inbound", "inbound", _bool),
        ("whitelisted", "whitelisted", _bool),
        ("manual", "manual", _bool),
        ("pong_rtt", "pong_rtt_seconds", _rtt),
    ):
        if fields.has(key):
            overrides.append((option, fields.get(key, read)))
        else:
            fields.read.append(key)
    version = fields.get("version", _version)
    if version is not None:
        overrides.append(("version", version.fields))
    fields.done()
    return GeneratedPeers(count, prefix, entry.where, tuple(overrides))


def _names_of(spec: PeerSpec | GeneratedPeers) -> list[str]:
    if isinstance(spec, GeneratedPeers):
        return [f"{spec.prefix}-{i}" for i in range(spec.count)]
    return [spec.name]


# --------------------------------------------------------------------------------- actions
def _peer_name(item: Located) -> str:
    return _str(item)


def _action_connect(item: Located) -> Action:
    return _peer_spec(item, "connect")


def _peer_only(kind: str) -> Callable[[Located], Action]:
    return lambda item: PeerAction(_peer_name(item), kind)  # type: ignore[arg-type]


def _action_traffic(item: Located) -> Action:
    fields = Fields(item, "traffic")
    direction = fields.get("direction", _str, required=True)
    if direction not in ("send", "recv"):
        raise _fail(fields.values["direction"], "'send' or 'recv'")
    nbytes = fields.get("bytes", _int, required=True)
    if nbytes <= 0:
        raise _fail(fields.values["bytes"], "a positive byte count")
    action = TrafficAction(
        fields.get("peer", _peer_name, required=True),
        fields.get("type", _str, required=True),
        direction,
        nbytes,
        fields.get("pending", _bool, False),
    )
    fields.done()
    return action


def _action_pong(item: Located) -> Action:
    if isinstance(item.value, str):
        return PeerEventAction(_peer_name(item), ev.PongReceived, (None,))
    fields = Fields(item, "pong")
    action = PeerEventAction(
        fields.get("peer", _peer_name, required=True),
        ev.PongReceived,
        (fields.get("rtt", _optional(_duration)),),
    )
    fields.done()
    return action


def _action_pong_rtt(item: Located) -> Action:
    fields = Fields(item, "pong_rtt")
    if not fields.has("rtt"):
        raise ScenarioError(item.where, "pong_rtt needs 'rtt' (seconds, or null: never answers)")
    action = PeerEventAction(
        fields.get("peer", _peer_name, required=True), ev.SetPongRtt, (fields.get("rtt", _rtt),)
    )
    fields.done()
    return action


def _action_misbehave(item: Located) -> Action:
    fields = Fields(item, "misbehave")
    score = fields.get("score", _count, required=True)
    action = PeerEventAction(
        fields.get("peer", _peer_name, required=True),
        ev.Misbehave,
        (score, fields.get("reason", _str, "")),
    )
    fields.done()
    return action


def _action_ban(item: Located) -> Action:
    if isinstance(item.value, str):
        return NodeEventAction(ev.Ban(item.value))
    fields = Fields(item, "ban")
    subnet = fields.get("subnet", _str, required=True)
    bantime = fields.get("bantime", _optional(_duration))
    until = fields.get("until", _optional(_start))
    fields.done()
    return NodeEventAction(
        ev.Ban(
            subnet,
            bantime_seconds=None if bantime is None else int(bantime),
            until_seconds=None if until is None else int(until),
        )
    )


def _action_addnode(item: Located) -> Action:
    fields = Fields(item, "addnode")
    command = fields.get("command", _str, required=True)
    if command not in ("add", "remove"):
        raise _fail(fields.values["command"], "'add' or 'remove' (connect a peer with 'connect')")
    action = NodeEventAction(ev.AddNode(fields.get("node", _str, required=True), command))
    fields.done()
    return action


def _action_sync(item: Located) -> Action:
    fields = Fields(item, "sync")
    inflight_item = fields.values.get("inflight")
    inflight = fields.get("inflight", _optional(lambda i: tuple(_int_list(i))))
    if inflight is not None and len(inflight) > 16:
        raise _fail(inflight_item, "at most 16 block heights in flight")  # type: ignore[arg-type]
    action = PeerEventAction(
        fields.get("peer", _peer_name, required=True),
        ev.SyncProgress,
        (fields.get("headers", _optional(_int)), fields.get("blocks", _optional(_int)), inflight),
    )
    fields.done()
    return action


def _int_list(item: Located) -> list[int]:
    if not isinstance(item.value, list):
        raise _fail(item, "a list of integers")
    return [_int(element) for element in item.value]


def _action_version(item: Located) -> Action:
    fields = Fields(item, "version")
    peer = fields.get("peer", _peer_name, required=True)
    rest = {k: v for k, v in item.value.items() if k != "peer"}
    fields.read.extend(rest)
    fields.done()
    return VersionAction(peer, _version(Located(rest, item.where)) or VersionSpec())


ACTIONS: dict[str, Callable[[Located], Action]] = {
    "connect": _action_connect,
    "disconnect": _peer_only("disconnect"),
    "version": _action_version,
    "traffic": _action_traffic,
    "flush": _peer_only("flush"),
    "ping": _peer_only("ping"),
    "pong": _action_pong,
    "unanswered_ping": _peer_only("unanswered_ping"),
    "pong_rtt": _action_pong_rtt,
    "misbehave": _action_misbehave,
    "ban": _action_ban,
    "unban": lambda item: NodeEventAction(ev.Unban(_str(item))),
    "clearbanned": lambda item: NodeEventAction(ev.ClearBans()),
    "addnode": _action_addnode,
    "sync": _action_sync,
    "network_active": lambda item: NodeEventAction(ev.SetNetworkActive(_bool(item))),
}


# --------------------------------------------------------------------------------- timeline
MAX_STEPS = 10_000_000  # a repetition past this is a mistake (every: 1ms for a month), not a plan


@dataclass(frozen=True, slots=True)
class _Entry:
    at: float
    every: float | None
    until: float | None
    times: int | None
    action: Action
    where: Where


def _entry(item: Located) -> _Entry:
    fields = Fields(item, "timeline entry")
    at = fields.get("at", _duration, required=True)
    every = fields.get("every", _duration)
    until = fields.get("until", _duration)
    times = fields.get("times", _count)
    kinds = [key for key in item.value if key in ACTIONS]
    if len(kinds) != 1:
        found = f"found {', '.join(kinds)}" if kinds else "found none"
        raise ScenarioError(
            item.where,
            f"a timeline entry needs exactly one action ({found}); actions: {', '.join(ACTIONS)}",
        )
    action = fields.get(kinds[0], ACTIONS[kinds[0]])
    fields.done()
    if every is not None:
        if every <= 0:
            raise _fail(item.value["every"], "a positive interval")
        if (until is None) == (times is None):
            raise ScenarioError(item.value["every"].where, "'every' needs 'until' or 'times'")
        if until is not None and until < at:
            raise ScenarioError(item.value["until"].where, "'until' comes before 'at'")
    elif until is not None or times is not None:
        raise ScenarioError(item.where, "'until' and 'times' go with 'every'")
    return _Entry(at, every, until, times, action, item.value["at"].where)


def _expand(entries: list[_Entry]) -> list[Step]:
    """Every occurrence, ordered by time, then by position in the file."""
    occurrences = []
    for index, entry in enumerate(entries):
        if entry.every is None:
            count = 1
        elif entry.times is not None:
            count = entry.times
        else:
            count = int((entry.until - entry.at) / entry.every + 1e-9) + 1  # type: ignore[operator]
        if len(occurrences) + count > MAX_STEPS:
            raise ScenarioError(
                entry.where,
                f"the timeline grows past {MAX_STEPS:,} steps here ({count:,} from this "
                "entry); use a longer interval",
            )
        every = entry.every or 0.0
        occurrences += [(round((entry.at + n * every) * MICROS), index, entry)
                        for n in range(count)]  # fmt: skip
    occurrences.sort(key=lambda o: (o[0], o[1]))
    return [Step(at_us, entry.action, entry.where) for at_us, _, entry in occurrences]


def _check_names(peers: tuple[PeerSpec | GeneratedPeers, ...], steps: list[Step]) -> None:
    """Every peer an entry names must have been connected (and not disconnected) before it."""
    known = {name for spec in peers for name in _names_of(spec)}
    for step in steps:
        for name in step.action.referenced_peers():
            if name not in known:
                at = format_duration(step.at_us / MICROS)
                raise ScenarioError(
                    step.where,
                    f"at {at}: no peer named {name!r} is connected "
                    f"by then (known: {', '.join(sorted(known)) or 'none'})",
                )
        if isinstance(step.action, PeerSpec):
            known.add(step.action.name)
        elif isinstance(step.action, PeerAction) and step.action.kind == "disconnect":
            known.discard(step.action.peer)


def _settings(item: Located, defaults: NodeSettings) -> NodeSettings:
    """The file's node settings over the release's defaults (``Profile.settings``)."""
    fields = Fields(item, "settings")
    settings = dataclasses.replace(
        defaults,
        ban_threshold=fields.get("ban_threshold", _int, defaults.ban_threshold),
        ban_time_seconds=int(fields.get("ban_time", _duration, defaults.ban_time_seconds)),
        automatic_pings=fields.get("automatic_pings", _bool, defaults.automatic_pings),
        ping_interval_seconds=int(
            fields.get("ping_interval", _duration, defaults.ping_interval_seconds)
        ),
        ping_timeout_seconds=int(
            fields.get("ping_timeout", _duration, defaults.ping_timeout_seconds)
        ),
    )
    fields.done()
    return settings


def _profile(item: Located) -> str:
    name = _str(item)
    try:
        get_profile(name)
    except KeyError as error:
        raise ScenarioError(item.where, str(error.args[0])) from None
    return name


def parse_scenario(root: Located) -> Scenario:
    fields = Fields(root, "the scenario")
    name = fields.get("name", _str, required=True)
    description = fields.get("description", _str, required=True)
    profile = fields.get("profile", _profile, DEFAULT_PROFILE)
    seed = fields.get("seed", _int, 0)
    start = fields.get("start", _start, float(DEFAULT_EPOCH_SECONDS))
    defaults = get_profile(profile).settings
    settings = fields.get("settings", lambda item: _settings(item, defaults), defaults)
    peers = fields.get("peers", _peers, ())
    timeline_item = fields.values.get("timeline")
    entries: list[_Entry] = []
    if timeline_item is not None:
        if not isinstance(timeline_item.value, list):
            raise _fail(timeline_item, "a list of timeline entries")
        for item in timeline_item.value:
            entry = _entry(item)
            if entries and entry.at < entries[-1].at:
                raise ScenarioError(
                    entry.where,
                    f"time goes backwards: {format_duration(entry.at)}"
                    f" after {format_duration(entries[-1].at)}",
                )
            entries.append(entry)
    fields.read.append("timeline")
    steps = _expand(entries)
    last = steps[-1].at_us / MICROS if steps else 0.0
    end = fields.get("end", _duration, last)
    if end < last:
        raise ScenarioError(
            fields.values["end"].where,
            f"'end' ({format_duration(end)}) comes before the last entry ({format_duration(last)})",
        )
    record_item = fields.values.get("record_at")
    record_at = fields.get("record_at", lambda i: tuple(_duration(x) for x in _list(i)), (0.0, end))
    if any(t > end for t in record_at):
        raise _fail(record_item, f"times within the scenario (end: {format_duration(end)})")  # type: ignore[arg-type]
    fields.done()
    _check_names(peers, steps)
    return Scenario(
        name,
        description,
        profile,
        seed,
        start,
        settings,
        peers,
        tuple(steps),
        end,
        tuple(sorted(record_at)),
        root.where.path,
    )


def _list(item: Located) -> list[Located]:
    if not isinstance(item.value, list):
        raise _fail(item, "a list")
    return item.value


def load_scenario(path: str | Path) -> Scenario:
    """Load and check a scenario file; ScenarioError says where and what is wrong."""
    return parse_scenario(read_located(Path(path)))


def loads_scenario(text: str, path: str = "<scenario>") -> Scenario:
    return parse_scenario(load_located(text, path))
