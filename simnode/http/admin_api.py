"""The admin API: everything the Python API (LocalNode, the pytest fixture) does to a node, as
JSON over HTTP under ``/simnode/``, behind the node's auth. One table (``ENDPOINTS``) routes the
requests, checks their keys and values, and is the OpenAPI document (docs/control.md)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from simnode.http import admin
from simnode.http.apitable import BadRequest
from simnode.http.faults import Fault, FaultKind
from simnode.http.journal import Call
from simnode.http.simulation import Simulation
from simnode.model import events as ev
from simnode.model.fakepeers import populate, seeded_draws
from simnode.model.state import EventError
from simnode.profiles import netviews
from simnode.scenarios.playback import Playback

if TYPE_CHECKING:
    from simnode.http.app import NodeApp

# The pytest API's fault names (LocalNode.faults.<name>), each with the kind it arms.
FAULTS = {
    "latency": FaultKind.LATENCY,
    "reset": FaultKind.RESET,
    "truncated": FaultKind.TRUNCATED,
    "drop": FaultKind.DROP,
    "malformed_json": FaultKind.MALFORMED_JSON,
    "http_500": FaultKind.HTTP_500_EMPTY,
    "work_queue_full": FaultKind.WORK_QUEUE_FULL,
    "warming_up": FaultKind.WARMUP,
    "wrong_id": FaultKind.WRONG_ID,
    "close_after_response": FaultKind.CLOSE_AFTER_RESPONSE,
}
_FAULT_NAMES = {kind: name for name, kind in FAULTS.items()}
WARMUP_MESSAGE = next(f.default for f in dataclasses.fields(Fault) if f.name == "message")


class AdminAPI:
    """The admin endpoints of one NodeApp: its simulation, faults and journal."""

    def __init__(self, app: NodeApp) -> None:
        self.app = app

    @property
    def sim(self) -> Simulation:
        return self.app.simulation

    def playback(self) -> Playback:
        playback = self.sim.playback
        if playback is None:
            raise BadRequest("no scenario is loaded (POST /simnode/scenario/load loads one)")
        return playback


# ------------------------------------------------------------------------------ state
def state(api: AdminAPI, args: dict[str, Any]) -> dict[str, Any]:
    """The whole node as the live page shows it: the Python API's peers(), banned() and more."""
    sim = api.sim
    playback = sim.playback
    if playback is not None:
        playback.tick()
    snapshot = sim.node.snapshot()
    return {
        "now": snapshot.now_us / 1e6,
        "profile": sim.profile.name,
        "network_active": snapshot.network_active,
        "warmup": sim.warmup_message,
        "peers": sim.profile.getpeerinfo(snapshot),
        "banned": netviews.listbanned(sim.profile, snapshot),
        "added_nodes": list(snapshot.added_nodes),
        "listening": list(snapshot.listening),
        "totals": netviews.getnettotals(snapshot),
        "chain": {"height": snapshot.chain.height, "headers": snapshot.chain.headers},
        "mempool": {"size": snapshot.mempool.size, "bytes": snapshot.mempool.bytes},
        "scenario": None if playback is None else playback.status(),
        "faults": [_fault_json(fault) for fault in api.app.faults.all()],
    }


def events(api: AdminAPI, args: dict[str, Any]) -> Any:
    return _control(admin.apply_events, api, args["body"])


def _control(action: Any, api: AdminAPI, body: Any) -> Any:
    try:
        return action(api.sim, body)
    except admin.ControlError as error:
        raise BadRequest(str(error)) from None


def advance(api: AdminAPI, args: dict[str, Any]) -> dict[str, Any]:
    playback = api.sim.playback
    if playback is None:
        api.sim.node.apply(ev.AdvanceClock(args["seconds"]))
    else:  # the scenario's timeline moves with the clock, as LocalNode.advance does it
        playback.advance(args["seconds"])
    return {"now": api.sim.node.snapshot().now_us / 1e6}


def warmup(api: AdminAPI, args: dict[str, Any]) -> dict[str, Any]:
    api.sim.warmup_message = args["message"]
    return {"warmup": args["message"]}


# ------------------------------------------------------------------------------ faults, journal
def _fault_json(fault: Fault) -> dict[str, Any]:
    return {
        "name": _FAULT_NAMES[fault.kind],
        "method": fault.method,
        "times": fault.times,
        "fired": fault.fired,
        "seconds": fault.seconds,
        "message": fault.message,
        "description": fault.describe(),
    }


def faults_list(api: AdminAPI, args: dict[str, Any]) -> dict[str, Any]:
    return {"faults": [_fault_json(fault) for fault in api.app.faults.all()], "names": list(FAULTS)}


def faults_arm(api: AdminAPI, args: dict[str, Any]) -> dict[str, Any]:
    name = args["name"]
    extra: dict[str, Any] = {}
    if name == "latency":
        if args["seconds"] is None:
            raise BadRequest("POST /simnode/faults: 'latency' takes 'seconds' (the delay)")
        extra["seconds"] = args["seconds"]
    elif args["seconds"] is not None:
        raise BadRequest(f"POST /simnode/faults: 'seconds' is for latency, not {name!r}")
    if name == "warming_up":
        extra["message"] = args["message"] or WARMUP_MESSAGE
    elif args["message"] is not None:
        raise BadRequest(f"POST /simnode/faults: 'message' is for warming_up, not {name!r}")
    fault = api.app.faults.arm(Fault(FAULTS[name], args["method"], args["times"], **extra))
    return _fault_json(fault)


def faults_clear(api: AdminAPI, args: dict[str, Any]) -> dict[str, Any]:
    cleared = len(api.app.faults.all())
    api.app.faults.clear()
    return {"cleared": cleared}


