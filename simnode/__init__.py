"""simnode: a fake PAI Core / Bitcoin Core node whose peer table you control."""

__version__ = "0.1.0"
