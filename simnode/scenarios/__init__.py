"""Scripted scenarios: the file format, its loader and a runner in virtual time."""

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
