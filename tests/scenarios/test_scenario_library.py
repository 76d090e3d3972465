"""Every library scenario validates, runs to its end, matches its golden transcript byte for
byte (twice), and shows what its description promises."""

import json
from pathlib import Path

import pytest

from simnode.conformance.invariants import node_problems
from simnode.profiles import netviews
from simnode.scenarios import ScenarioRunner, library
from simnode.scenarios.record import transcript

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
LIBRARY = library.library_paths()


def test_the_library_has_at_least_ten_scenarios_each_with_a_golden_file():
    assert len(LIBRARY) >= 10
    assert sorted(p.stem for p in FIXTURES.glob("*.jsonl")) == sorted(LIBRARY)


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_scenario_runs_to_its_end_and_matches_its_golden_transcript(name):
    scenario = library.load(name)
    runner = ScenarioRunner(scenario)
    runner.run_to_end()
    assert runner.finished
    first, second = transcript(scenario), transcript(library.load(name))
    assert first == second
    golden = (FIXTURES / f"{name}.jsonl").read_text()
    assert first == golden, f"regenerate with: simnode record --library fixtures ({name} differs)"
    for line in first.splitlines():
        record = json.loads(line)
        if record["method"] == "getpeerinfo":
            assert node_problems(record["result"], ban_threshold=100) == []


# --- what each description promises ---------------------------------------------------------
class Observer:
    """Runs a library scenario and reads its node the way a client would."""

    def __init__(self, name: str) -> None:
        self.runner = ScenarioRunner(library.load(name))

    def at(self, offset: str | float) -> "Observer":
        from simnode.scenarios.durations import parse_duration

        self.runner.run_until(parse_duration(offset))
        self.snapshot = self.runner.node.snapshot()
        self.profile = self.runner.profile
        return self

    @property
    def peers(self) -> list[dict]:
        return self.profile.getpeerinfo(self.snapshot)

    @property
    def banned(self) -> list[dict]:
        return netviews.listbanned(self.profile, self.snapshot)

    def peer(self, name: str) -> dict | None:
        peer_id = self.runner.peer_names[name]
        return next((p for p in self.peers if p["id"] == peer_id), None)


def test_steady_healthy():
    run = Observer("steady-healthy")
    previous = None
    for offset in ("1m", "10m", "20m", "30m"):
        peers = run.at(offset).peers
        assert len(peers) == 20
        assert sum(not p["inbound"] for p in peers) == 8
        assert all("pingtime" in p and p["minping"] <= p["pingtime"] < 1 for p in peers)
        for p in peers:
            assert p["bytessent"] == sum(p["bytessent_per_msg"].values())
            assert p["bytesrecv"] == sum(p["bytesrecv_per_msg"].values())
        if previous:
            assert all(
                p["bytesrecv"] > q["bytesrecv"] for p, q in zip(peers, previous, strict=True)
            )
        previous = peers


def test_no_peers():
    run = Observer("no-peers").at("10m")
    assert run.peers == [] and run.banned == []
    totals = netviews.getnettotals(run.snapshot)
    assert (totals["totalbytesrecv"], totals["totalbytessent"]) == (0, 0)
    assert netviews.getconnectioncount(run.snapshot) == 0


def test_ping_timeout():
    run = Observer("ping-timeout")
    assert run.at("10m").peer("silent")["pingwait"] == 600.0
    assert run.peer("healthy")["pingtime"] == 0.12
    assert run.at("19m59s").peer("silent")["pingwait"] == 1199.0
    sent_by_silent = run.peer("silent")["bytesrecv"]
    assert netviews.getconnectioncount(run.snapshot) == 2
    run.at("20m")
    assert run.peer("silent") is None
    assert netviews.getconnectioncount(run.snapshot) == 1
    assert netviews.getnettotals(run.snapshot)["totalbytesrecv"] >= sent_by_silent


def test_flapping_peer():
    run = Observer("flapping-peer")
    seen = {}
    for minute in range(0, 16):
        for peer in run.at(f"{minute}m30s").peers:
            if peer["addr"] == "203.0.113.66:51000":
                seen[peer["id"]] = peer["conntime"]
        assert sum(p["addr"] == "203.0.113.66:51000" for p in run.peers) <= 1
    ids = sorted(seen)
    assert len(ids) == 6  # the first connection and a return every three minutes
    assert [seen[i] for i in ids] == sorted(seen.values())
    assert len(set(seen.values())) == 6


def test_ban_storm():
    run = Observer("ban-storm")
    assert run.at("1m30s").banned == []
    counts = [len(run.at(t).banned) for t in ("2m", "4m", "6m", "9m30s", "10m")]
    assert counts == [1, 2, 3, 4, 5]
    attacker_ips = {f"203.0.113.{n}" for n in range(11, 16)}
    assert {b["address"] for b in run.banned} == {f"{ip}/32" for ip in attacker_ips}
    assert all(b["ban_reason"] == "node misbehaving" for b in run.banned)
    assert all(b["banned_until"] - b["ban_created"] == 3600 for b in run.banned)
    connected = {p["addr"].rsplit(":", 1)[0] for p in run.at("12m").peers}
    assert not connected & attacker_ips  # the reconnect attempts were refused
    assert len(run.peers) == 10
    assert run.at("71m").banned == []
    returning = run.peer("returning-1")
    assert returning is not None and returning["id"] == 15


