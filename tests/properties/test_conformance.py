"""The validator: the spec page's example conforms; every way of breaking it is named."""

import copy
import json
import subprocess
import sys

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simnode.conformance.check import check_node, validate
from simnode.conformance.client import RPCClient
from simnode.local import LocalNode
from simnode.model import EventError
from simnode.profiles import get_profile
from simnode.profiles.schema import required_fields
from simnode.scenarios.codec import event_to_dict
from simnode.testing.strategies import event_sequences
from tests.helpers import json_values
from tests.specdata import spec_example_entry

SPEC = spec_example_entry()


def test_the_spec_example_conforms_to_pai_as_documented_and_to_its_own_release_strictly():
    assert validate([SPEC], "pai") == []
    assert validate([SPEC], "spec", "strict") == []
    assert validate([SPEC], "pai", "strict") == [
        "peer 3 (entry 0): addnode: missing (a field the node always sends)"
    ]


@pytest.mark.parametrize("name", required_fields(get_profile("pai"), "documented"))
def test_each_required_field_removed_is_named(name):
    entry = {k: v for k, v in SPEC.items() if k != name}
    problems = validate([entry], "pai")
    assert problems and any(f": {name}: missing" in p for p in problems), problems


WRONG_TYPES = {int: "12", float: "0.2", str: 12, bool: "true", list: {}, dict: []}


@pytest.mark.parametrize("name", sorted(SPEC))
def test_each_type_changed_is_named(name):
    entry = dict(SPEC)
    entry[name] = WRONG_TYPES[type(SPEC[name])]
    problems = validate([entry], "pai")
    assert problems and all(f": {name}" in p for p in problems), problems


def broken(change):
    entry = copy.deepcopy(SPEC)
    change(entry)
    return entry


INVARIANTS = {
    "bytessent_per_msg": lambda e: e.update(bytessent=e["bytessent"] + 1),
    "bytesrecv_per_msg": lambda e: e.update(bytesrecv=e["bytesrecv"] - 1),
    "minping": lambda e: e.update(minping=e["pingtime"] * 2),
    "lastsend": lambda e: e.update(lastsend=e["conntime"] - 5),
    "lastrecv": lambda e: e.update(lastrecv=e["conntime"] - 5),
    "services": lambda e: e.update(services="00000000000000XY"),
    "inflight": lambda e: e.update(inflight=list(range(17))),
    "pingtime": lambda e: e.update(pingtime=-0.5, minping=-0.5),
    "pingwait": lambda e: e.update(pingwait=0),
}


@pytest.mark.parametrize("name", sorted(INVARIANTS))
def test_each_invariant_broken_is_named(name):
    problems = validate([broken(INVARIANTS[name])], "pai")
    assert problems and any(f": {name}" in p for p in problems), problems


def test_map_keys_out_of_order_and_zero_entries_are_named():
    unsorted = broken(lambda e: e.update(bytesrecv_per_msg=dict(
        reversed(list(e["bytesrecv_per_msg"].items())))))  # fmt: skip
    assert any("bytesrecv_per_msg: keys are not in sorted order" in p
               for p in validate([unsorted], "pai"))  # fmt: skip
    zero = broken(lambda e: e["bytessent_per_msg"].update(tx=0))
    assert any("bytessent_per_msg" in p for p in validate([zero], "pai"))


def test_node_level_problems_are_named():
    twice = [SPEC, dict(SPEC)]
    assert any("id: ids are not unique" in p for p in validate(twice, "pai"))
    banned = [{"address": "192.0.2.0/24", "banned_until": 2, "ban_created": 1,
               "ban_reason": "manually added"}]  # fmt: skip
    assert any(": addr: 192.0.2.113:43132 is connected while 192.0.2.0/24 is banned" in p
               for p in validate([SPEC], "pai", banned=banned))  # fmt: skip
    scored = broken(lambda e: e.update(banscore=150))
    assert any(": banscore: 150 reached the threshold" in p for p in validate([scored], "pai"))


def test_strict_checks_key_order_and_lenient_allows_new_fields():
    swapped = dict(reversed(list(SPEC.items())))
    assert validate([swapped], "spec", "documented") == []
    assert any("comes after" in p for p in validate([swapped], "spec", "strict"))
    newer = {**SPEC, "network": "ipv4", "connection_type": "inbound"}
    assert validate([newer], "pai", "lenient") == []
    assert validate([newer], "pai") != []


# --- self-conformance: what simnode serves over HTTP always validates -------------------------
@pytest.fixture(scope="module")
def served():
    with LocalNode() as node:
        yield node


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(events=event_sequences(max_size=30))
def test_every_getpeerinfo_simnode_serves_validates(served, events):
    served.reset()
    with RPCClient(served.url, served.user, served.password) as client:
        for event in events:
            try:
                served.apply(event)
            except EventError:
                continue
            peers = client.call("getpeerinfo")
            banned = client.call("listbanned")
            assert validate(peers, "pai", "strict", banned) == [], event_to_dict(event)
        report = check_node(client.call, "pai", "strict")
        assert report.conforms, report.text()


