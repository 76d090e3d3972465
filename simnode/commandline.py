"""What every simnode command shares: argparse with the conventions users expect, the one-line
error, and loading a scenario so that a bad one fails before anything starts."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any, NoReturn

from simnode import scenarios
from simnode.scenarios.source import ScenarioError

if TYPE_CHECKING:
    from simnode.scenarios.spec import Scenario


class CLIError(Exception):
    """A problem to report in one line, with a non-zero exit."""


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows an option's default when it has a meaningful one (not None, not off)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default in (None, False, argparse.SUPPRESS) or action.default == []:
            return action.help
        return super()._get_help_string(action)


class Parser(argparse.ArgumentParser):
    """argparse with the conventions users expect: every default shown in --help, and a bad
    option answered in one line that names it (not the whole usage)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def load_scenario_checked(name_or_path: str) -> Scenario:
    try:
        scenario = scenarios.library.load(name_or_path)
        scenarios.ScenarioRunner(scenario).run_to_end()  # fail now, not in the middle of serving
    except ScenarioError as error:
        raise CLIError(str(error)) from None
    return scenario
