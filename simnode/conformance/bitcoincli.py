"""What ``bitcoin-cli -netinfo`` (levels 0-4) and ``-getinfo`` read from a node, with the
strictness of UniValue: ``get_str``/``get_bool``/``getInt``/``get_real`` abort the command on a
value of another JSON type, ``getValues`` on anything but an array or object.

Transcribed from src/bitcoin-cli.cpp at v31.0 (6574cb40869b); each read carries its line. There is
no bitcoin-cli binary here, so this table is the client: a node whose answers pass
``cli_problems`` gets through every read the real command makes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# UniValue accessor -> (the JSON value it accepts, what the error says). "?": a read guarded by
# isNull() (absent or null is fine). getInt<int> parses the number's text as an integer.
_DEMANDS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "get_str": (lambda v: isinstance(v, str), "a string"),
    "get_bool": (lambda v: isinstance(v, bool), "a boolean"),
    "getInt": (lambda v: isinstance(v, int) and not isinstance(v, bool), "an integer"),
    "get_real": (lambda v: isinstance(v, int | float) and not isinstance(v, bool), "a number"),
    "getValues": (lambda v: isinstance(v, list | dict), "an array or object"),
    # pushKV copies the value into -getinfo's own reply; getValStr prints anything.
    "present": (lambda v: True, "present"),
}


@dataclass(frozen=True, slots=True)
class Read:
    line: int  # in src/bitcoin-cli.cpp @ v31.0
    rpc: str  # whose answer: getpeerinfo (each peer), getnetworkinfo, getblockchaininfo
    key: str  # "networks[].name": the key of each item of an array
    accessor: str  # the UniValue call; "?" suffix: guarded by isNull()
    levels: tuple[int, ...] | None = None  # -netinfo levels that make the read (None: -getinfo)


_ALL, _DETAILS = (0, 1, 2, 3, 4), (1, 2, 3, 4)
NETINFO_READS: tuple[Read, ...] = (
    Read(515, "getnetworkinfo", "version", "getInt", _ALL),  # must be >= 209900 (0.21)
    Read(521, "getpeerinfo", "", "getValues", _ALL),  # the peer list itself
    Read(522, "getpeerinfo", "network", "get_str", _ALL),
    Read(525, "getpeerinfo", "inbound", "get_bool", _ALL),
    Read(526, "getpeerinfo", "relaytxes", "get_bool?", _ALL),
    Read(527, "getpeerinfo", "connection_type", "get_str", _ALL),
    Read(537, "getpeerinfo", "id", "getInt", _DETAILS),
    Read(538, "getpeerinfo", "mapped_as", "getInt?", _DETAILS),
    Read(539, "getpeerinfo", "version", "getInt", _DETAILS),
    Read(540, "getpeerinfo", "addr_processed", "getInt?", _DETAILS),
    Read(541, "getpeerinfo", "addr_rate_limited", "getInt?", _DETAILS),
    Read(542, "getpeerinfo", "conntime", "getInt", _DETAILS),
    Read(543, "getpeerinfo", "last_block", "getInt", _DETAILS),
    Read(544, "getpeerinfo", "lastrecv", "getInt", _DETAILS),
    Read(545, "getpeerinfo", "lastsend", "getInt", _DETAILS),
    Read(546, "getpeerinfo", "last_transaction", "getInt", _DETAILS),
    Read(547, "getpeerinfo", "minping", "get_real?", _DETAILS),
    Read(548, "getpeerinfo", "pingtime", "get_real?", _DETAILS),
    Read(549, "getpeerinfo", "addr", "get_str", _DETAILS),
    Read(461, "getpeerinfo", "servicesnames[]", "get_str", _DETAILS),  # FormatServices, l. 551
    Read(552, "getpeerinfo", "subver", "get_str", _DETAILS),
    Read(553, "getpeerinfo", "transport_protocol_type", "get_str?", _DETAILS),
    Read(554, "getpeerinfo", "addr_relay_enabled", "get_bool?", _DETAILS),
    Read(555, "getpeerinfo", "bip152_hb_from", "get_bool", _DETAILS),
    Read(556, "getpeerinfo", "bip152_hb_to", "get_bool", _DETAILS),
    Read(461, "getnetworkinfo", "localservicesnames[]", "get_str", _DETAILS),  # l. 569
    Read(570, "getnetworkinfo", "protocolversion", "getInt", _ALL),
    Read(570, "getnetworkinfo", "subversion", "get_str", _ALL),
    Read(619, "getnetworkinfo", "networks", "getValues", _ALL),
    Read(620, "getnetworkinfo", "networks[].reachable", "get_bool", _ALL),
    Read(621, "getnetworkinfo", "networks[].name", "get_str", _ALL),
    Read(468, "getnetworkinfo", "localservicesnames[]", "get_str", (0,)),  # ServicesList, l. 653
    Read(656, "getnetworkinfo", "localaddresses", "getValues", _ALL),
    Read(662, "getnetworkinfo", "localaddresses[].address", "get_str", _ALL),
    Read(665, "getnetworkinfo", "localaddresses[].port", "getInt", _ALL),
    Read(665, "getnetworkinfo", "localaddresses[].score", "getInt", _ALL),
)
GETINFO_READS: tuple[Read, ...] = (
    Read(348, "getnetworkinfo", "version", "present"),
    Read(349, "getblockchaininfo", "blocks", "present"),
    Read(350, "getblockchaininfo", "headers", "present"),
    Read(1102, "getblockchaininfo", "verificationprogress", "get_real"),  # copied at l. 351
    Read(352, "getnetworkinfo", "timeoffset", "present"),
    Read(355, "getnetworkinfo", "connections_in", "present"),
    Read(356, "getnetworkinfo", "connections_out", "present"),
    Read(357, "getnetworkinfo", "connections", "present"),
    Read(1128, "getnetworkinfo", "networks", "getValues"),  # copied at l. 360
    Read(1129, "getnetworkinfo", "networks[].proxy", "present"),
    Read(1134, "getnetworkinfo", "networks[].name", "present"),
    Read(361, "getblockchaininfo", "difficulty", "present"),
    Read(362, "getblockchaininfo", "chain", "present"),
    Read(374, "getnetworkinfo", "relayfee", "present"),
    Read(375, "getnetworkinfo", "warnings", "present"),
)
NETINFO_MIN_VERSION = 209900  # l. 515: "-netinfo requires bitcoind server to be running v0.21.0"


def _values(answer: Any, key: str) -> list[tuple[str, Any]]:
    """(where, value) for ``key`` in ``answer``: ``a[].b`` is b of each item of a, ``a[]``
    each item of a; a missing key reads as None (UniValue's NullUniValue)."""
    if not key:
        return [("", answer)]
    head, brackets, rest = key.partition("[]")
    value = answer.get(head) if isinstance(answer, dict) else None
    if not brackets:
        return [(head, value)]
    items = value if isinstance(value, list) else []
    found = []
    for index, item in enumerate(items):
        where = f"{head}[{index}]"
        if rest:
            found += [(f"{where}{w}", v) for w, v in _values(item, rest.lstrip("."))]
        else:
            found.append((where, item))
    return found


def read_problems(reads: tuple[Read, ...], answers: dict[str, Any]) -> list[str]:
    """Every read of ``reads`` that would abort bitcoin-cli, given each RPC's result."""
    problems = []
    for read in reads:
        answer = answers[read.rpc]
        each_peer = read.rpc == "getpeerinfo" and read.key and isinstance(answer, list)
        subjects = list(enumerate(answer)) if each_peer else [(None, answer)]
        optional = read.accessor.endswith("?")
        accepts, wanted = _DEMANDS[read.accessor.rstrip("?")]
        for peer, subject in subjects:
            for where, value in _values(subject, read.key):
                if value is None and optional:
                    continue
                if value is None or not accepts(value):
                    who = f"{read.rpc}" + (f"[{peer}]" if peer is not None else "")
                    problems.append(f"bitcoin-cli.cpp:{read.line}: {who}.{where or '(result)'} "
                                    f"must be {wanted} for {read.accessor.rstrip('?')}, "
                                    f"got {value!r}")  # fmt: skip
    return problems


def netinfo_problems(answers: dict[str, Any], level: int) -> list[str]:
    """What would stop ``bitcoin-cli -netinfo LEVEL`` against these answers."""
    reads = tuple(read for read in NETINFO_READS if read.levels and level in read.levels)
    problems = read_problems(reads, answers)
    version = answers["getnetworkinfo"].get("version")
    if isinstance(version, int) and version < NETINFO_MIN_VERSION:
        problems.append(f"bitcoin-cli.cpp:515: -netinfo needs a 0.21+ server, got {version}")
    return problems


def getinfo_problems(answers: dict[str, Any]) -> list[str]:
    """What would stop, or blank out a line of, ``bitcoin-cli -getinfo``."""
    return read_problems(GETINFO_READS, answers)
