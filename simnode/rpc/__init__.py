"""The JSON-RPC layer: error codes, the method table and its handlers, envelopes and batches."""

from simnode.rpc.blockchain import BLOCKCHAIN_METHODS
from simnode.rpc.blockstats import BLOCKSTATS_METHODS
from simnode.rpc.control import CONTROL_METHODS
from simnode.rpc.methods import MethodTable
from simnode.rpc.mining import MINING_METHODS
from simnode.rpc.net import NET_METHODS
from simnode.rpc.rawtransaction import RAWTRANSACTION_METHODS


def default_table() -> MethodTable:
    """Every RPC simnode answers."""
    return MethodTable([*NET_METHODS, *BLOCKCHAIN_METHODS, *BLOCKSTATS_METHODS, *MINING_METHODS,
                        *CONTROL_METHODS, *RAWTRANSACTION_METHODS])  # fmt: skip


__all__ = ["MethodTable", "default_table"]
