"""Writing applied events out as a scenario file, so a failing sequence hypothesis found is a
plain file to check in (and replay with ``simnode serve --scenario`` or the pytest marker).

The keys come from the format's one description (``format.py``): what is written reads back as
the same events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from simnode.model import events as ev
from simnode.model.clock import MICROS
from simnode.model.state import NodeSettings
from simnode.scenarios.actions import PeerSpec
from simnode.scenarios.durations import format_duration
from simnode.scenarios.format import CONNECT_KEYS, EVENT_ACTION_OF, SETTINGS_KEYS, write_keys


@dataclass(frozen=True, slots=True)
class Applied:
    """An event the node accepted, when (seconds from the start), and what it returned."""

    offset_seconds: float
    event: ev.Event
    result: int | None = None


def _name(peer_id: int) -> str:
    return f"peer-{peer_id}"


def _action(applied: Applied) -> dict[str, Any] | None:
    """The timeline action for one event; None for events that only move the clock."""
    event = applied.event
    if isinstance(event, ev.Connect):
        assert applied.result is not None
        spec = PeerSpec(
            _name(applied.result), event.addr, event.inbound, event.whitelisted, event.manual,
            event.addrbind, event.pong_rtt_seconds, version=None,
            connection_type=event.connection_type, v2transport=event.v2transport,
            mapped_as=event.mapped_as,
        )  # fmt: skip
        return {"connect": write_keys(CONNECT_KEYS, spec, defaults=PeerSpec)}
    if isinstance(event, ev.PingSent):
        return {"ping": "all" if event.peer_id is None else _name(event.peer_id)}
    action = EVENT_ACTION_OF.get(type(event))
    if action is None:
        return None  # AdvanceClock and SetClock: time passes between entries
    values = write_keys(action.keys, event, defaults=type(event), peer_name=_name)
    return {action.name: values or True}


def scenario_text(
    applied: list[Applied],
    name: str,
    description: str,
    profile: str = "pai",
    start_seconds: float | None = None,
    settings: NodeSettings | None = None,
) -> str:
    """A scenario file (YAML) that replays ``applied`` on a fresh node."""
    settings = settings or NodeSettings()
    document: dict[str, Any] = {"name": name, "description": description, "profile": profile}
    if start_seconds is not None:
        document["start"] = int(start_seconds) if start_seconds == int(start_seconds) else (
            start_seconds)  # fmt: skip
    document["settings"] = write_keys(SETTINGS_KEYS, settings)
    chain = {"network": settings.chain.name, "height": settings.chain.start_height}
    if settings.start_blocks is not None:
        chain["blocks"] = settings.start_blocks
    document["chain"] = chain
    timeline = []
    for step in applied:
        action = _action(step)
        if action is not None:
            at = format_duration(round(step.offset_seconds * MICROS) / MICROS)
            timeline.append({"at": at, **action})
    document["timeline"] = timeline
    if applied:
        document["end"] = format_duration(applied[-1].offset_seconds)
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
