"""A monitoring client, written the way exporters and dashboards are, refreshes against
``simnode serve`` through python-bitcoinlib, in one batch and one call at a time, for every
profile (issue 10): no error, and values that agree with each other."""

import base64
import http.client
import json
from urllib.parse import urlsplit

import bitcoin.rpc
import pytest
from test_cli import Served

from simnode.profiles import PROFILES
from simnode.scenarios.goldens import MONITOR_CALLS


class Monitor:
    """The client under test: python-bitcoinlib's RawProxy for each call, its ``_batch`` for
    a whole refresh in one request."""

    def __init__(self, url: str) -> None:
        self.proxy = bitcoin.rpc.RawProxy(service_url=url, timeout=10)
        usages = self.proxy.help().splitlines()
        available = {line.split()[0] for line in usages if line and not line.startswith("==")}
        # The calls on stale tips need a stale tip; this monitor's node has none.
        self.methods = [(m, args) for m, args in MONITOR_CALLS
                        if m in available and "STALE" not in args]  # fmt: skip

    def _placeholders(self) -> dict[str, str]:
        return {"BEST": self.proxy.getbestblockhash(), "TXID": self.proxy.getrawmempool()[0]}

    def _args(self, args: tuple, fill: dict[str, str]) -> list:
        return [fill.get(arg, arg) if isinstance(arg, str) else arg for arg in args]

    def one_by_one(self) -> dict[str, object]:
        fill = self._placeholders()
        return {f"{m}{args}": getattr(self.proxy, m)(*self._args(args, fill))
                for m, args in self.methods}  # fmt: skip

    def batch(self) -> dict[str, object]:
        fill = self._placeholders()
        calls = [{"version": "1.1", "method": m, "params": self._args(args, fill), "id": i}
                 for i, (m, args) in enumerate(self.methods)]  # fmt: skip
        replies = self.proxy._batch(calls)
        assert [r["error"] for r in replies] == [None] * len(calls)
        by_id = {r["id"]: r["result"] for r in replies}
        return {f"{m}{args}": by_id[i] for i, (m, args) in enumerate(self.methods)}

    def close(self) -> None:
        self.proxy.close()


def control(url: str, action: str, body: dict) -> dict:
    """The control plane, as a test of any language drives it: JSON over HTTP."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    token = base64.b64encode(f"{parts.username}:{parts.password}".encode()).decode()
    try:
        connection.request("POST", f"/simnode/{action}", json.dumps(body),
                           {"Authorization": f"Basic {token}"})  # fmt: skip
        response = connection.getresponse()
        assert response.status == 200, response.read()
        return json.loads(response.read())
    finally:
        connection.close()


def check_agreement(answers: dict[str, object]) -> None:
    info = answers["getblockchaininfo()"]
    height = answers["getblockcount()"]
    best = answers["getbestblockhash()"]
    assert info["blocks"] == height and info["bestblockhash"] == best
    header = answers["getblockheader('BEST',)"]
    assert (header["hash"], header["height"], header["confirmations"]) == (best, height, 1)
    assert answers["getblock('BEST',)"]["height"] == height
    (active,) = [tip for tip in answers["getchaintips()"] if tip["status"] == "active"]
    assert (active["height"], active["hash"]) == (height, best)
    peers = answers["getpeerinfo()"]
    assert len(peers) == answers["getconnectioncount()"] > 0
    assert all(p["synced_headers"] <= info["headers"] and p["synced_blocks"] <= height
               for p in peers)  # fmt: skip
    mempool = answers["getrawmempool()"]
    assert (
        answers["getmempoolinfo()"]["size"] == len(mempool) == len(answers["getrawmempool(True,)"])
    )
    assert answers["getmininginfo()"]["pooledtx"] == len(mempool)
    assert answers["getmininginfo()"]["blocks"] == height
    estimate = answers["estimatesmartfee(6,)"]
    if "feerate" in estimate:  # once the node has seen a block arrive
        assert estimate["feerate"] > 0 and estimate["blocks"] >= 2
    else:  # a freshly started node has no data yet, as a real one
        assert estimate == {"errors": ["Insufficient data or no feerate found"], "blocks": 0}


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_a_monitor_refresh_agrees_with_itself_in_every_profile(tmp_path, profile):
    served = Served("--profile", profile, "--rpcuser", "u", "--rpcpassword", "p",
                    tmp_path=tmp_path)  # fmt: skip
    url = served.url.replace("http://", "http://u:p@")
    monitor = Monitor(url)
    try:
        control(url, "events", {"events": [{"type": "transactions_arrived", "count": 40}]})
        one_by_one = monitor.one_by_one()
        batch = monitor.batch()
        assert len(monitor.methods) >= 20
        for answers in (one_by_one, batch):
            check_agreement(answers)
        height = one_by_one["getblockcount()"]
        control(url, "events", {"events": [{"type": "blocks_found", "count": 2}]})
        control(url, "events", {"events": [{"type": "transactions_arrived", "count": 3}]})
        after = monitor.batch()
        assert after["getblockcount()"] == height + 2
        assert after["getmempoolinfo()"]["size"] == 3  # the blocks confirmed the first 40
        assert after["estimatesmartfee(6,)"]["feerate"] > 0  # blocks arrived: an estimate
        check_agreement(after)
    finally:
        monitor.close()
        served.stop()
