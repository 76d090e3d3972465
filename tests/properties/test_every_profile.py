"""Issue 11, must-show 5: the strategies, the schemas, ``simnode check`` and the stateful harness
work for every profile; generated peers carry the user agents and protocol versions of the
release's era. Modest example counts: the suite stays quick with 17 profiles."""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import run_state_machine_as_test

from simnode.conformance.check import check_node, validate
from simnode.conformance.client import RPCClient
from simnode.local import LocalNode
from simnode.profiles import PROFILES
from simnode.testing import strategies as sn
from simnode.testing.stateful import SimnodeMachine

NAMES = list(PROFILES)
FEW = settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("profile", NAMES)
def test_strategies_draw_results_that_fit_the_strict_schema(profile):
    @FEW
    @given(sn.getpeerinfo_results(profile=profile), st.data())
    def draw(result, data):
        assert validate(result, profile, "strict") == []

    draw()


@pytest.mark.parametrize("profile", NAMES)
def test_simnode_check_passes_a_served_node_of_each_release(profile):
    with LocalNode(profile=profile, peers=6, seed=2) as node:
        node.advance(300)
        with RPCClient(node.url, node.user, node.password) as client:
            report = check_node(client.call, profile, "strict")
    assert report.conforms, report.text()


@pytest.mark.parametrize("profile", ["pai", "core-0.13", "core-0.21", "core-22", "core-31"])
def test_the_stateful_harness_runs_as_each_release(profile):
    class Machine(SimnodeMachine):
        pass

    Machine.profile = profile
    run_state_machine_as_test(
        Machine, settings=settings(max_examples=2, stateful_step_count=5, deadline=None)
    )


def _release(agent: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.fullmatch(r"/Satoshi:([\d.]+)/", agent).group(1).split("."))


@pytest.mark.parametrize("profile", [n for n in NAMES if n.startswith("core-")])
def test_generated_peers_are_of_the_releases_era(profile):
    with LocalNode(peers=20, seed=4, profile=profile) as node:
        peers, identity = node.peers(), node.profile.identity
    own = identity.client_version
    releases = {_release(peer["subver"]) for peer in peers}
    assert all(release <= own for release in releases), releases
    series = 2 if own[0] == 0 else 1  # 0.21.x, but 22.x
    assert any(release[:series] == own[:series] for release in releases)  # its series is met
    versions = {peer["version"] for peer in peers}
    assert versions <= {identity.protocol_version - n for n in range(3)}
