"""Issue 11, must-show 1: for every profile, golden getpeerinfo, getnetworkinfo and
getblockchaininfo of the same scenario (fixtures/profiles/, written by
``python -m simnode.scenarios.goldens``), each valid against its own profile's schema and
invalid against a neighbouring release's wherever the two shapes differ."""

import itertools
import json
from pathlib import Path

import jsonschema
import pytest

from simnode.profiles import PROFILES
from simnode.profiles.netviews import result_schemas
from simnode.profiles.schema import getpeerinfo_schema
from simnode.scenarios.goldens import PROFILE_CALLS, golden_lines

GOLDENS = Path(__file__).resolve().parents[2] / "fixtures" / "profiles"
NAMES = list(PROFILES)  # pai, then Bitcoin Core oldest to newest
NEIGHBOURS = list(itertools.pairwise(NAMES[1:]))
NEIGHBOURS += [(b, a) for a, b in NEIGHBOURS] + [("pai", "core-0.15"), ("core-0.15", "pai")]


def golden(profile: str) -> dict:
    lines = (GOLDENS / f"{profile}.jsonl").read_text().splitlines()
    return {entry["method"]: entry["result"] for entry in map(json.loads, lines)}


def schemas(profile: str) -> dict:
    """The schemas a client would check these answers with: getpeerinfo at the strict level
    (every key the node sends, no other), getnetworkinfo from the net views."""
    return {
        "getpeerinfo": getpeerinfo_schema(PROFILES[profile], "strict"),
        "getnetworkinfo": result_schemas(PROFILES[profile])["getnetworkinfo"],
    }


def valid(schema: dict, answer) -> bool:
    return not list(jsonschema.Draft202012Validator(schema).iter_errors(answer))


@pytest.mark.parametrize("profile", NAMES)
def test_profile_goldens_are_current(profile):
    assert golden_lines(profile, PROFILE_CALLS) == (GOLDENS / f"{profile}.jsonl").read_text(), (
        "regenerate with: python -m simnode.scenarios.goldens"
    )


@pytest.mark.parametrize("profile", NAMES)
def test_goldens_hold_the_three_answers_and_fit_their_schemas(profile):
    answers = golden(profile)
    assert set(answers) == set(PROFILE_CALLS)
    assert answers["getpeerinfo"], "the scenario has peers, so every field is exercised"
    for method, schema in schemas(profile).items():
        assert valid(schema, answers[method]), method


def shown(schema: dict, method: str, answer) -> dict:
    """What of a schema an answer can tell apart: for getpeerinfo, the peer properties that are
    required or carried by some peer of the answer (an optional field no peer shows, such as
    mapped_as without an asmap, is the same absence in either release)."""
    if method != "getpeerinfo":
        return {"properties": schema["properties"], "required": schema.get("required")}
    peer = schema["$defs"]["peer"]
    carried = {key for entry in answer for key in entry} | set(peer["required"])
    properties = {k: v for k, v in peer["properties"].items() if k in carried}
    return {"properties": properties, "required": peer["required"]}


@pytest.mark.parametrize(("profile", "neighbour"), NEIGHBOURS)
def test_goldens_fail_a_neighbours_schema_where_the_shapes_differ(profile, neighbour):
    answers, own, theirs = golden(profile), schemas(profile), schemas(neighbour)
    for method in own:
        answer = answers[method]
        if shown(own[method], method, answer) == shown(theirs[method], method, answer):
            assert valid(theirs[method], answers[method])  # same shape: nothing to tell apart
        else:
            assert not valid(theirs[method], answers[method]), (method, profile, neighbour)


def test_neighbours_differ_where_the_field_table_says():
    """Sanity of the pairs above: consecutive releases whose getpeerinfo keys differ."""
    keys = {name: PROFILES[name].field_names for name in NAMES}
    assert keys["core-0.21"] != keys["core-22"]
    assert "startingheight" in keys["core-30"] and "startingheight" not in keys["core-31"]
    assert keys["core-29"] == keys["core-30"]
