"""The command line as a user runs it: simnode serve (with a scenario played in real time
against a real client), errors as one line, and the scenario commands."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from bitcoinrpc.authproxy import AuthServiceProxy

from simnode.scenarios.record import RECORDED_METHODS

SIMNODE = [sys.executable, "-m", "simnode.cli"]


def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([*SIMNODE, *args], capture_output=True, text=True, timeout=timeout)


class Served:
    """``simnode serve ...`` in a subprocess on a free port; stopped with SIGTERM."""

    def __init__(self, *args: str, tmp_path) -> None:
        self.process = subprocess.Popen(
            [*SIMNODE, "serve", "--rpcport", "0", "--datadir", str(tmp_path), *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        first_line = self.process.stdout.readline()
        match = re.search(r"at (http://127\.0\.0\.1:(\d+)/)", first_line)
        assert match, first_line + self.process.stderr.read()
        self.url, self.port = match.group(1), int(match.group(2))
        self.banner = first_line + "".join(self.process.stdout.readline() for _ in range(3))

    def stop(self) -> tuple[int, str]:
        self.process.send_signal(signal.SIGTERM)
        out, err = self.process.communicate(timeout=10)
        return self.process.returncode, out + err


def proxy_for(url: str, user: str, password: str) -> AuthServiceProxy:
    return AuthServiceProxy(url.replace("http://", f"http://{user}:{password}@"), timeout=10)


def close(proxy: AuthServiceProxy) -> None:
    proxy._AuthServiceProxy__conn.close()


def connection_count(url: str, user: str, password: str) -> int:
    """getconnectioncount through python-bitcoinrpc, its connection closed after."""
    proxy = proxy_for(url, user, password)
    try:
        return proxy.getconnectioncount()
    finally:
        close(proxy)


def test_serve_plays_ban_storm_in_real_time_against_a_real_client(tmp_path):
    served = Served("--scenario", "ban-storm", "--speed", "60", "--rpcuser", "u",
                    "--rpcpassword", "p", tmp_path=tmp_path)  # fmt: skip
    proxy = proxy_for(served.url, "u", "p")
    try:
        assert "playing scenario 'ban-storm' at 60x" in served.banner
        banned_counts = []
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            banned = {b["address"].split("/")[0] for b in proxy.listbanned()}
            connected = {p["addr"].rsplit(":", 1)[0] for p in proxy.getpeerinfo()}
            assert not banned & connected
            banned_counts.append(len(banned))
            if len(banned) == 5:
                break
            time.sleep(0.25)
        assert banned_counts[-1] == 5, banned_counts
        assert banned_counts == sorted(banned_counts)  # the list only grew
        assert len(set(banned_counts)) >= 3  # and we watched it grow in real time
    finally:
        close(proxy)
        code, output = served.stop()
    assert code == 0 and "simnode: stopped" in output


def test_serve_with_defaults_uses_a_cookie_and_removes_it(tmp_path):
    served = Served(tmp_path=tmp_path)
    cookie = tmp_path / ".cookie"
    try:
        user, password = cookie.read_text().split(":")
        assert user == "__cookie__" and re.fullmatch(r"[0-9a-f]{64}", password)
        assert f'curl --user "$(cat {cookie})"' in served.banner
        assert connection_count(served.url, user, password) == 12
    finally:
        code, _ = served.stop()
    assert code == 0
    assert not cookie.exists()


def test_the_served_clock_reads_the_wall_clock_at_start(tmp_path):
    """issue 14, defect 1: the generated history lies in the past; at real speed the node's
    now is the wall clock's (it was 600 s ahead), so no client sees a negative age."""
    before = time.time()
    served = Served("--rpcuser", "u", "--rpcpassword", "p", tmp_path=tmp_path)
    proxy = proxy_for(served.url, "u", "p")
    try:
        node_now = proxy.getnettotals()["timemillis"] / 1000
        peers = proxy.getpeerinfo()
    finally:
        close(proxy)
        served.stop()
    assert before - 2 <= node_now <= time.time() + 2
    assert peers and all(p["conntime"] <= node_now and p["lastrecv"] <= node_now for p in peers)
    assert min(p["conntime"] for p in peers) < node_now - 60  # the history is in the past


