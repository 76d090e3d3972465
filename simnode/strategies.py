"""The public name of simnode's hypothesis strategies (``from simnode import strategies as sn``);
they live in ``simnode.testing.strategies`` beside the stateful harness."""

from simnode.testing.strategies import *  # noqa: F403
from simnode.testing.strategies import __all__  # noqa: F401
