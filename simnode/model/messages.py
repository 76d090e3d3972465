"""The P2P messages the model counts: the types each release knows, and their sizes."""

from __future__ import annotations

# src/protocol.cpp @ PAI 3.0.0: allNetMessageTypes. Received messages of any other type are
# counted under "*other*" (NET_MESSAGE_COMMAND_OTHER, src/net.cpp:CNode::ReceiveMsgBytes).
PAI_MESSAGE_TYPES = frozenset(
    (
        *("version", "verack", "addr", "inv", "getdata", "merkleblock", "getblocks"),
        *("getheaders", "tx", "headers", "block", "getaddr", "mempool", "ping", "pong"),
        *("notfound", "filterload", "filteradd", "filterclear", "reject", "sendheaders"),
        *("feefilter", "sendcmpct", "cmpctblock", "getblocktxn", "blocktxn"),
    )
)
# Bitcoin Core 25-31 (src/protocol.cpp): 0.20 dropped reject; 0.21 added BIP155/157/339 types;
# 25 added sendtxrcncl.
MODERN_MESSAGE_TYPES = (PAI_MESSAGE_TYPES - {"reject"}) | frozenset(
    ("addrv2", "sendaddrv2", "getcfilters", "cfilter", "getcfheaders", "cfheaders",
     "getcfcheckpt", "cfcheckpt", "wtxidrelay", "sendtxrcncl")
)  # fmt: skip
OTHER_MESSAGE_TYPE = "*other*"
PING_BYTES = 32  # 24-byte header + 8-byte nonce (asserted by test/functional/net.py @ PAI 3.0.0)
BIP31_VERSION = 60000  # peers at or below it get nonce-less pings and are never timed
MESSAGE_HEADER_BYTES = 24


def version_message_size(subver: str) -> int:
    """Bytes of a ``version`` message: header, 80 fixed bytes, varstr subver, height, relay flag."""
    length = len(subver.encode())
    return MESSAGE_HEADER_BYTES + 80 + compact_size_bytes(length) + length + 4 + 1


# CAddress as an addr message carries it (time, services, IPv6-mapped address, port), and as a
# BIP155 addrv2 message carries an IPv4 one (time, compact services, network id, length, 4 bytes,
# port): src/protocol.h @ v31.0.
ADDR_ENTRY_BYTES = 4 + 8 + 16 + 2
ADDRV2_IPV4_ENTRY_BYTES = 4 + 1 + 1 + 1 + 4 + 2


def compact_size_bytes(n: int) -> int:
    return 1 if n < 253 else 3 if n <= 0xFFFF else 5 if n <= 0xFFFFFFFF else 9


def addr_message_size(count: int, addrv2: bool = False) -> int:
    """Bytes of an addr message of ``count`` entries (addrv2: IPv4 entries)."""
    entry = ADDRV2_IPV4_ENTRY_BYTES if addrv2 else ADDR_ENTRY_BYTES
    return MESSAGE_HEADER_BYTES + compact_size_bytes(count) + entry * count
