"""Property-based testing tools: hypothesis strategies and the stateful harness."""

from __future__ import annotations

import importlib
import typing


def _hypothesis_setup_hook() -> None:
    """``st.from_type`` for the public model types, run by hypothesis's entry point whenever
    hypothesis is imported. The strategies resolve lazily: this runs while
    ``simnode.testing.strategies`` may itself be importing hypothesis, half initialised."""
    from hypothesis import strategies as st

    from simnode.model import events as ev
    from simnode.model.node import Node
    from simnode.model.peer import PeerSnapshot
    from simnode.model.state import NodeSnapshot

    def lazily(build: typing.Callable[[typing.Any], st.SearchStrategy]) -> st.SearchStrategy:
        return st.deferred(lambda: build(importlib.import_module("simnode.testing.strategies")))

    st.register_type_strategy(Node, lazily(lambda sn: sn.node_states()))
    st.register_type_strategy(
        NodeSnapshot, lazily(lambda sn: sn.node_states().map(lambda node: node.snapshot()))
    )
    st.register_type_strategy(PeerSnapshot, lazily(lambda sn: sn.snapshots()))
    for event_class in typing.get_args(ev.Event):
        st.register_type_strategy(
            event_class, lazily(lambda sn, cls=event_class: sn.event_strategies()[cls])
        )
