"""The admin API's route table, described once: each endpoint's method, path, parameters and
handler. Routing, checking a request's keys and values, and the OpenAPI 3.1 document are all
derived from it, so what is documented is what is served."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

_JSON_TYPES = {
    "integer": (int,),
    "number": (int, float),
    "string": (str,),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


class BadRequest(ValueError):
    """A request whose keys or values the API refuses; answered with 400 and this message."""


@dataclass(frozen=True, slots=True)
class Param:
    """One key of a JSON body (or one query parameter of a GET)."""

    name: str
    type: str  # a JSON Schema type: integer, number, string, boolean, array, object, any
    description: str
    required: bool = False
    nullable: bool = False  # null is a meaningful value (e.g. times: null, until cleared)
    minimum: float | None = None
    exclusive_minimum: float | None = None
    choices: tuple[str, ...] = ()
    default: Any = None

    def check(self, value: Any, where: str) -> Any:
        """``value`` if it fits, else BadRequest naming the key, what it got and what it takes."""
        if value is None and self.nullable:
            return None
        if self.type != "any":
            wanted = _JSON_TYPES[self.type]
            # bool is an int in Python, never in JSON Schema
            if isinstance(value, bool) != (self.type == "boolean") or not isinstance(value, wanted):
                raise BadRequest(
                    f"{where}: {self.name!r} must be {self.describe()}, not {json.dumps(value)}"
                )
        if self.choices and value not in self.choices:
            raise BadRequest(
                f"{where}: {self.name!r} must be one of "
                f"{', '.join(self.choices)}, not {json.dumps(value)}"
            )
        too_small = (self.minimum is not None and value < self.minimum) or (
            self.exclusive_minimum is not None and value <= self.exclusive_minimum
        )
        if too_small:
            raise BadRequest(
                f"{where}: {self.name!r} must be {self.describe()}, not {json.dumps(value)}"
            )
        return value

    def describe(self) -> str:
        text = {
            "integer": "an integer",
            "number": "a number",
            "string": "a string",
            "boolean": "true or false",
            "array": "a list",
            "object": "an object",
            "any": "a JSON value",
        }[self.type]
        if self.minimum is not None:
            text += f" >= {self.minimum:g}"
        if self.exclusive_minimum is not None:
            text += f" > {self.exclusive_minimum:g}"
        return text + (" or null" if self.nullable else "")

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"description": self.description}
        if self.type != "any":
            schema["type"] = [self.type, "null"] if self.nullable else self.type
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        if self.exclusive_minimum is not None:
            schema["exclusiveMinimum"] = self.exclusive_minimum
        if self.choices:
            schema["enum"] = list(self.choices)
        if self.default is not None:
            schema["default"] = self.default
        return schema


Handler = Callable[[Any, dict[str, Any]], Any]


@dataclass(frozen=True, slots=True)
class Endpoint:
    method: str  # GET reads, POST changes (the node's transport refuses DELETE before routing)
    path: str  # under /simnode/
    tag: str
    summary: str
    handler: Handler  # (the admin API, the checked parameters) -> a JSON-able answer
    params: tuple[Param, ...] = ()
    raw_body: str | None = None  # a body checked by the handler itself: its schema's text

    @property
    def where(self) -> str:
        return f"{self.method} {self.path}"

    def arguments(self, payload: Any) -> dict[str, Any]:
        """The body (or query) checked against ``params``: unknown keys, missing keys and bad
        values are refused by name."""
        if self.raw_body is not None:
            return {"body": payload}
        if payload is None:
            payload = {}
        if not isinstance(payload, dict):
            raise BadRequest(f"{self.where} takes a JSON object, not {json.dumps(payload)}")
        known = {param.name: param for param in self.params}
        unknown = sorted(set(payload) - set(known))
        if unknown:
            takes = ", ".join(repr(name) for name in known) or "no keys"
            raise BadRequest(
                f"{self.where}: unknown key(s) {', '.join(map(repr, unknown))} (it takes {takes})"
            )
        checked = {}
        for name, param in known.items():
            if name in payload:
                checked[name] = param.check(payload[name], self.where)
            elif param.required:
                raise BadRequest(f"{self.where}: missing key {name!r} ({param.description})")
            else:
                checked[name] = param.default
        return checked


def query_payload(endpoint: Endpoint, args: dict[str, str]) -> dict[str, Any]:
    """A GET's query string as typed values: numbers and JSON (lists, objects) are parsed,
    anything else stays text; the endpoint's own check then names what is wrong."""
    payload: dict[str, Any] = {}
    types = {param.name: param.type for param in endpoint.params}
    for name, text in args.items():
        if types.get(name) in ("integer", "number", "array", "object", "any", "boolean"):
            try:
                payload[name] = json.loads(text)
            except ValueError:
                payload[name] = text
        else:
            payload[name] = text
    return payload


def openapi(endpoints: Sequence[Endpoint], title: str, description: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``endpoints``."""
    from importlib.metadata import version  # here: it costs every start ~5 ms to import

    paths: dict[str, dict[str, Any]] = {}
    for endpoint in endpoints:
        operation: dict[str, Any] = {
            "tags": [endpoint.tag],
            "summary": endpoint.summary,
            "operationId": _operation_id(endpoint),
            "responses": {
                "200": {"description": "done; the answer", "content": _JSON_ANY},
                "400": {"description": "a bad body or query, named in `error`", "content": _ERROR},
                "401": {"description": "no or wrong credentials (Basic auth, as RPC)"},
            },
        }
        if endpoint.method == "GET":
            operation["parameters"] = [
                {"name": p.name, "in": "query", "required": p.required, "schema": p.schema()}
                for p in endpoint.params
            ]
        elif endpoint.raw_body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": json.loads(endpoint.raw_body)}},
            }
        else:
            schema = {
                "type": "object",
                "additionalProperties": False,
                "properties": {p.name: p.schema() for p in endpoint.params},
            }
            required = [p.name for p in endpoint.params if p.required]
            if required:
                schema["required"] = required
            operation["requestBody"] = {
                "required": bool(required),
                "content": {"application/json": {"schema": schema}},
            }
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version("simnode"), "description": description},
        "components": {"securitySchemes": {"basic": {"type": "http", "scheme": "basic"}}},
        "security": [{"basic": []}],
        "paths": paths,
    }


def _operation_id(endpoint: Endpoint) -> str:
    words = endpoint.path.removeprefix("/simnode/").replace(".", "_").split("/")
    return endpoint.method.lower() + "".join(word.title().replace("_", "") for word in words)


_JSON_ANY = {"application/json": {"schema": {}}}
_ERROR = {
    "application/json": {
        "schema": {
            "type": "object",
            "properties": {"error": {"type": "string"}},
            "required": ["error"],
        }
    }
}
