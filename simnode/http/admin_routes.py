"""The admin API's endpoints: one row each (method, path, parameters, handler). Routing,
request checking and the OpenAPI document served at ``GET /simnode/openapi.json`` all come from
``ENDPOINTS`` (see simnode.http.apitable)."""

from __future__ import annotations

import functools
import json
from typing import Any

from simnode.http.admin_api import (
    FAULTS,
    AdminAPI,
    advance,
    bans_add,
    bans_remove,
    events,
    faults_arm,
    faults_clear,
    faults_list,
    journal_clear,
    journal_read,
    listening_add,
    listening_list,
    listening_remove,
    peers_add,
    peers_ban,
    peers_disconnect,
    peers_misbehave,
    peers_ping,
    peers_pong,
    peers_populate,
    state,
    warmup,
)
from simnode.http.admin_nodes import (
    reset,
    scenario_library,
    scenario_load,
    scenario_pause,
    scenario_resume,
    scenario_seek,
    scenario_speed,
    scenario_status,
    scenario_step,
)
from simnode.http.apitable import Endpoint, Param, openapi
from simnode.model.peer import CONNECTION_TYPES
from simnode.profiles import PROFILES
from simnode.profiles.releases import ALIASES


@functools.cache
def _openapi() -> dict[str, Any]:
    """The admin API's OpenAPI document, built when first asked for, not at every start."""
    return openapi(
        ENDPOINTS,
        "simnode admin API",
        "Drive a simnode fake node from any language: faults, the call journal, scenarios, "
        "peers. Every endpoint is behind the node's RPC credentials. See docs/control.md.",
    )


def openapi_document(api: AdminAPI, args: dict[str, Any]) -> dict[str, Any]:
    return _openapi()


