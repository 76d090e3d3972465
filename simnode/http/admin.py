"""Events sent over the admin API (``POST /simnode/events``): applied in order, the first refused
one named. The rest of the admin API is in admin_api.py, routed by admin_routes.py."""

from __future__ import annotations

from typing import Any

from simnode.http.simulation import Simulation
from simnode.model.state import EventError
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


def apply_events(sim: Simulation, body: Any) -> dict[str, Any]:
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
