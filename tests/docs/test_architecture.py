"""The layers of docs/architecture.md hold: no module imports from a layer above its own."""

from pathlib import Path

from importlinter.cli import lint_imports

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def test_each_layer_imports_only_the_layers_below_it(capsys):
    exit_code = lint_imports(config_filename=str(PYPROJECT), no_cache=True)
    assert exit_code == 0, capsys.readouterr().out
