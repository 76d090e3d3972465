"""Running a scenario: a node on a virtual clock, advanced through the timeline."""

from __future__ import annotations

from typing import TYPE_CHECKING

from simnode.model import events as ev
from simnode.model.clock import MICROS, VirtualClock
from simnode.model.fakepeers import populate
from simnode.model.node import Node
from simnode.model.state import EventError
from simnode.profiles import get_profile
from simnode.scenarios.actions import GeneratedPeers, PeerSpec
from simnode.scenarios.durations import format_duration
from simnode.scenarios.source import ScenarioError

if TYPE_CHECKING:
    from simnode.scenarios.spec import Scenario


class ScenarioRunner:
    """Plays ``scenario`` into a fresh node: ``advance(seconds)``, ``run_until(offset)``,
    ``run_to_end()``, all in virtual time measured from the scenario's start."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.profile = get_profile(scenario.profile)
        self.clock = VirtualClock(scenario.start_seconds)
        self.node = Node(self.clock, scenario.settings)
        self._start_us = self.clock.now_us()
        self._names: dict[str, int] = {}
        self._next_step = 0
        self._connect_initial_peers()

    # --- what actions use (simnode.scenarios.actions.Run)
    def peer_id(self, name: str) -> int:
        peer_id = self._names.get(name)
        if peer_id is None:
            raise EventError(f"peer {name!r} is not connected")
        if not self.node.is_connected(peer_id):
            raise EventError(f"peer {name!r} (id {peer_id}) is no longer connected")
        return peer_id

    def bind(self, name: str, peer_id: int) -> None:
        self._names[name] = peer_id

    def unbind(self, name: str) -> None:
        self._names.pop(name, None)

    @property
    def peer_names(self) -> dict[str, int]:
        """Names of the peers the scenario connected, with their ids (including departed ones)."""
        return dict(self._names)

    # --- time
    @property
    def offset_seconds(self) -> float:
        return (self.clock.now_us() - self._start_us) / MICROS

    @property
    def next_step_index(self) -> int:
        """How many timeline steps have been applied."""
        return self._next_step

    @property
    def finished(self) -> bool:
        return self._next_step >= len(self.scenario.steps) and (
            self.offset_seconds >= self.scenario.end_seconds
        )

    def advance(self, seconds: float) -> None:
        self.run_until(self.offset_seconds + seconds)

    def run_to_end(self) -> None:
        self.run_until(self.scenario.end_seconds)

    def run_until(self, offset_seconds: float) -> None:
        """Apply every step due by ``offset_seconds``, moving the clock to each step's time."""
        target_us = self._start_us + round(offset_seconds * MICROS)
        steps, node, clock = self.scenario.steps, self.node, self.clock
        while self._next_step < len(steps):
            step = steps[self._next_step]
            due_us = self._start_us + step.at_us
            if due_us > target_us:
                break
            if due_us > clock.now_us():
                node.apply(ev.AdvanceClock((due_us - clock.now_us()) / MICROS))
            self._next_step += 1
            try:
                step.action(self)
            except EventError as error:
                at = format_duration(step.at_us / MICROS)
                raise ScenarioError(step.where, f"at {at}: {error}") from None
        if target_us > clock.now_us():
            node.apply(ev.AdvanceClock((target_us - clock.now_us()) / MICROS))

    def _connect_initial_peers(self) -> None:
        for spec in self.scenario.peers:
            if isinstance(spec, PeerSpec):
                spec(self)
                continue
            assert isinstance(spec, GeneratedPeers)
            options = self.profile.populate_options(history_seconds=0, **dict(spec.overrides))
            ids = populate(self.node, spec.count, self.scenario.seed, options)
            for index, peer_id in enumerate(ids):
                self.bind(f"{spec.prefix}-{index}", peer_id)
