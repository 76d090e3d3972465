"""The pytest plugin (registered through the ``pytest11`` entry point): a fake node in any
project's tests, with no set-up.

Fixtures: ``simnode`` (a fresh node per test, served by one server per session),
``simnode_server`` (that server), ``simnode_factory`` (more independent nodes),
``simnode_config`` and ``simnode_host`` (override them in a conftest). Marker:
``@pytest.mark.simnode(scenario=..., profile=..., seed=..., peers=..., auth="cookie",
strict=True)``. Options: ``--simnode-profile`` etc. and the same names in the ini file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import fields, replace
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from simnode.local import LocalNode, NodeConfig

# option name -> (type, help); defaults come from NodeConfig
_OPTIONS = {
    "profile": (str, "release the node speaks as (pai, bitcoin-0.13)"),
    "peers": (int, "peers a fresh node starts with"),
    "seed": (int, "seed for generated peers"),
    "auth": (str, "password or cookie"),
    "scenario": (str, "a library scenario name or a scenario file"),
}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("simnode", "simnode fake node")
    for name, (_, help_text) in _OPTIONS.items():
        group.addoption(f"--simnode-{name}", dest=f"simnode_{name}", default=None, help=help_text)
        parser.addini(f"simnode_{name}", help_text, default=None)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "simnode(scenario=None, profile=None, seed=None, peers=None, auth=None, strict=True): "
        "how the simnode fixture's node starts for this test",
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """A failing test's report shows what its client asked the node."""
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        for name, node in _nodes_of(item):
            report.sections.append((f"simnode call journal ({name})", node.journal.summary()))


def _nodes_of(item: pytest.Item) -> list[tuple[str, LocalNode]]:
    funcargs = getattr(item, "funcargs", {})
    found = []
    if "simnode" in funcargs:
        found.append(("simnode", funcargs["simnode"]))
    for index, node in enumerate(getattr(item, "_simnode_factory_nodes", [])):
        found.append((f"simnode_factory #{index}", node))
    return found


@pytest.fixture(scope="session")
def simnode_host() -> str:
    """The address the simnode server listens on; override to serve elsewhere."""
    return "127.0.0.1"


@pytest.fixture(scope="session")
def simnode_defaults(pytestconfig: pytest.Config) -> NodeConfig:
    """The node configuration from command-line options, then the ini file, then defaults."""
    from simnode.local import NodeConfig

    values: dict[str, Any] = {}
    for name, (kind, _) in _OPTIONS.items():
        raw = pytestconfig.getoption(f"simnode_{name}") or pytestconfig.getini(f"simnode_{name}")
        if raw not in (None, ""):
            values[name] = kind(raw)
    return NodeConfig(**values)


@pytest.fixture
def simnode_config(simnode_defaults: NodeConfig, request: pytest.FixtureRequest) -> NodeConfig:
    """This test's node configuration: the defaults with the ``simnode`` marker's keywords."""
    marker = request.node.get_closest_marker("simnode")
    if marker is not None and marker.args:
        pytest.fail(f"simnode marker takes keywords only (peers=3, scenario='...'), not "
                    f"{', '.join(map(repr, marker.args))}", pytrace=False)  # fmt: skip
    keywords = dict(marker.kwargs) if marker else {}
    keywords.pop("strict", None)  # read at teardown
    names = [f.name for f in fields(simnode_defaults)]
    unknown = sorted(set(keywords) - set(names))
    if unknown:
        pytest.fail(f"unknown simnode marker keyword(s): {', '.join(unknown)} (known: "
                    f"{', '.join(names)}, strict)", pytrace=False)  # fmt: skip
    try:
        return replace(simnode_defaults, **keywords)
    except ValueError as error:  # NodeConfig's checks: bad peers, unknown profile, ...
        pytest.fail(f"simnode marker: {error}", pytrace=False)


@pytest.fixture(scope="session")
def simnode_server(
    simnode_host: str, simnode_defaults: NodeConfig, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalNode]:
    """One server for the whole session (one per xdist worker); tests reconfigure its node."""
    from simnode.local import LocalNode

    node = LocalNode(simnode_defaults, datadir=tmp_path_factory.mktemp("simnode"),
                     host=simnode_host)  # fmt: skip
    node.start()
    yield node
    node.stop()


@pytest.fixture
def simnode(
    simnode_server: LocalNode, simnode_config: NodeConfig, request: pytest.FixtureRequest
) -> Iterator[LocalNode]:
    """A node with fresh state for this test, on the session's server."""
    try:
        simnode_server.configure(simnode_config)
    except ValueError as error:  # a scenario that does not load, ...: this test's error only
        pytest.fail(f"simnode marker: {error}", pytrace=False)
    yield simnode_server
    _raise_problems(simnode_server, request)


@pytest.fixture
def simnode_factory(
    simnode_host: str, simnode_config: NodeConfig, request: pytest.FixtureRequest
) -> Iterator[Callable[..., LocalNode]]:
    """Makes independent nodes, each on its own server: ``a = simnode_factory(peers=3)``."""
    from simnode.local import LocalNode

    made: list[LocalNode] = []
    request.node._simnode_factory_nodes = made

    def make(**config_keywords: Any) -> LocalNode:
        node = LocalNode(replace(simnode_config, **config_keywords), host=simnode_host).start()
        made.append(node)
        return node

    yield make
    try:
        for node in made:
            _raise_problems(node, request)
    finally:
        for node in made:
            node.stop()


def _raise_problems(node: LocalNode, request: pytest.FixtureRequest) -> None:
    """What the node noticed and the test should hear of: faults armed for calls that never
    came, and calls to methods the node does not have. ``strict=False`` in the marker mutes it."""
    marker = request.node.get_closest_marker("simnode")
    if marker is not None and not marker.kwargs.get("strict", True):
        return
    problems = [f"a fault was armed but not (fully) triggered: {f.describe()}"
                for f in node.faults.pending()]  # fmt: skip
    problems += [f"the client called a method the node does not have: {call.line()}"
                 for call in node.journal.calls() if call.error_code == -32601]  # fmt: skip
    if problems:
        pytest.fail("simnode: " + "\n".join(problems) + "\n" + node.journal.summary(),
                    pytrace=False)  # fmt: skip