def test_whitelisted_misbehaver():
    run = Observer("whitelisted-misbehaver").at("10m")
    assert run.peer("trusted")["banscore"] == 500
    assert run.peer("manual")["banscore"] == 500
    assert run.peer("ordinary") is None
    assert [b["address"] for b in run.banned] == ["198.51.100.31/32"]


def test_initial_block_download():
    run = Observer("initial-block-download")
    start = run.at(0).peers
    assert all((p["synced_headers"], p["synced_blocks"], p["inflight"]) == (-1, -1, [])
               for p in start)  # fmt: skip
    early = run.at("1m").peers
    assert all(p["synced_headers"] == 8000 and p["synced_blocks"] == 256 for p in early)
    assert all(len(p["inflight"]) == 16 and min(p["inflight"]) > 256 for p in early)
    end = run.at("15m").peers
    assert all(p["synced_headers"] == 20000 and p["synced_blocks"] == 3840 for p in end)
    assert all(p["synced_blocks"] < min(p["inflight"]) for p in end)


def test_full_inbound():
    run = Observer("full-inbound").at("5m")
    assert len(run.peers) == 125
    assert sum(p["inbound"] for p in run.peers) == 117
    assert netviews.getnetworkinfo(run.profile, run.snapshot)["connections"] == 125


def test_eclipse_one_subnet():
    run = Observer("eclipse-one-subnet").at("10m")
    prefixes = {".".join(p["addr"].split(".")[:2]) for p in run.peers}
    assert len(run.peers) == 20 and prefixes == {"203.0"}


def test_clock_skew():
    run = Observer("clock-skew").at("5m")
    offsets = sorted(p["timeoffset"] for p in run.peers)
    assert offsets == [-86400, -7200, -4260, -30, 0, 45, 4260, 7200, 86400]
    assert netviews.getnetworkinfo(run.profile, run.snapshot)["timeoffset"] == 0


def test_pre_handshake_peers():
    run = Observer("pre-handshake-peers")
    stuck = run.at(0).peer("stuck")
    assert (stuck["services"], stuck["version"], stuck["subver"]) == ("0000000000000000", 0, "")
    assert (stuck["startingheight"], stuck["relaytxes"]) == (-1, False)
    assert (stuck["lastsend"], stuck["lastrecv"], stuck["bytessent_per_msg"]) == (0, 0, {})
    assert "addrlocal" not in stuck
    slow = run.at("5m").peer("slow")
    assert slow["subver"] == "/Turing:2.3.1/" and slow["startingheight"] == 1182400
    assert run.peer("stuck")["version"] == 0


def test_old_clients():
    run = Observer("old-clients").at("15m")
    assert "pingtime" not in run.peer("ancient") and "pingwait" not in run.peer("ancient")
    assert run.peer("ancient")["bytessent_per_msg"]["ping"] > 0  # pinged, never timed
    assert "pingtime" in run.peer("current")


def test_send_backlog():
    run = Observer("send-backlog").at("4m")
    slow = run.peer("slow")
    queued_blocks = 10 * 1_000_000  # and the pings queued behind them
    assert sum(slow["bytessent_per_msg"].values()) - slow["bytessent"] >= queued_blocks
    fast = run.peer("fast")
    assert sum(fast["bytessent_per_msg"].values()) == fast["bytessent"]
    drained = run.at("6m").peer("slow")
    assert sum(drained["bytessent_per_msg"].values()) == drained["bytessent"]


def test_network_disabled():
    run = Observer("network-disabled")
    assert len(run.at("4m").peers) == 6
    info = netviews.getnetworkinfo(run.profile, run.at("6m").snapshot)
    assert (info["networkactive"], info["connections"], run.peers) == (False, 0, [])
    assert "refused" not in run.at("8m").runner.peer_names
    assert [p["id"] for p in run.at("12m").peers] == [6, 7]


def test_manual_peers():
    run = Observer("manual-peers").at("1m")
    assert run.peer("seed-a")["addnode"] is True
    added = {a["addednode"]: a for a in netviews.getaddednodeinfo(run.snapshot)}
    assert added["192.0.2.90:8567"]["connected"] is True
    assert added["192.0.2.99:8567"] == {"addednode": "192.0.2.99:8567", "connected": False,
                                        "addresses": []}  # fmt: skip
    later = {a["addednode"]: a for a in netviews.getaddednodeinfo(run.at("5m").snapshot)}
    assert later["192.0.2.91:8567"]["connected"] is False
