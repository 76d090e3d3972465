"""The node being served, and what can replace it: a reset gives a fresh node, same settings."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from simnode.model.node import Node
from simnode.profiles.profile import Profile
from simnode.rpc.answers import AnswerCache
from simnode.rpc.plans import ReplyPlans
from simnode.scenarios.playback import Playback
from simnode.scenarios.recipe import NodeRecipe, RecipeNodes


@dataclass(frozen=True, slots=True)
class Served:
    """The node, the release it is rendered as and its answer caches: swapped together on a
    reset, so a request never pairs one node's caches with another's node or release."""

    node: Node
    profile: Profile
    answers: AnswerCache
    plans: ReplyPlans = field(default_factory=ReplyPlans)  # replies to bodies sent again


class Simulation:
    """Holds the current node and the profile it is rendered with; ``reset`` swaps in a new node.

    ``make_node`` builds the node (clock, settings, initial peers), so a reset reproduces start-up.
    """

    def __init__(self, make_node: Callable[[], Node], profile: Profile) -> None:
        self._make_node = make_node
        self._lock = threading.Lock()
        self.served = Served(make_node(), profile, AnswerCache(profile))
        self.warmup_message: str | None = None  # set: every RPC answers -28 with it
        self.stopping = False  # set by the stop RPC: the server refuses requests from then on

    def stop(self) -> None:
        """The ``stop`` RPC: refuse requests from now on (until a reset)."""
        self.stopping = True

    @property
    def node(self) -> Node:
        return self.served.node

    @property
    def profile(self) -> Profile:
        return self.served.profile

    @property
    def answers(self) -> AnswerCache:
        return self.served.answers

    @property
    def playback(self) -> Playback | None:
        """The scenario being played, when the node is one's (its factory is a Playback's)."""
        owner = getattr(self._make_node, "__self__", None)
        return owner if isinstance(owner, Playback) else None

    @property
    def recipe(self) -> NodeRecipe | None:
        """The generated node's description, when the node is one (its factory a recipe's)."""
        owner = getattr(self._make_node, "__self__", None)
        return owner.recipe if isinstance(owner, RecipeNodes) else None

    def reset(
        self, make_node: Callable[[], Node] | None = None, profile: Profile | None = None
    ) -> Node:
        """A fresh node from ``make_node`` (or the last factory), rendered as ``profile``."""
        with self._lock:
            make_node = make_node or self._make_node
            node = make_node()  # first: if it raises, nothing has changed
            profile = profile or self.profile
            self._make_node = make_node
            self.served = Served(node, profile, AnswerCache(profile, self.served.answers))
            self.warmup_message = None
            self.stopping = False
            return node
