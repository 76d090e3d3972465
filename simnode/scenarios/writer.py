"""Writing applied events out as a scenario file, so a failing sequence hypothesis found is a
plain file to check in (and replay with ``simnode serve --scenario`` or the pytest marker)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from simnode.model import events as ev
from simnode.model.clock import MICROS
from simnode.model.node import NodeSettings
from simnode.scenarios.durations import format_duration


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
    match event:
        case ev.Connect():
            return {"connect": {
                "name": _name(applied.result), "addr": event.addr, "inbound": event.inbound,
                "whitelisted": event.whitelisted, "manual": event.manual,
                "addrbind": event.addrbind, "pong_rtt": event.pong_rtt_seconds, "version": False,
            }}  # fmt: skip
        case ev.VersionReceived():
            return {"version": {
                "peer": _name(event.peer_id), "version": event.version, "subver": event.subver,
                "services": event.services, "startingheight": event.startingheight,
                "relaytxes": event.relaytxes, "timeoffset": event.timeoffset,
                "addrlocal": event.addrlocal,
            }}  # fmt: skip
        case ev.Disconnect():
            return {"disconnect": _name(event.peer_id)}
        case ev.Traffic():
            return {"traffic": {"peer": _name(event.peer_id), "type": event.msg_type,
                                "direction": event.direction, "bytes": event.nbytes,
                                "pending": event.pending}}  # fmt: skip
        case ev.FlushSendQueue():
            return {"flush": _name(event.peer_id)}
        case ev.PingSent():
            return {"ping": "all" if event.peer_id is None else _name(event.peer_id)}
        case ev.PongReceived():
            return {"pong": {"peer": _name(event.peer_id), "rtt": event.rtt_seconds}}
        case ev.SetPongRtt():
            return {"pong_rtt": {"peer": _name(event.peer_id), "rtt": event.pong_rtt_seconds}}
        case ev.Misbehave():
            return {"misbehave": {"peer": _name(event.peer_id), "score": event.score,
                                  "reason": event.reason or "misbehaving"}}  # fmt: skip
        case ev.Ban():
            return {"ban": {"subnet": event.subnet, "bantime": event.bantime_seconds,
                            "until": event.until_seconds}}  # fmt: skip
        case ev.Unban():
            return {"unban": event.subnet}
        case ev.ClearBans():
            return {"clearbanned": True}
        case ev.SyncProgress():
            inflight = None if event.inflight is None else list(event.inflight)
            return {"sync": {"peer": _name(event.peer_id), "headers": event.synced_headers,
                             "blocks": event.synced_blocks, "inflight": inflight}}  # fmt: skip
        case ev.AddNode():
            return {"addnode": {"node": event.node, "command": event.command}}
        case ev.SetNetworkActive():
            return {"network_active": event.active}
    return None  # AdvanceClock and SetClock: time passes between entries


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
    document["settings"] = {
        "ban_threshold": settings.ban_threshold,
        "ban_time": format_duration(settings.ban_time_seconds),
        "automatic_pings": settings.automatic_pings,
        "ping_interval": format_duration(settings.ping_interval_seconds),
        "ping_timeout": format_duration(settings.ping_timeout_seconds),
    }
    timeline = []
    for step in applied:
        action = _action(step)
        if action is not None:
            timeline.append({"at": format_duration(round(step.offset_seconds * MICROS) / MICROS),
                             **_without_nulls(action)})  # fmt: skip
    document["timeline"] = timeline
    if applied:
        document["end"] = format_duration(applied[-1].offset_seconds)
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def _without_nulls(action: dict[str, Any]) -> dict[str, Any]:
    """Leave out null fields that mean "default", keeping those that mean something."""
    keep_null = {"pong_rtt", "rtt", "addrlocal", "addrbind"}
    return {
        key: ({k: v for k, v in value.items() if v is not None or k in keep_null}
              if isinstance(value, dict) else value)
        for key, value in action.items()
    }  # fmt: skip
