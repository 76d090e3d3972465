"""Every public name a user writes keeps working through the redesign (issue 13)."""

import subprocess
import sys

import pytest

import simnode
from simnode import strategies
from simnode.conformance import check_node, validate
from simnode.testing.stateful import SimnodeMachine

PUBLIC_STRATEGIES = (
    "events", "event_sequences", "event_strategies", "getpeerinfo_results", "host_port",
    "message_types", "node_states", "peer_addresses", "peer_entries", "scenario_files",
    "snapshots",
)  # fmt: skip
FIXTURES = ("simnode", "simnode_factory", "simnode_server", "simnode_config", "simnode_defaults",
            "simnode_host")  # fmt: skip


def test_the_package_names_what_users_import():
    from simnode.local import LocalNode

    assert simnode.LocalNode is LocalNode
    assert isinstance(simnode.__version__, str)
    assert callable(validate) and callable(check_node) and SimnodeMachine.__name__
    with pytest.raises(AttributeError, match="no attribute 'nosuch'"):
        simnode.nosuch  # noqa: B018


@pytest.mark.parametrize("name", PUBLIC_STRATEGIES)
def test_each_strategy_keeps_its_public_name(name):
    assert name in strategies.__all__
    assert callable(getattr(strategies, name))


def test_the_strategies_import_first_in_a_fresh_interpreter():
    """hypothesis's entry point runs while simnode.strategies imports hypothesis: it must not
    need the half-imported module (it did, and `from simnode import strategies` as a program's
    first import failed with a circular-import AttributeError)."""
    code = ("from simnode import strategies as sn\nfrom hypothesis import strategies as st\n"
            "from simnode.model import Node\n"
            "print(type(st.from_type(Node).example()).__name__, len(sn.__all__))")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["Node", str(len(strategies.__all__))]


def test_the_fixtures_and_marker_are_registered(pytestconfig):
    plugin = pytestconfig.pluginmanager.get_plugin("simnode")
    assert plugin is not None
    for fixture in FIXTURES:
        assert callable(getattr(plugin, fixture)), fixture
    markers = pytestconfig.getini("markers")
    assert any(line.startswith("simnode(") for line in markers), markers


def test_the_command_line_entry_point_is_installed():
    from importlib.metadata import entry_points

    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "simnode"]
    assert script.value == "simnode.cli:main"
    (plugin,) = [e for e in entry_points(group="pytest11") if e.name == "simnode"]
    assert plugin.value == "simnode.pytest_plugin"
