"""The built-in default scenario: a node of one release with generated peers. One description of
it serves ``simnode serve``, ``LocalNode`` (so the pytest plugin) and the admin API's reset, so
the three build the same node from the same profile, peer count and seed."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace

from simnode.model.clock import DEFAULT_EPOCH_SECONDS, Clock, VirtualClock, WallClock
from simnode.model.fakepeers import populate
from simnode.model.node import Node
from simnode.model.state import NodeSettings
from simnode.profiles.profile import Profile


@dataclass(frozen=True, eq=False)
class NodeRecipe:
    """What a fresh node looks like.

    The clock is virtual (it moves only when told) unless ``speed`` is given, then it follows
    the wall clock at that speed. A virtual clock starts at ``start_seconds`` (default: a fixed
    epoch, so a seed gives byte-identical answers), or so that it reads ``mocktime`` once the
    generated history is played (the node's -mocktime); a wall clock at ``start_seconds`` or,
    by default, at the wall clock's now less the generated peers' history, so a served node
    reads the real time once its history is played (issue 14, defect 1).

    ``adjust`` is what the server's own options make of a release's settings (``simnode
    serve``'s --banscore, --bantime, a block every target spacing); it is applied to whichever
    release the recipe has, so a reset to another release keeps them.
    """

    profile: Profile
    peers: int = 0
    seed: int = 0
    settings: NodeSettings | None = None  # default: the profile's
    start_seconds: float | None = None
    speed: float | None = None
    mocktime: float | None = None
    adjust: Callable[[NodeSettings], NodeSettings] | None = None

    @property
    def history_seconds(self) -> float:
        """How far building moves the clock: the generated peers' lived-in history."""
        return self.profile.populate_options().history_seconds if self.peers else 0.0

    def build(self) -> Node:
        settings = self.settings or self.profile.settings
        if self.adjust is not None:
            settings = self.adjust(settings)
        node = Node(self._clock(), replace(settings, seed=self.seed))
        populate(node, self.peers, self.seed, self.profile.populate_options())
        return node

    def _clock(self) -> Clock:
        if self.speed is not None:
            return WallClock(self.speed, self.start_seconds, behind_seconds=self.history_seconds)
        if self.mocktime is not None:
            return VirtualClock(self.mocktime - self.history_seconds)
        return VirtualClock(DEFAULT_EPOCH_SECONDS if self.start_seconds is None
                            else self.start_seconds)  # fmt: skip


class RecipeNodes:
    """A Simulation's node factory for a recipe: on a virtual clock the node is built once and
    cloned after (a reset costs a copy of the state, not a rebuild), on a wall clock built anew."""

    def __init__(self, recipe: NodeRecipe) -> None:
        self.recipe = recipe
        self._template: Node | None = None
        self._lock = threading.Lock()

    def new_node(self) -> Node:
        if self.recipe.speed is not None:  # a wall clock cannot be cloned
            return self.recipe.build()
        with self._lock:
            if self._template is None:
                self._template = self.recipe.build()
        return self._template.clone()
