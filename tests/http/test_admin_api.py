"""The admin API (issue 12, must-show 3): every endpoint over a real socket, what it does
(checked through RPC or the Python API, not through itself), and the bad bodies it refuses."""

from __future__ import annotations

import base64
import dataclasses
import inspect
import json
import urllib.error
import urllib.request

import jsonschema
import pytest

from simnode.http.admin_api import FAULTS
from simnode.http.admin_routes import ENDPOINTS
from simnode.local import FaultControl, LocalNode


@pytest.fixture(scope="module")
def served():
    with LocalNode(peers=3, seed=5) as node:
        yield node


@pytest.fixture
def node(served):
    served.reset()
    return served


def call(node, method, path, body=None, *, raw=None, auth=True):
    data = raw if raw is not None else None if body is None else json.dumps(body).encode()
    headers = {}
    if auth:
        token = base64.b64encode(f"{node.user}:{node.password}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    request = urllib.request.Request(node.url.rstrip("/") + path, data=data, method=method,
                                     headers=headers)  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            text = error.read()
        return error.code, json.loads(text) if text else None


def rpc(node, method, *params):
    return call(node, "POST", "/", {"id": 1, "method": method, "params": list(params)})[1]["result"]


def test_every_endpoint_is_behind_the_nodes_credentials(node):
    for endpoint in ENDPOINTS:
        assert call(node, endpoint.method, endpoint.path, auth=False)[0] == 401, endpoint.where


def test_the_openapi_document_is_the_route_table(node):
    status, document = call(node, "GET", "/simnode/openapi.json")
    assert status == 200 and document["openapi"] == "3.1.0"
    served = {(method.upper(), path) for path, item in document["paths"].items()
              for method in item}  # fmt: skip
    assert served == {(e.method, e.path) for e in ENDPOINTS}
    faults = document["paths"]["/simnode/faults"]["post"]["requestBody"]["content"]
    schema = faults["application/json"]["schema"]
    assert schema["additionalProperties"] is False and schema["required"] == ["name"]
    jsonschema.validate({"name": "latency", "seconds": 2}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"name": "latency", "secs": 2}, schema)


def test_the_fault_names_are_the_pytest_apis():
    public = {name for name, _ in inspect.getmembers(FaultControl, inspect.isfunction)
              if not name.startswith("_")} - {"clear", "pending"}  # fmt: skip
    assert set(FAULTS) == public
    for name in ("latency", "warming_up"):  # their parameters, by the same names
        extra = set(inspect.signature(getattr(FaultControl, name)).parameters) - {
            "self", "method", "times"}  # fmt: skip
        assert extra <= {"seconds", "message"}


def test_faults_arm_list_fire_and_clear(node):
    assert call(node, "POST", "/simnode/faults", {"name": "warming_up", "message": "Rewinding",
                                                  "method": "getblockcount"})[0] == 200  # fmt: skip
    status, listed = call(node, "POST", "/simnode/faults", {"name": "drop", "times": None})
    assert status == 200 and listed["times"] is None
    names = [fault["name"] for fault in call(node, "GET", "/simnode/faults")[1]["faults"]]
    assert names == ["warming_up", "drop"]
    assert [f.kind.value for f in node.app.faults.all()] == ["warmup", "drop"]
    assert call(node, "POST", "/simnode/faults/clear")[1] == {"cleared": 2}
    assert node.app.faults.all() == []
    call(node, "POST", "/simnode/faults", {"name": "warming_up", "message": "Rewinding"})
    status, reply = call(node, "POST", "/", {"id": 1, "method": "getblockcount", "params": []})
    assert reply["error"] == {"code": -28, "message": "Rewinding"}


def test_the_journal_filters_and_clears(node):
    rpc(node, "getpeerinfo")
    rpc(node, "getblockhash", 0)
    rpc(node, "getblockhash", 1)
    status, journal = call(node, "GET", "/simnode/journal?method=getblockhash&params=[1]")
    assert status == 200 and [c["params"] for c in journal["calls"]] == [[1]]
    assert journal["capacity"] == 10_000 and journal["dropped"] == 0
    last = call(node, "GET", "/simnode/journal?limit=1")[1]
    assert [c["method"] for c in last["calls"]] == ["getblockhash"] and last["matched"] == 3
    assert call(node, "POST", "/simnode/journal/clear")[1] == {"cleared": 3}
    assert node.journal.calls() == []