# --- simnode check, as a command ---------------------------------------------------------------
def run_check(*args):
    return subprocess.run([sys.executable, "-m", "simnode.cli", "check", *args],
                          capture_output=True, text=True, timeout=60)  # fmt: skip


def test_check_against_a_serving_simnode_exits_0(served):
    served.reset()
    served.add_peers(5)
    served.advance(300)
    result = run_check("--url", served.url, "--user", served.user, "--password", served.password)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.rstrip().endswith("conforms")
    assert "getpeerinfo          ok (5 peers)" in result.stdout


def test_check_against_a_broken_server_exits_1_with_a_useful_report():
    def broken_node(environ, start_response):
        environ["wsgi.input"].read()
        body = (
            b'{"result":[{"id":0,"addr":"192.0.2.1:8567","services":13,"pingtime":0.5,'
            b'"bytessent":10,"bytessent_per_msg":{"ping":32}}],"error":null,"id":1}\n'
        )
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]

    from simnode.http.runner import ServedNode

    with ServedNode(broken_node) as server:
        result = run_check("--url", server.url, "--user", "u", "--password", "p")
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert "peer 0 (entry 0): services: 13 is not of type 'string'" in out
    assert "peer 0 (entry 0): minping: missing" not in out  # optional: not required
    assert "peer 0 (entry 0): subver: missing (a field the node always sends)" in out
    assert "peer 0: minping: pingtime and minping appear together" in out
    assert "getnetworkinfo: " in out  # every method answers a getpeerinfo body here
    assert out.rstrip().endswith("problem(s)")


entries = st.fixed_dictionaries({}, optional={k: json_values for k in SPEC})


@settings(max_examples=300, deadline=None)
@given(st.lists(entries | json_values, max_size=3), st.lists(json_values, max_size=2))
def test_the_validator_never_crashes_on_any_json(result, banned):
    problems = validate(result, "pai", "strict", banned)
    assert all(isinstance(p, str) for p in problems)


def test_rpc_discover_describes_every_method_and_its_schemas_validate_real_answers(served):
    served.reset()
    served.add_peers(3)
    with RPCClient(served.url, served.user, served.password) as client:
        document = client.call("rpc.discover")
        peers = client.call("getpeerinfo")
        banned = client.call("listbanned")
    assert document["openrpc"].startswith("1.")
    names = {m["name"] for m in document["methods"]}
    assert {"getpeerinfo", "setban", "addnode", "disconnectnode", "rpc.discover"} <= names
    setban = next(m for m in document["methods"] if m["name"] == "setban")
    assert [(p["name"], p["required"], p["schema"]["type"]) for p in setban["params"]] == [
        ("subnet", True, "string"), ("command", True, "string"), ("bantime", False, "integer"),
        ("absolute", False, "boolean")]  # fmt: skip
    by_name = {m["name"]: m["result"]["schema"] for m in document["methods"]}
    for method, answer in (("getpeerinfo", peers), ("listbanned", banned)):
        schema = {**by_name[method], "components": document["components"]}
        jsonschema.validate(answer, schema)
    bad = [dict(peers[0], services=13)]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, {**by_name["getpeerinfo"], "components": document["components"]})


def test_a_broken_node_reports_one_line_per_rule_with_a_count_and_an_example(served):
    """issue 14, defect 5: one bad field on every peer was one unsorted line per peer; the
    report groups by rule, counts, shows one example, sorts, and --json gives the same."""
    served.reset()
    served.add_peers(40)
    with RPCClient(served.url, served.user, served.password) as client:

        def broken(method, *params):
            result = client.call(method, *params)
            if method == "getpeerinfo":
                for peer in result:
                    peer["pingtime"] = "fast"
                    peer["inbound"] = 1
            return result

        report = check_node(broken, "pai", "strict")
    grouped = report.grouped()
    assert [count for _, count, _ in grouped][:2] == [40, 40]
    assert [count for _, count, _ in grouped] == sorted((c for _, c, _ in grouped), reverse=True)
    assert len(report.text().splitlines()) < 30
    assert "40 x pingtime: … is not of type …" in report.text()
    document = report.as_json()
    assert document["conforms"] is False
    assert document["problems"][0]["count"] == 40 and "peer" in document["problems"][0]["example"]


def test_check_json_output_and_exit_status(served):
    served.reset()
    done = run_check("--url", served.url, "--user", served.user, "--password", served.password,
                     "--json")  # fmt: skip
    document = json.loads(done.stdout)
    assert (done.returncode, document["conforms"], document["problems"]) == (0, True, [])
