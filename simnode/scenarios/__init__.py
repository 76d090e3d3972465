"""Scripted scenarios: the file format, its loader and a runner in virtual time.

The names below are imported when first used: running a node (``simnode serve`` without
``--scenario``, the pytest fixture without one) needs the runner and playback modules, not the
file format and its parser, and starts without them."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simnode.scenarios import library
    from simnode.scenarios.runner import ScenarioRunner
    from simnode.scenarios.source import ScenarioError
    from simnode.scenarios.spec import Scenario, load_scenario, loads_scenario

__all__ = [
    "Scenario",
    "ScenarioError",
    "ScenarioRunner",
    "library",
    "load_scenario",
    "loads_scenario",
]
_MODULE_OF = {
    "Scenario": "simnode.scenarios.spec",
    "ScenarioError": "simnode.scenarios.source",
    "ScenarioRunner": "simnode.scenarios.runner",
    "library": "simnode.scenarios.library",
    "load_scenario": "simnode.scenarios.spec",
    "loads_scenario": "simnode.scenarios.spec",
}


def __getattr__(name: str) -> Any:
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(_MODULE_OF[name])
    value = module if name == "library" else getattr(module, name)
    globals()[name] = value
    return value