def raw_answers(url: str, methods: tuple[str, ...]) -> list[bytes]:
    """Each method's reply body, as bytes, through a plain HTTP client."""
    replies = []
    for method in methods:
        body = json.dumps({"jsonrpc": "1.0", "id": 1, "method": method, "params": []}).encode()
        request = urllib.request.Request(url, body, {"Authorization": "Basic dTpw"})  # u:p
        with urllib.request.urlopen(request, timeout=10) as reply:
            replies.append(reply.read())
    return replies


def test_mocktime_makes_the_seed_reproducible(tmp_path):
    """issue 16, defect 9: the default node followed the wall clock from its start, so the
    same --seed gave other times on every run. With --mocktime the clock stands, as the
    node's -mocktime: two servers give byte-identical answers, and so does one a second on."""
    methods = ("getpeerinfo", "getnettotals", "getblockchaininfo", "getmempoolinfo")
    options = ("--rpcuser", "u", "--rpcpassword", "p", "--seed", "7", "--mocktime", "1750000000")
    answers = []
    for run_dir in ("a", "b"):
        served = Served(*options, tmp_path=tmp_path / run_dir)
        try:
            answers.append(raw_answers(served.url, methods))
            time.sleep(1.1)  # a wall-clock second: the node's clock must not have moved
            answers.append(raw_answers(served.url, methods))
        finally:
            served.stop()
    assert answers[0] == answers[1] == answers[2] == answers[3]
    peers = json.loads(answers[0][0])["result"]
    assert json.loads(answers[0][1])["result"]["timemillis"] == 1750000000_000  # the node's now
    assert len(peers) == 12 and max(p["conntime"] for p in peers) <= 1750000000


def test_mocktime_holds_through_admin_resets(tmp_path):
    """A reset with another peer count rebuilt the clock from the first count's history, so
    the node no longer read --mocktime (review of issue 16's fix)."""
    served = Served("--rpcuser", "u", "--rpcpassword", "p", "--mocktime", "1750000000",
                    tmp_path=tmp_path)  # fmt: skip
    try:
        for peers in (0, 5, 12):
            body = json.dumps({"peers": peers}).encode()
            request = urllib.request.Request(served.url + "simnode/reset", body,
                                             {"Authorization": "Basic dTpw"})  # fmt: skip
            urllib.request.urlopen(request, timeout=10).close()
            replies = raw_answers(served.url, ("getnettotals", "getpeerinfo"))
            totals, peerinfo = (json.loads(reply)["result"] for reply in replies)
            assert (totals["timemillis"], len(peerinfo)) == (1750000000_000, peers)
    finally:
        served.stop()


def test_a_password_without_a_user_is_the_nodes_empty_user_not_none(tmp_path):
    """issue 16, defect 3: --rpcpassword with --rpcauth and no --rpcuser made "None:X" a
    working login; the node joins -rpcuser (empty) and -rpcpassword: ":X"."""
    from simnode.http.auth import rpcauth_line

    served = Served("--rpcpassword", "X", "--rpcauth", rpcauth_line("bob", "hunter2"),
                    tmp_path=tmp_path)  # fmt: skip
    try:
        assert connection_count(served.url, "bob", "hunter2") == 12
        assert connection_count(served.url, "", "X") == 12
        with pytest.raises(Exception, match="401"):
            connection_count(served.url, "None", "X")
    finally:
        served.stop()


def test_the_data_directory_is_private(tmp_path):
    """issue 16: the data directory is created 0700, as the node's is (it holds the cookie)."""
    datadir = tmp_path / "fresh"
    served = Served("--datadir", str(datadir), tmp_path=tmp_path)
    served.stop()
    assert datadir.stat().st_mode & 0o777 == 0o700


def test_serve_takes_the_nodes_own_option_spelling(tmp_path):
    """paicoind -rpcuser=u -rpcpassword=p ... works as written."""
    served = Served("-rpcuser=alice", "-rpcpassword=s3cret", tmp_path=tmp_path)
    try:
        assert connection_count(served.url, "alice", "s3cret") == 12
    finally:
        code, _ = served.stop()
    assert code == 0
    assert not (tmp_path / ".cookie").exists()


