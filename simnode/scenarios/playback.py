"""Real-time playback: a scenario's timeline followed on the wall clock, ``speed`` times faster,
optionally looping, for ``simnode serve --scenario`` and the admin API's scenario controls
(pause, resume, step, speed, seek)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simnode.model.clock import MICROS
from simnode.model.node import Node
from simnode.scenarios.actions import NodeEventAction, PeerAction, PeerEventAction, PeerSpec
from simnode.scenarios.codec import EVENT_TYPES, event_to_dict
from simnode.scenarios.durations import format_duration
from simnode.scenarios.runner import ScenarioRunner

if TYPE_CHECKING:
    from simnode.scenarios.spec import Scenario, Step

EVENT_NAMES = {cls: name for name, cls in EVENT_TYPES.items()}


class Playback:
    """Owns the running scenario. ``new_node`` starts it over (the Simulation's node factory);
    ``tick`` brings it up to the wall clock unless paused; ``ended`` says when the timeline is
    done.

    The position is ``base`` seconds into the scenario at wall time ``anchor``, moving at
    ``speed`` from there while playing: pausing, stepping, seeking and changing speed move the
    anchor, so the timeline never jumps when the rate changes."""

    def __init__(
        self,
        scenario: Scenario,
        speed: float = 1.0,
        loop: bool = False,
        monotonic: Callable[[], float] = time.monotonic,
        paused: bool = False,
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.scenario = scenario
        self.speed = speed
        self.loop = loop
        self.paused = paused
        self._monotonic = monotonic
        self._lock = threading.RLock()
        self.runner = ScenarioRunner(scenario)
        self._fresh = True  # the runner has not been handed out yet: new_node may take it
        self._anchor = monotonic()
        self._base = 0.0

    def new_node(self) -> Node:
        with self._lock:
            if not self._fresh:
                self.runner = ScenarioRunner(self.scenario)
            self._fresh = False
            self.runner.run_until(0)  # what happens at the very start has happened
            self._rebase()
            return self.runner.node

    def tick(self) -> None:
        """Play up to where the wall clock says the scenario is (nothing while paused)."""
        with self._lock:
            if self.paused:
                return
            # Past the end the clock runs on with the final state (pings, timeouts, expiries).
            self.runner.run_until(self._base + (self._monotonic() - self._anchor) * self.speed)

    @property
    def ended(self) -> bool:
        return self.runner.finished

    @property
    def offset_seconds(self) -> float:
        return self.runner.offset_seconds

    # ------------------------------------------------------------------ controls
    def pause(self) -> None:
        with self._lock:
            self.tick()
            self.paused = True
            self._rebase()

    def resume(self) -> None:
        with self._lock:
            self.paused = False
            self._rebase()

    def set_speed(self, speed: float) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        with self._lock:
            self.tick()
            self.speed = speed
            self._rebase()

    def step(self) -> Step | None:
        """Play to the next timeline step and apply it (every step due at that instant); None
        when no step is left."""
        with self._lock:
            self.tick()
            upcoming = self.upcoming(1)
            if not upcoming:
                return None
            self.runner.run_until(upcoming[0].at_us / MICROS)
            self._rebase()
            return upcoming[0]

    def seek_forward(self, offset_seconds: float) -> None:
        """Play to ``offset_seconds`` into the scenario (a later point: the model only moves
        forward; seeking back is starting over, ``new_node``, then seeking forward)."""
        with self._lock:
            self.runner.run_until(min(offset_seconds, self.scenario.end_seconds))
            self._rebase()

    def advance(self, seconds: float) -> None:
        """Move ``seconds`` further into the scenario at once, playing the steps on the way."""
        with self._lock:
            self.tick()
            self.runner.advance(seconds)
            self._rebase()

    def _rebase(self) -> None:
        self._anchor, self._base = self._monotonic(), self.runner.offset_seconds

    # ------------------------------------------------------------------ reading it
    def upcoming(self, count: int) -> list[Step]:
        """The next ``count`` timeline steps, not yet applied."""
        steps = self.scenario.steps
        first = self.runner.next_step_index
        return list(steps[first : first + count])

    def status(self, upcoming: int = 5) -> dict[str, Any]:
        """The playback as the admin API and the live page show it."""
        return {
            "name": self.scenario.name,
            "offset": round(self.offset_seconds, 3),
            "end": self.scenario.end_seconds,
            "paused": self.paused,
            "speed": self.speed,
            "loop": self.loop,
            "ended": self.ended,
            "steps_done": self.runner.next_step_index,
            "steps": len(self.scenario.steps),
            "next": [describe_step(step) for step in self.upcoming(upcoming)],
        }


def describe_step(step: Step) -> dict[str, Any]:
    """A timeline step for people: when, what, and where in the file it comes from."""
    return {
        "at": step.at_us / MICROS,
        "at_text": format_duration(step.at_us / MICROS),
        "action": _describe_action(step.action),
        "where": f"{Path(step.where.path).name}:{step.where.line}",
    }


def _describe_action(action: object) -> str:
    if isinstance(action, PeerAction):
        return f"{action.kind} {action.peer}"
    if isinstance(action, PeerEventAction):
        arguments = " ".join(f"{key}={value}" for key, value in action.arguments)
        return f"{EVENT_NAMES[action.make]} {action.peer} {arguments}".rstrip()
    if isinstance(action, NodeEventAction):
        fields = event_to_dict(action.event)
        name = fields.pop("type")
        return f"{name} " + " ".join(f"{key}={value}" for key, value in fields.items())
    if isinstance(action, PeerSpec):
        return f"connect {action.name}"
    return type(action).__name__