_METHOD = Param("method", "string", "only calls of this RPC method (absent: any)", nullable=True)
_TIMES = Param(
    "times",
    "integer",
    "how many calls it fails (null: until cleared)",
    nullable=True,
    minimum=1,
    default=1,
)
_PEER = Param("id", "integer", "the peer's id (getpeerinfo's id)", required=True, minimum=0)
_ADDR = Param("addr", "string", "host:port on the fake network", required=True)
_VERSION = Param(
    "version",
    "object",
    "version message fields (version, subver, services, "
    "startingheight, relaytxes, timeoffset, addrlocal)",
    nullable=True,
)
_BAN_ADDRESS = Param(
    "address", "string", "an address or subnet (192.0.2.7, 203.0.113.0/24)", required=True
)
_EVENTS_SCHEMA = json.dumps(
    {
        "oneOf": [
            {"type": "array", "items": {"type": "object"}},
            {
                "type": "object",
                "properties": {"events": {"type": "array"}},
                "required": ["events"],
                "additionalProperties": False,
            },
        ],
        "description": 'model events, {"type": "connect", "addr": ...} (docs/control.md)',
    }
)

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "GET",
        "/simnode/state",
        "state",
        "the node now: peers, bans, totals, scenario, faults",
        state,
    ),
    Endpoint("POST", "/simnode/state", "state", "the same, for clients that only POST", state),
    Endpoint(
        "POST",
        "/simnode/events",
        "state",
        "apply model events in order (stops at the first refused one)",
        events,
        raw_body=_EVENTS_SCHEMA,
    ),
    Endpoint(
        "POST",
        "/simnode/advance",
        "state",
        "move the clock (and the scenario) forward",
        advance,
        (Param("seconds", "number", "how far", required=True, minimum=0),),
    ),
    Endpoint(
        "POST",
        "/simnode/reset",
        "state",
        "a fresh node, of the current configuration ({}) or so configured; faults, journal cleared",
        reset,
        (
            Param(
                "profile",
                "string",
                "the release to speak as",
                nullable=True,
                choices=tuple(sorted([*PROFILES, *ALIASES])),
            ),
            Param(
                "peers",
                "integer",
                "generated peers to start with (default 0)",
                nullable=True,
                minimum=0,
            ),
            Param("seed", "integer", "seed for the generated peers (default 0)", nullable=True),
            Param(
                "scenario",
                "string",
                "a library scenario (replaces profile, peers and seed)",
                nullable=True,
            ),
        ),
    ),
    Endpoint(
        "POST",
        "/simnode/warmup",
        "state",
        "every RPC answers -28 with this message (null: stop)",
        warmup,
        (Param("message", "string", "the init message", nullable=True),),
    ),
    Endpoint(
        "GET",
        "/simnode/scenario",
        "scenario",
        "the playback: name, position, next steps (null without a scenario)",
        scenario_status,
        (Param("upcoming", "integer", "how many next steps", minimum=0, default=5),),
    ),
    Endpoint("GET", "/simnode/scenarios", "scenario", "the library's scenarios", scenario_library),
    Endpoint(
        "POST",
        "/simnode/scenario/load",
        "scenario",
        "play a library scenario or a posted YAML document from its start",
        scenario_load,
        (
            Param("name", "string", "a library scenario's name", nullable=True),
            Param("yaml", "string", "a scenario document (docs/scenarios.md)", nullable=True),
            Param(
                "speed",
                "number",
                "scenario seconds per wall second",
                nullable=True,
                exclusive_minimum=0,
            ),
            Param(
                "paused",
                "boolean",
                "start paused (default: paused on a virtual clock, as in "
                "the pytest fixture; playing under simnode serve)",
                nullable=True,
            ),
            Param("loop", "boolean", "start over at the end", nullable=True),
        ),
    ),
    Endpoint(
        "POST", "/simnode/scenario/pause", "scenario", "stop the virtual clock", scenario_pause
    ),
    Endpoint("POST", "/simnode/scenario/resume", "scenario", "play on from here", scenario_resume),
    Endpoint(
        "POST",
        "/simnode/scenario/step",
        "scenario",
        "play to the next timeline step and apply it",
        scenario_step,
    ),
    Endpoint(
        "POST",
        "/simnode/scenario/speed",
        "scenario",
        "scenario seconds per wall second",
        scenario_speed,
        (Param("speed", "number", "the new speed", required=True, exclusive_minimum=0),),
    ),
    Endpoint(
        "POST",
        "/simnode/scenario/seek",
        "scenario",
        "go to an offset into the scenario",
        scenario_seek,
        (Param("offset", "any", 'seconds, or a duration such as "5m"', required=True),),
    ),
    Endpoint(
        "GET", "/simnode/faults", "faults", "the armed faults, and every fault name", faults_list
    ),
    Endpoint(
        "POST",
        "/simnode/faults",
        "faults",
        "arm a fault for the next call(s)",
        faults_arm,
        (
            Param(
                "name",
                "string",
                "the fault, as the pytest API names it",
                required=True,
                choices=tuple(FAULTS),
            ),
            _METHOD,
            _TIMES,
            Param("seconds", "number", "latency: the delay", nullable=True, minimum=0),
            Param("message", "string", "warming_up: the init message", nullable=True),
        ),
    ),
    Endpoint("POST", "/simnode/faults/clear", "faults", "disarm every fault", faults_clear),
    Endpoint(
        "GET",
        "/simnode/journal",
        "journal",
        "the calls clients made, oldest first",
        journal_read,
        (
            _METHOD,
            Param(
                "params",
                "any",
                "JSON: a list matched as a prefix, an object as a subset",
                nullable=True,
            ),
            Param(
                "since",
                "integer",
                "only calls at or after this node time (unix seconds)",
                nullable=True,
            ),
            Param("limit", "integer", "at most this many, the latest", minimum=0, default=1000),
        ),
    ),
    Endpoint("POST", "/simnode/journal/clear", "journal", "forget every call", journal_clear),
    Endpoint(
        "POST",
        "/simnode/peers/add",
        "peers",
        "connect a peer",
        peers_add,
        (
            Param(
                "addr",
                "string",
                "host:port (default: a documentation-range address)",
                nullable=True,
            ),
            Param("inbound", "boolean", "the peer dialled us", default=True),
            Param("whitelisted", "boolean", "whitelisted", default=False),
            Param("manual", "boolean", "opened by addnode", default=False),
            Param(
                "pong_rtt",
                "number",
                "its pong round trip in seconds (null: never answers)",
                nullable=True,
                minimum=0,
                default=0.1,
            ),
            Param(
                "connection_type",
                "string",
                "the connection's type (null: from inbound and manual)",
                nullable=True,
                choices=CONNECTION_TYPES,
            ),
            Param(
                "v2transport", "boolean", "BIP324 v2 transport (node with v2 only)", default=False
            ),
            Param(
                "mapped_as",
                "integer",
                "its AS number from the node's -asmap",
                nullable=True,
                minimum=1,
            ),
            Param("handshake", "boolean", "complete the version handshake", default=True),
            _VERSION,
        ),
    ),
    Endpoint(
        "POST",
        "/simnode/peers/populate",
        "peers",
        "connect plausible generated peers",
        peers_populate,
        (
            Param("count", "integer", "how many", required=True, minimum=0),
            Param("seed", "integer", "their seed", default=0),
        ),
    ),
    Endpoint(
        "POST",
        "/simnode/peers/disconnect",
        "peers",
        "disconnect a peer",
        peers_disconnect,
        (_PEER,),
    ),
    Endpoint(
        "POST",
        "/simnode/peers/misbehave",
        "peers",
        "add to a peer's ban score",
        peers_misbehave,
        (
            _PEER,
            Param("score", "integer", "how much", required=True, minimum=0),
            Param("reason", "string", "why", default=""),
        ),
    ),
    Endpoint(
        "POST",
        "/simnode/peers/ping",
        "peers",
        "we ping a peer (null: every peer)",
        peers_ping,
        (Param("id", "integer", "the peer", nullable=True, minimum=0),),
    ),
    Endpoint(
        "POST",
        "/simnode/peers/pong",
        "peers",
        "a peer's pong arrives",
        peers_pong,
        (_PEER, Param("rtt", "number", "round trip seconds", nullable=True, minimum=0)),
    ),
    Endpoint(
        "POST",
        "/simnode/peers/ban",
        "peers",
        "ban a connected peer's address",
        peers_ban,
        (
            _PEER,
            Param("seconds", "integer", "ban time (default -bantime)", nullable=True, minimum=1),
        ),
    ),
    Endpoint(
        "POST",
        "/simnode/bans/add",
        "peers",
        "ban an address or subnet",
        bans_add,
        (
            _BAN_ADDRESS,
            Param("seconds", "integer", "ban time (default -bantime)", nullable=True, minimum=1),
        ),
    ),
    Endpoint("POST", "/simnode/bans/remove", "peers", "lift a ban", bans_remove, (_BAN_ADDRESS,)),
    Endpoint(
        "GET",
        "/simnode/listening",
        "network",
        "addresses on the fake network that accept connections (addnode reaches them)",
        listening_list,
    ),
    Endpoint(
        "POST",
        "/simnode/listening/add",
        "network",
        "a node starts listening",
        listening_add,
        (_ADDR, _VERSION),
    ),
    Endpoint(
        "POST",
        "/simnode/listening/remove",
        "network",
        "a listening node goes away",
        listening_remove,
        (_ADDR,),
    ),
    Endpoint("GET", "/simnode/openapi.json", "meta", "this document", openapi_document),
)
