"""The JSON-RPC layer: error codes, the method table and its handlers, envelopes and batches."""

from simnode.rpc.control import CONTROL_METHODS
from simnode.rpc.methods import MethodTable
from simnode.rpc.net import NET_METHODS


def default_table() -> MethodTable:
    """Every RPC simnode answers."""
    return MethodTable([*NET_METHODS, *CONTROL_METHODS])


__all__ = ["MethodTable", "default_table"]
