"""The node's limits and intervals, each written once, with the source it follows."""

from __future__ import annotations

MAX_BLOCKS_IN_TRANSIT_PER_PEER = 16  # src/validation.h @ PAI 3.0.0
SKIP_PING_CYCLES_FROM = 16  # a clock jump over more cycles than this applies them at once
# ThreadOpenAddedConnections (src/net.cpp @ PAI 3.0.0): after a round that tried a connection
# it sleeps 60 s, otherwise 2 s.
ADDED_NODE_RETRY_SECONDS = 60
ADDED_NODE_POLL_SECONDS = 2
LATEST_US = 2**63 - 1  # the node keeps microseconds in an int64 (GetTimeMicros)
# Bounds on one event's work (a scenario or control-plane request cannot make the node build
# a million blocks in one step).
MAX_BLOCKS_PER_EVENT = 1000
MAX_REORG_DEPTH = 1000
MAX_TRANSACTIONS_PER_EVENT = 100_000