def test_scenarios_load_step_seek_speed_pause_resume(node):
    status, library = call(node, "GET", "/simnode/scenarios")
    assert "ban-storm" in [s["name"] for s in library["scenarios"]]
    status, loaded = call(node, "POST", "/simnode/scenario/load", {"name": "ban-storm"})
    assert status == 200 and loaded["paused"] is True and loaded["offset"] == 0
    stepped = call(node, "POST", "/simnode/scenario/step")[1]
    assert stepped["offset"] == 60 and stepped["steps_done"] == 1
    assert rpc(node, "getpeerinfo")[10]["banscore"] == 50  # attacker-1's first misbehaviour
    assert call(node, "POST", "/simnode/scenario/seek", {"offset": "11m"})[1]["offset"] == 660
    assert len(rpc(node, "listbanned")) == 5
    assert call(node, "POST", "/simnode/scenario/seek", {"offset": 0})[1]["steps_done"] == 0
    assert rpc(node, "listbanned") == []
    assert call(node, "POST", "/simnode/scenario/speed", {"speed": 30})[1]["speed"] == 30
    assert call(node, "POST", "/simnode/scenario/resume")[1]["paused"] is False
    assert call(node, "POST", "/simnode/scenario/pause")[1]["paused"] is True
    assert call(node, "GET", "/simnode/scenario?upcoming=1")[1]["next"][0]["at_text"] == "1m"


def test_a_posted_yaml_scenario_plays(node):
    document = ("name: posted\ndescription: one peer leaves\n"
                "peers:\n  - {name: a, addr: \"192.0.2.1:8567\"}\n"
                "timeline:\n  - at: 1m\n    disconnect: {peer: a}\nend: 2m\n")  # fmt: skip
    status, loaded = call(node, "POST", "/simnode/scenario/load", {"yaml": document})
    assert status == 200 and loaded["name"] == "posted"
    assert [p["addr"] for p in rpc(node, "getpeerinfo")] == ["192.0.2.1:8567"]
    call(node, "POST", "/simnode/advance", {"seconds": 61})
    assert rpc(node, "getpeerinfo") == []


def test_reset_to_a_config_and_as_at_start(node):
    status, reset = call(node, "POST", "/simnode/reset", {"profile": "bitcoin-28", "peers": 4})
    assert status == 200 and reset == {"profile": "core-28", "peers": 4}  # the canonical name
    assert rpc(node, "getnetworkinfo")["subversion"].startswith("/Satoshi:28")
    assert call(node, "POST", "/simnode/reset", {"scenario": "no-peers"})[1]["peers"] == 0
    assert call(node, "GET", "/simnode/scenario")[1]["name"] == "no-peers"
    assert call(node, "POST", "/simnode/reset", {})[1] == {"profile": "pai", "peers": 0}


@pytest.mark.parametrize(("start", "target"), [("pai", "core-0.20"), ("core-28", "core-31")])
def test_a_reset_to_another_release_brings_that_release_s_node(start, target):
    """A reset to another release took the old release's settings whenever the two knew the
    same message types: a core-0.20 node on PAI's chain, core-31 with 28's relay fee."""
    with LocalNode(profile=start) as node:
        call(node, "POST", "/simnode/reset", {"profile": target, "peers": 2})
        expected = node.profile.settings
        assert node.profile.name == target
        assert node.node.settings == dataclasses.replace(expected, seed=0)
        relay_fee = rpc(node, "getnetworkinfo")["relayfee"]
        assert relay_fee == expected.min_relay_fee / 1e8  # BTC/kvB from satoshis per kvB
        genesis = rpc(node, "getblockhash", 0)
        assert genesis == expected.chain.genesis_hash


def test_peers_bans_and_listening(node):
    status, added = call(node, "POST", "/simnode/peers/add",
                         {"addr": "198.51.100.9:8567", "version": {"subver": "/x:1/"}})  # fmt: skip
    peer = node.peer(added["id"])
    assert status == 200 and peer["subver"] == "/x:1/"
    assert call(node, "POST", "/simnode/peers/misbehave",
                {"id": added["id"], "score": 10})[1]["connected"]  # fmt: skip
    assert node.peer(added["id"])["banscore"] == 10
    call(node, "POST", "/simnode/peers/ping", {"id": added["id"]})
    assert "pingwait" in node.peer(added["id"])
    call(node, "POST", "/simnode/peers/pong", {"id": added["id"], "rtt": 0.25})
    assert node.peer(added["id"])["pingtime"] == 0.25
    ids = call(node, "POST", "/simnode/peers/populate", {"count": 2, "seed": 9})[1]["ids"]
    assert len(ids) == 2 and all(node.peer(i) for i in ids)
    call(node, "POST", "/simnode/peers/disconnect", {"id": ids[0]})
    assert node.peer(ids[0]) is None
    call(node, "POST", "/simnode/peers/ban", {"id": added["id"]})
    assert node.peer(added["id"]) is None
    assert [b["address"] for b in rpc(node, "listbanned")] == ["198.51.100.9/32"]
    call(node, "POST", "/simnode/bans/add", {"address": "203.0.113.0/24", "seconds": 60})
    call(node, "POST", "/simnode/bans/remove", {"address": "198.51.100.9"})
    assert [b["address"] for b in rpc(node, "listbanned")] == ["203.0.113.0/24"]
    call(node, "POST", "/simnode/listening/add", {"addr": "192.0.2.50:8567"})
    assert call(node, "GET", "/simnode/listening")[1] == {"listening": ["192.0.2.50:8567"]}
    rpc(node, "addnode", "192.0.2.50:8567", "onetry")
    assert "192.0.2.50:8567" in [p["addr"] for p in rpc(node, "getpeerinfo")]
    call(node, "POST", "/simnode/listening/remove", {"addr": "192.0.2.50:8567"})
    assert call(node, "GET", "/simnode/listening")[1] == {"listening": []}


