"""simnode's own control surface, for what the node has no RPC for: served under ``/simnode/``
(same auth as RPC), JSON in and out, so real clients never reach it by accident."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simnode.http.simulation import Simulation
from simnode.model import events as ev
from simnode.model.state import EventError
from simnode.profiles import netviews
from simnode.scenarios.codec import event_from_dict


class ControlError(ValueError):
    """A control request that cannot be carried out; answered with HTTP 400."""


def _keys(body: Any, action: str, *allowed: str) -> dict[str, Any]:
    """The body as an object with only ``allowed`` keys; anything else is refused by name."""
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise ControlError(f"/simnode/{action} takes a JSON object")
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        takes = ", ".join(repr(key) for key in allowed) or "no keys"
        raise ControlError(f"unknown key(s) {', '.join(map(repr, unknown))} for "
                           f"/simnode/{action} (it takes {takes})")  # fmt: skip
    return body


def _events(sim: Simulation, body: Any) -> dict[str, Any]:
    """Apply events in order; stops at the first refused one and says which."""
    if isinstance(body, dict):
        _keys(body, "events", "events")
    items = body.get("events") if isinstance(body, dict) else body
    if not isinstance(items, list):
        raise ControlError('expected a list of events or {"events": [...]}')
    results = []
    for index, item in enumerate(items):
        try:
            results.append(sim.node.apply(event_from_dict(item)))
        except EventError as error:
            raise ControlError(f"event {index}: {error} ({len(results)} applied)") from None
    return {"results": results}


def _advance(sim: Simulation, body: Any) -> dict[str, Any]:
    seconds = _keys(body, "advance", "seconds").get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        raise ControlError('expected {"seconds": <non-negative number>}')
    sim.node.apply(ev.AdvanceClock(seconds))
    return {"now": sim.node.snapshot().now_us / 1e6}


def _reset(sim: Simulation, body: Any) -> dict[str, Any]:
    _keys(body, "reset")  # a fresh node as at start-up; it takes no configuration (yet)
    sim.reset()
    return {"peers": len(sim.node.snapshot().peers)}


def _state(sim: Simulation, body: Any) -> dict[str, Any]:
    _keys(body, "state")
    snapshot = sim.node.snapshot()
    return {
        "now": snapshot.now_us / 1e6,
        "profile": sim.profile.name,
        "network_active": snapshot.network_active,
        "warmup": sim.warmup_message,
        "peers": sim.profile.getpeerinfo(snapshot),
        "banned": netviews.listbanned(sim.profile, snapshot),
        "added_nodes": list(snapshot.added_nodes),
    }


def _warmup(sim: Simulation, body: Any) -> dict[str, Any]:
    message = _keys(body, "warmup", "message").get("message")
    if message is not None and not isinstance(message, str):
        raise ControlError('expected {"message": "Loading block index..."} or {"message": null}')
    sim.warmup_message = message
    return {"warmup": message}


ACTIONS: dict[str, Callable[[Simulation, Any], dict[str, Any]]] = {
    "events": _events,
    "advance": _advance,
    "reset": _reset,
    "state": _state,
    "warmup": _warmup,
}
