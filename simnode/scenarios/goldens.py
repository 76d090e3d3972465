"""Golden answers of the methods a monitor calls, for every profile: the chain-reorg scenario's
node at its end (a stale tip, a mempool) asked each method the release has, through the method
table, one JSON line per call (fixtures/methods/), and the answers whose shape differs most
between releases (fixtures/profiles/). ``python -m simnode.scenarios.goldens [FIXTURES_DIR]``
rewrites both; tests fail when they are stale."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from simnode.profiles import PROFILES
from simnode.profiles.jsontext import dumps
from simnode.rpc import default_table
from simnode.rpc.errors import RPCError
from simnode.rpc.methods import RPCContext
from simnode.scenarios import library
from simnode.scenarios.runner import ScenarioRunner
from simnode.scenarios.spec import load_scenario

GOLDEN_SCENARIO = "chain-reorg"
# What a node monitor asks on each refresh, with its arguments. Placeholders: BEST, the best
# block's hash; STALE, the stale tip's; TXID, the first mempool transaction's (TXHEX its
# serialization); BESTTX, the best block's last transaction's.
MONITOR_CALLS: tuple[tuple[str, tuple[Any, ...]], ...] = (
    ("getblockchaininfo", ()), ("getblockcount", ()), ("getbestblockhash", ()),
    ("getbestblock", ()), ("getblockhash", (0,)), ("getblock", ("BEST",)),
    ("getblock", ("BEST", 2)), ("getblock", ("BEST", 0)), ("getblockheader", ("BEST",)),
    ("getblockheader", ("BEST", False)), ("getblockheader", ("STALE",)), ("getchaintips", ()),
    ("getchaintxstats", ()), ("getblockstats", ("BEST",)), ("getdifficulty", ()),
    ("gettxoutsetinfo", ()),
    ("getindexinfo", ()), ("getdeploymentinfo", ()), ("getmempoolinfo", ()),
    ("getrawmempool", ()), ("getrawmempool", (True,)), ("getmempoolentry", ("TXID",)),
    ("getmempoolancestors", ("TXID",)), ("getmempooldescendants", ("TXID",)),
    ("getmininginfo", ()), ("getnetworkhashps", ()), ("estimatesmartfee", (6,)),
    ("getmemoryinfo", ()), ("getrpcinfo", ()), ("uptime", ()),
    ("getinfo", ()), ("getnetworkinfo", ()), ("getpeerinfo", ()), ("getconnectioncount", ()),
    ("getnettotals", ()), ("listbanned", ()), ("getaddednodeinfo", ()),
)  # fmt: skip
# What an explorer or wallet asks about transactions; the answers include each release's
# errors (no blockhash argument before 0.16, no confirmed transaction without it from 0.19).
EXPLORER_CALLS: tuple[tuple[str, tuple[Any, ...]], ...] = (
    ("getrawtransaction", ("TXID",)), ("getrawtransaction", ("TXID", 1)),
    ("getrawtransaction", ("BESTTX", 1, "BEST")), ("getrawtransaction", ("BESTTX", 2, "BEST")),
    ("getrawtransaction", ("BESTTX", 1)),
    ("gettxout", ("TXID", 0)), ("gettxout", ("BESTTX", 0)), ("gettxout", ("BESTTX", 0, False)),
    ("decoderawtransaction", ("TXHEX",)),
)  # fmt: skip


# Answers whose shape differs most between releases: fixtures/profiles/NAME.jsonl (issue 11).
PROFILE_CALLS = ("getpeerinfo", "getnetworkinfo", "getblockchaininfo")


def golden_lines(profile_name: str, only: tuple[str, ...] | None = None) -> str:
    """Every monitor call the release has (or those of ``only``), answered at the golden
    scenario's end."""
    scenario = load_scenario(library.resolve(GOLDEN_SCENARIO), profile_name)
    runner = ScenarioRunner(scenario)
    runner.run_to_end()
    table = default_table()
    context = RPCContext(runner.node, runner.profile, table)
    snapshot = runner.node.snapshot()
    stale = snapshot.chain.branches[-1].tip.hash if snapshot.chain.branches else ""
    first = snapshot.mempool.entries[0].body if snapshot.mempool.entries else None
    fill = {"BEST": snapshot.chain.tip.hash, "STALE": stale,
            "TXID": first.txid if first else "", "TXHEX": first.raw.hex() if first else "",
            "BESTTX": snapshot.chain.txids(snapshot.chain.tip)[-1]}  # fmt: skip
    available = table.available(runner.profile)
    lines = []
    for method, args in MONITOR_CALLS + EXPLORER_CALLS:
        if method not in available or (only is not None and method not in only):
            continue
        params = [fill.get(arg, arg) if isinstance(arg, str) else arg for arg in args]
        try:
            line = {"method": method, "params": params,
                    "result": table.execute(context, method, params)}  # fmt: skip
        except RPCError as error:
            line = {"method": method, "params": params, "error": error.to_json()}
        lines.append(dumps(line))
    return "\n".join(lines) + "\n"


def write_goldens(directory: Path, only: tuple[str, ...] | None = None) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in sorted(PROFILES):
        path = directory / f"{name}.jsonl"
        path.write_text(golden_lines(name, only))
        written.append(path)
    return written


if __name__ == "__main__":  # python -m simnode.scenarios.goldens [FIXTURES_DIR]
    fixtures = Path(sys.argv[1] if len(sys.argv) > 1 else "fixtures")
    for written_path in [*write_goldens(fixtures / "methods"),
                         *write_goldens(fixtures / "profiles", PROFILE_CALLS)]:  # fmt: skip
        print(written_path)
