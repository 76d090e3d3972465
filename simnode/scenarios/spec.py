"""The scenario format: parsing located YAML into a ``Scenario``, strictly.

Every unknown key, wrong type, undefined peer, backwards time or bad duration is a ScenarioError
naming file, line and column and what was expected. Nothing is half-loaded: a Scenario exists only
once the whole file has passed. The format is documented in docs/scenarios.md.
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass
from pathlib import Path

from simnode.model import events as ev
from simnode.model.chainparams import network
from simnode.model.clock import DEFAULT_EPOCH_SECONDS, MICROS
from simnode.model.state import NodeSettings
from simnode.profiles import DEFAULT_PROFILE, get_profile
from simnode.profiles.releases import UnknownProfile
from simnode.scenarios import readers as read
from simnode.scenarios.actions import ALL, Action, GeneratedPeers, PeerEventAction, PeerSpec
from simnode.scenarios.durations import format_duration
from simnode.scenarios.format import (
    ACTIONS,
    CHAIN_KEYS,
    CONNECT_KEYS,
    GENERATED_KEYS,
    SETTINGS_KEYS,
    read_keys,
)
from simnode.scenarios.source import Located, ScenarioError, Where, load_located, read_located


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


# --------------------------------------------------------------------------------- peers
def _peers(item: Located) -> tuple[PeerSpec | GeneratedPeers, ...]:
    if not isinstance(item.value, list):
        raise read.fail(item, "a list of peers")
    specs: list[PeerSpec | GeneratedPeers] = []
    names: set[str] = set()
    total = sum(entry.value["count"].value for entry in item.value
                if isinstance(entry.value, dict) and isinstance(entry.value.get("count"), Located)
                and isinstance(entry.value["count"].value, int))  # fmt: skip
    if total > MAX_PEERS:
        problem = f"{total:,} peers: a scenario connects at most {MAX_PEERS:,}"
        raise ScenarioError(item.where, problem)
    for entry in item.value:
        if isinstance(entry.value, dict) and "count" in entry.value:
            spec: PeerSpec | GeneratedPeers = _generated_peers(entry)
        else:
            spec = PeerSpec(**read_keys(CONNECT_KEYS, entry, "peer"))
        for name in _names_of(spec):
            if name in names or name == ALL:
                raise ScenarioError(entry.where, f"peer name {name!r} is used twice")
            names.add(name)
        specs.append(spec)
    return tuple(specs)


def _generated_peers(entry: Located) -> GeneratedPeers:
    options = read_keys(GENERATED_KEYS, entry, "generated peers")
    count, prefix = options.pop("count"), options.pop("prefix", "peer")
    if "version" in options:
        version = options.pop("version")
        if version is not None:
            options["version"] = version.fields
    return GeneratedPeers(count, prefix, entry.where, tuple(options.items()))


def _names_of(spec: PeerSpec | GeneratedPeers) -> list[str]:
    if isinstance(spec, GeneratedPeers):
        return [f"{spec.prefix}-{i}" for i in range(spec.count)]
    return [spec.name]


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


ENTRY_KEYS = ("at", "every", "until", "times")
MAX_PEERS = 10_000


def _entry(item: Located) -> _Entry:
    fields = read.Fields(item, "timeline entry")
    at = fields.get("at", read.duration, required=True)
    every = fields.get("every", read.duration)
    until = fields.get("until", read.duration)
    times = fields.get("times", read.count)
    kinds = [key for key in item.value if key in ACTIONS]
    if len(kinds) != 1:
        found = f"found {', '.join(kinds)}" if kinds else "found none"
        unknown = [key for key in item.value if key not in ACTIONS and key not in ENTRY_KEYS]
        close = difflib.get_close_matches(unknown[0], ACTIONS, n=1) if unknown else []
        hint = f"; did you mean {close[0]!r} for {unknown[0]!r}?" if close else ""
        raise ScenarioError(
            item.where,
            f"a timeline entry needs exactly one action ({found}); actions: "
            f"{', '.join(ACTIONS)}{hint}",
        )
    action = fields.get(kinds[0], ACTIONS[kinds[0]])
    fields.done()
    if every is not None:
        if every <= 0:
            raise read.fail(item.value["every"], "a positive interval")
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
        elif isinstance(step.action, PeerEventAction) and step.action.make is ev.Disconnect:
            known.discard(step.action.peer)


def _settings(item: Located, defaults: NodeSettings) -> NodeSettings:
    """The file's node settings over the release's defaults (``Profile.settings``)."""
    return dataclasses.replace(defaults, **read_keys(SETTINGS_KEYS, item, "settings"))


def _chain(item: Located, settings: NodeSettings) -> NodeSettings:
    """``chain: regtest``, or ``{network, height, blocks}``: the profile's node on that network,
    with that many blocks, validated up to ``blocks`` at start (less: initial block download)."""
    if isinstance(item.value, str):
        item = Located({"network": item}, item.where)
    values = read_keys(CHAIN_KEYS, item, "chain")
    params = settings.chain
    if "network" in values:
        params = network(params.family, values["network"])
    if "height" in values:
        params = params.with_start_height(values["height"])
    blocks = values.get("blocks")
    if blocks is not None and blocks > params.start_height:
        raise ScenarioError(item.where, f"chain: blocks ({blocks}) above its height "
                                        f"({params.start_height})")  # fmt: skip
    return dataclasses.replace(settings, chain=params, start_blocks=blocks)


def _profile(item: Located) -> str:
    name = read.text(item)
    try:
        get_profile(name)
    except UnknownProfile as error:
        raise ScenarioError(item.where, str(error)) from None
    return name


def parse_scenario(root: Located, profile_override: str | None = None) -> Scenario:
    """The scenario in ``root``; ``profile_override`` plays it as another release (its
    defaults and chain) whatever the file says."""
    fields = read.Fields(root, "the scenario")
    name = fields.get("name", read.text, required=True)
    description = fields.get("description", read.text, required=True)
    profile = fields.get("profile", _profile, DEFAULT_PROFILE)
    if profile_override is not None:
        profile = get_profile(profile_override).name
    seed = fields.get("seed", read.integer, 0)
    start = fields.get("start", read.moment, float(DEFAULT_EPOCH_SECONDS))
    defaults = get_profile(profile).settings
    settings = fields.get("settings", lambda item: _settings(item, defaults), defaults)
    settings = fields.get("chain", lambda item: _chain(item, settings), settings)
    settings = dataclasses.replace(settings, seed=seed)
    peers = fields.get("peers", _peers, ())
    timeline_item = fields.values.get("timeline")
    entries: list[_Entry] = []
    if timeline_item is not None:
        if not isinstance(timeline_item.value, list):
            raise read.fail(timeline_item, "a list of timeline entries")
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
    end = fields.get("end", read.duration, last)
    if end < last:
        raise ScenarioError(
            fields.values["end"].where,
            f"'end' ({format_duration(end)}) comes before the last entry ({format_duration(last)})",
        )
    record_item = fields.values.get("record_at")
    record_at = fields.get("record_at", _durations, (0.0, end))
    if any(t > end for t in record_at):
        raise read.fail(record_item, f"times within the scenario (end: {format_duration(end)})")  # type: ignore[arg-type]
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


def _durations(item: Located) -> tuple[float, ...]:
    return tuple(read.duration(element) for element in read.items(item))


def load_scenario(path: str | Path, profile: str | None = None) -> Scenario:
    """Load and check a scenario file; ScenarioError says where and what is wrong."""
    return parse_scenario(read_located(Path(path)), profile)


def loads_scenario(text: str, path: str = "<scenario>", profile: str | None = None) -> Scenario:
    return parse_scenario(load_located(text, path), profile)
