"""simnode: a fake PAI Core / Bitcoin Core node whose peer table you control."""

from typing import Any

__version__ = "0.1.0"
__all__ = ["LocalNode", "__version__"]


def __getattr__(name: str) -> Any:
    """``simnode.LocalNode`` without importing the whole node on ``import simnode``."""
    if name == "LocalNode":
        from simnode.local import LocalNode

        return LocalNode
    raise AttributeError(f"module 'simnode' has no attribute {name!r}")