def test_the_stop_rpc_ends_simnode_serve(tmp_path):
    served = Served(tmp_path=tmp_path)
    cookie = tmp_path / ".cookie"
    user, password = cookie.read_text().split(":")
    proxy = proxy_for(served.url, user, password)
    try:
        assert proxy.stop() == "PAI Coin server stopping"
    finally:
        close(proxy)
    assert served.process.wait(timeout=10) == 0
    served.process.communicate()
    assert not cookie.exists()


def test_port_in_use_is_a_one_line_error(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", "--rpcport", str(port), "--datadir", str(tmp_path))
    assert result.returncode != 0
    assert result.stderr.startswith(f"simnode: error: cannot listen on 127.0.0.1:{port}")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / ".cookie").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_datadir_is_a_one_line_error(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    result = run("serve", "--rpcport", "0", "--datadir", str(locked / "sub"))
    assert result.returncode != 0 and result.stderr.startswith("simnode: error: cannot write")


def test_datadir_that_is_a_file_is_a_one_line_error(tmp_path):
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    result = run("serve", "--rpcport", "0", "--datadir", str(not_a_dir))
    assert result.returncode != 0
    assert result.stderr.startswith("simnode: error: cannot write the cookie file")
    assert len(result.stderr.strip().splitlines()) == 1


BAD_SERVE_OPTIONS = [
    ["--speed", "0"],
    ["--peers", "-1"],
    ["--rpcuser", "u"],
    ["--scenario", "no-such-scenario"],
    ["--scenario", "ban-storm", "--mocktime", "1750000000"],
    ["--mocktime", "0"],
]


@pytest.mark.parametrize("args", BAD_SERVE_OPTIONS)
def test_bad_options_are_one_line_errors(tmp_path, args):
    result = run("serve", "--rpcport", "0", "--datadir", str(tmp_path), *args)
    assert result.returncode == 1
    assert result.stderr.startswith("simnode: error: ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_scenario_commands(tmp_path):
    listing = run("scenarios", "list")
    assert listing.returncode == 0 and "ban-storm" in listing.stdout
    shown = run("scenarios", "show", "ping-timeout")
    assert shown.returncode == 0 and "disconnects the silent peer" in shown.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ndescription: y\ncolour: red\n")
    good = Path(__file__).resolve().parents[2] / "scenarios" / "no-peers.yaml"
    checked = run("scenarios", "validate", str(good), str(bad))
    assert checked.returncode == 1
    assert f"{good}: ok" in checked.stdout
    assert f"{bad}:3:1: unknown key 'colour'" in checked.stderr
    out = tmp_path / "t.jsonl"
    recorded = run("record", "ping-timeout", "--at", "10m", "--out", str(out))
    assert recorded.returncode == 0
    methods = [json.loads(line)["method"] for line in out.read_text().splitlines()]
    assert methods == list(RECORDED_METHODS)  # one line per method, at the one time asked


def test_version():
    """issue 14, defect 6: ``simnode --version`` names the installed version."""
    from simnode import __version__

    done = run("--version")
    assert (done.returncode, done.stdout.strip()) == (0, f"simnode {__version__}")


def test_cli_conventions():
    """issue 14, defect 6: a bad option is one line naming it; --help shows defaults and no
    reST markup; scenarios validate takes library names; scenarios list does not truncate."""
    bad = run("serve", "--nosuch")
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [
        "simnode: error: unrecognized arguments: --nosuch (see simnode --help)"
    ]
    helped = run("serve", "--help").stdout
    assert "(default: 12)" in helped and "(default: None)" not in helped
    assert "``" not in run("--help").stdout
    validated = run("scenarios", "validate", "ban-storm")
    assert (validated.returncode, validated.stdout.strip()) == (0, "ban-storm: ok")
    listed = run("scenarios", "list").stdout
    assert "for an hour" in listed  # past the first line of ban-storm's description