def test_state_advance_warmup_and_events(node):
    before = call(node, "GET", "/simnode/state")[1]
    assert [p["id"] for p in before["peers"]] == [p["id"] for p in rpc(node, "getpeerinfo")]
    assert call(node, "POST", "/simnode/advance", {"seconds": 90})[1]["now"] == before["now"] + 90
    call(node, "POST", "/simnode/events", [{"type": "disconnect", "peer_id": 0}])
    assert node.peer(0) is None
    call(node, "POST", "/simnode/warmup", {"message": "Verifying blocks..."})
    assert node.simulation.warmup_message == "Verifying blocks..."
    assert call(node, "POST", "/simnode/state")[1]["warmup"] == "Verifying blocks..."


@pytest.mark.parametrize(("method", "path", "body", "named"), [
    ("POST", "/simnode/faults", {"name": "latency", "secs": 1}, "'secs'"),
    ("POST", "/simnode/faults", {"name": "lag"}, "'name' must be one of"),
    ("POST", "/simnode/faults", {"name": "latency"}, "'seconds'"),
    ("POST", "/simnode/faults", {"name": "drop", "times": 0}, "'times' must be an integer >= 1"),
    ("POST", "/simnode/faults", {"name": "drop", "times": "2"}, "not \"2\""),
    ("POST", "/simnode/faults", {"name": "drop", "message": "x"}, "'message' is for warming_up"),
    ("POST", "/simnode/faults", {"method": "x"}, "missing key 'name'"),
    ("POST", "/simnode/faults", [1], "takes a JSON object"),
    ("POST", "/simnode/faults/clear", {"all": True}, "'all'"),
    ("POST", "/simnode/reset", {"scenario": "nope"}, "unknown library scenario 'nope'"),
    ("POST", "/simnode/reset", {"profile": "pai-9"}, "'profile' must be one of"),
    ("POST", "/simnode/reset", {"peers": -1}, "'peers' must be an integer >= 0"),
    ("POST", "/simnode/reset", {"scenario": "no-peers", "peers": 2}, "give 'scenario' alone"),
    ("POST", "/simnode/advance", {"seconds": True}, "'seconds' must be a number"),
    ("POST", "/simnode/scenario/load", {}, "'name'"),
    ("POST", "/simnode/scenario/load", {"yaml": "name: x\nend: soon\n"}, "the posted scenario"),
    ("POST", "/simnode/scenario/step", None, "no scenario is loaded"),
    ("POST", "/simnode/scenario/speed", {"speed": 0}, "'speed' must be a number > 0"),
    ("POST", "/simnode/peers/disconnect", {"id": 99}, "99"),
    ("POST", "/simnode/peers/disconnect", {}, "missing key 'id'"),
    ("POST", "/simnode/peers/add", {"version": {"colour": 1}}, "'version'"),
    ("POST", "/simnode/bans/add", {"address": "not-an-ip"}, "not-an-ip"),
    ("GET", "/simnode/journal?limit=x", None, "'limit' must be an integer"),
    ("GET", "/simnode/journal?params=3", None, "'params' must be a JSON list"),
    ("GET", "/simnode/journal?methd=x", None, "'methd'"),
    ("POST", "/simnode/events", {"events": [{"type": "nope"}]}, "unknown event type 'nope'"),
])  # fmt: skip
def test_bad_bodies_are_400_naming_what_is_wrong_and_change_nothing(node, method, path, body,
                                                                     named):  # fmt: skip
    before = node.node
    status, reply = call(node, method, path, body)
    assert status == 400, reply
    assert named in reply["error"]
    assert node.node is before and node.app.faults.all() == []


def test_bad_json_unknown_endpoints_and_wrong_methods(node):
    assert call(node, "POST", "/simnode/faults", raw=b"{nope")[0] == 400
    assert call(node, "POST", "/simnode/faults", raw=b'{"name": NaN}')[0] == 400
    status, reply = call(node, "GET", "/simnode/fault")
    assert status == 404 and "/simnode/faults" in reply["endpoints"]
    status, reply = call(node, "GET", "/simnode/faults/clear")
    assert status == 405 and "use POST" in reply["error"]
