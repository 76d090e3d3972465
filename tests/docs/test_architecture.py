"""The layers of docs/architecture.md hold: no module imports from a layer above its own."""

import ast
from pathlib import Path

from importlinter.cli import lint_imports

from simnode.local import LocalNode
from simnode.profiles import get_profile
from tests.helpers import service_proxy

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def test_each_layer_imports_only_the_layers_below_it(capsys):
    exit_code = lint_imports(config_filename=str(PYPROJECT), no_cache=True)
    assert exit_code == 0, capsys.readouterr().out


SIMNODE = PYPROJECT.parent / "simnode"


def test_no_module_generates_code():
    """issue 13: the peer encoder was generated as source and run with ``exec``; everything is
    now derived from the tables as plain objects."""
    calls = [
        f"{path.relative_to(SIMNODE.parent)}:{node.lineno} {node.func.id}"
        for path in SIMNODE.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("exec", "eval", "compile")
    ]
    assert calls == []


def test_served_nodes_share_no_rendering_state():
    """issue 13: render caches hung on the process-wide profile objects. A profile is now
    read-only; each served node renders through its own tables."""
    profile = get_profile("pai")
    before = {name: id(value) for name, value in vars(profile).items()}
    with LocalNode(peers=3, seed=1) as first, LocalNode(peers=5, seed=2) as second:
        answers = []
        for node in (first, second):
            with service_proxy(node.rpc_url) as proxy:
                answers.append(proxy.getpeerinfo())
        assert first.simulation.answers.peer_table is not second.simulation.answers.peer_table
    assert [len(answer) for answer in answers] == [3, 5]
    assert {name: id(value) for name, value in vars(profile).items()} == before