def _call_json(call: Call) -> dict[str, Any]:
    return {
        "method": call.method,
        "params": call.params,
        "id": call.request_id,
        "user": call.user,
        "node_time": call.node_time,
        "status": call.status,
        "error_code": call.error_code,
        "fault": call.fault,
    }


def journal_read(api: AdminAPI, args: dict[str, Any]) -> dict[str, Any]:
    journal = api.app.journal
    params = args["params"]
    if params is not None and not isinstance(params, list | dict):
        raise BadRequest(
            "GET /simnode/journal: 'params' must be a JSON list (matched as a "
            "prefix) or object (matched as a subset)"
        )
    calls = journal.calls(args["method"], params)
    if args["since"] is not None:
        calls = [call for call in calls if call.node_time >= args["since"]]
    matched = len(calls)
    calls = calls[-args["limit"] :] if args["limit"] else []
    return {
        "calls": [_call_json(call) for call in calls],
        "matched": matched,
        "dropped": journal.dropped,
        "capacity": journal.capacity,
    }


def journal_clear(api: AdminAPI, args: dict[str, Any]) -> dict[str, Any]:
    cleared = len(api.app.journal.calls())
    api.app.journal.clear()
    return {"cleared": cleared}


# ------------------------------------------------------------------------------ peers, bans
def _apply(api: AdminAPI, event: ev.Event) -> int | None:
    try:
        return api.sim.node.apply(event)
    except EventError as error:
        raise BadRequest(str(error)) from None


def peers_add(api: AdminAPI, args: dict[str, Any]) -> dict[str, Any]:
    """LocalNode.add_peer: connect (and complete the handshake unless asked not to)."""
    node = api.sim.node
    addr = args["addr"] or seeded_draws(len(node.peer_ids()) + 7919).peer_address()
    version = args["version"] or {}
    try:
        handshake = ev.VersionReceived(0, **version)
    except TypeError as error:
        raise BadRequest(f"POST /simnode/peers/add: 'version': {error}") from None
    connect = ev.Connect(
        addr,
        args["inbound"],
        args["whitelisted"],
        args["manual"],
        pong_rtt_seconds=args["pong_rtt"],
        connection_type=args["connection_type"],
        v2transport=args["v2transport"],
        mapped_as=args["mapped_as"],
    )
    peer_id = _apply(api, connect)
    assert peer_id is not None
    if args["handshake"]:
        _apply(api, dataclasses.replace(handshake, peer_id=peer_id))
    return {"id": peer_id, "addr": addr}


def peers_populate(api: AdminAPI, args: dict[str, Any]) -> dict[str, Any]:
    options = api.sim.profile.populate_options(history_seconds=0)
    return {"ids": populate(api.sim.node, args["count"], args["seed"], options)}


def peers_disconnect(api: AdminAPI, args: dict[str, Any]) -> dict[str, Any]:
    _apply(api, ev.Disconnect(args["id"]))
    return {"id": args["id"], "connected": False}


def peers_misbehave(api: AdminAPI, args: dict[str, Any]) -> dict[str, Any]:
    _apply(api, ev.Misbehave(args["id"], args["score"], args["reason"]))
    return {"id": args["id"], "connected": api.sim.node.is_connected(args["id"])}


def peers_ping(api: AdminAPI, args: dict[str, Any]) -> dict[str, Any]:
    _apply(api, ev.PingSent(args["id"]))
    return {"pinged": args["id"]}


def peers_pong(api: AdminAPI, args: dict[str, Any]) -> dict[str, Any]:
    _apply(api, ev.PongReceived(args["id"], args["rtt"]))
    return {"id": args["id"]}


def peers_ban(api: AdminAPI, args: dict[str, Any]) -> dict[str, Any]:
    """Ban a connected peer's address (as the page's ban button): it is disconnected."""
    peer = next((p for p in api.sim.node.snapshot().peers if p.id == args["id"]), None)
    if peer is None:
        raise BadRequest(f"peer {args['id']} is not connected")
    return bans_add(
        api, {"address": peer.addr.rsplit(":", 1)[0].strip("[]"), "seconds": args["seconds"]}
    )


def bans_add(api: AdminAPI, args: dict[str, Any]) -> dict[str, Any]:
    _apply(api, ev.Ban(args["address"], bantime_seconds=args["seconds"]))
    return {"banned": netviews.listbanned(api.sim.profile, api.sim.node.snapshot())}


def bans_remove(api: AdminAPI, args: dict[str, Any]) -> dict[str, Any]:
    _apply(api, ev.Unban(args["address"]))
    return {"banned": netviews.listbanned(api.sim.profile, api.sim.node.snapshot())}


def listening_list(api: AdminAPI, args: dict[str, Any]) -> dict[str, Any]:
    return {"listening": list(api.sim.node.snapshot().listening)}


def listening_add(api: AdminAPI, args: dict[str, Any]) -> dict[str, Any]:
    """LocalNode.listen: a node on the fake network accepts connections at ``addr``."""
    identity = api.sim.profile.identity
    version = {
        "version": identity.protocol_version,
        "subver": identity.subversion,
        "services": identity.local_services,
    } | (args["version"] or {})
    try:
        event = ev.StartListening(args["addr"], **version)
    except TypeError as error:
        raise BadRequest(f"POST /simnode/listening/add: 'version': {error}") from None
    _apply(api, event)
    return listening_list(api, {})


def listening_remove(api: AdminAPI, args: dict[str, Any]) -> dict[str, Any]:
    _apply(api, ev.StopListening(args["addr"]))
    return listening_list(api, {})
