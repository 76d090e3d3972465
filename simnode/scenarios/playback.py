"""Real-time playback: a scenario's timeline followed on the wall clock, ``speed`` times faster,
optionally looping, for ``simnode serve --scenario``."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from simnode.model.node import Node
from simnode.scenarios.runner import ScenarioRunner
from simnode.scenarios.spec import Scenario


class Playback:
    """Owns the running scenario. ``new_node`` starts it over (the Simulation's node factory);
    ``tick`` brings it up to the wall clock; ``ended`` says when the timeline is done."""

    def __init__(
        self,
        scenario: Scenario,
        speed: float = 1.0,
        loop: bool = False,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.scenario = scenario
        self.speed = speed
        self.loop = loop
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self.runner = ScenarioRunner(scenario)
        self._started = monotonic()

    def new_node(self) -> Node:
        with self._lock:
            self.runner = ScenarioRunner(self.scenario)
            self._started = self._monotonic()
            return self.runner.node

    def tick(self) -> None:
        with self._lock:
            offset = (self._monotonic() - self._started) * self.speed
            self.runner.run_until(min(offset, self.scenario.end_seconds))

    @property
    def ended(self) -> bool:
        return self.runner.finished
