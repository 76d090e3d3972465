"""Events to and from plain JSON-able dicts: ``{"type": "traffic", "peer_id": 3, ...}``.

The control plane and scenario files describe events this way; field names and types come from
the event dataclasses themselves, so adding an event needs no change here.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from typing import Any, Literal

from simnode.model import events as ev
from simnode.model.state import EventError

EVENT_TYPES: dict[str, type] = {
    re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower(): cls for cls in typing.get_args(ev.Event)
}
_TYPE_NAMES = {cls: name for name, cls in EVENT_TYPES.items()}


def event_name(event: ev.Event) -> str:
    return _TYPE_NAMES[type(event)]


def event_to_dict(event: ev.Event) -> dict[str, Any]:
    data: dict[str, Any] = {"type": event_name(event)}
    for f in dataclasses.fields(event):  # type: ignore[arg-type]
        value = getattr(event, f.name)
        if value != f.default:
            data[f.name] = list(value) if isinstance(value, tuple) else value
    return data


def event_from_dict(data: Any) -> ev.Event:
    """Build an event, checking every field's type; EventError says what is wrong."""
    if not isinstance(data, dict):
        raise EventError(f"an event must be an object, not {type(data).__name__}")
    name = data.get("type")
    cls = EVENT_TYPES.get(name) if isinstance(name, str) else None
    if cls is None:
        raise EventError(f"unknown event type {name!r} (known: {', '.join(sorted(EVENT_TYPES))})")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields) - {"type"})
    if unknown:
        raise EventError(f"{name}: unknown field {unknown[0]!r} (fields: {', '.join(fields)})")
    kwargs = {}
    for field_name, f in fields.items():
        if field_name not in data:
            if f.default is dataclasses.MISSING:
                raise EventError(f"{name}: missing field {field_name!r}")
            continue
        kwargs[field_name] = coerce(data[field_name], hints[field_name], f"{name}.{field_name}")
    return cls(**kwargs)


def coerce(value: Any, hint: Any, where: str) -> Any:
    """``value`` checked against a type hint (JSON lists become tuples)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        for option in typing.get_args(hint):
            try:
                return coerce(value, option, where)
            except EventError:
                continue
        raise EventError(f"{where}: {value!r} is not {_describe(hint)}")
    if origin is Literal:
        if value in typing.get_args(hint):
            return value
        raise EventError(f"{where}: {value!r} is not {_describe(hint)}")
    if origin is tuple:
        (item,) = typing.get_args(hint)[:1]
        if not isinstance(value, list | tuple):
            raise EventError(f"{where}: expected a list, got {value!r}")
        return tuple(coerce(v, item, f"{where}[{i}]") for i, v in enumerate(value))
    if hint is type(None):
        if value is None:
            return None
    elif hint is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    elif hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif isinstance(value, hint):
        return value
    raise EventError(f"{where}: expected {_describe(hint)}, got {value!r}")


def _describe(hint: Any) -> str:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_describe(h) for h in typing.get_args(hint))
    if origin is Literal:
        return " or ".join(repr(v) for v in typing.get_args(hint))
    if origin is tuple:
        return "a list of " + _describe(typing.get_args(hint)[0])
    return {type(None): "null", int: "an integer", float: "a number", str: "a string",
            bool: "a boolean"}.get(hint, str(hint))  # fmt: skip
