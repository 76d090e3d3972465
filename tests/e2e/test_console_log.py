"""simnode serve's console log (issue 12, must-show 3): one line per connect, disconnect (with
its reason), ban, unanswered ping, scenario step and the scenario's end; RPC calls with -v or
-debug=rpc; -q quiet; DATADIR/debug.log on request."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import urllib.request

from tests.e2e.page_helpers import PASSWORD, USER, Served


def serve(tmp_path, *args: str) -> str:
    command = [sys.executable, "-m", "simnode.cli", "serve", "--rpcport", "0", "--datadir",
               str(tmp_path), "--exit-at-end", *args]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=True).stdout


def test_a_scenario_logs_connects_bans_disconnects_and_its_end(tmp_path):
    out = serve(tmp_path, "--scenario", "ban-storm", "--speed", "3000")
    lines = out.splitlines()
    assert "scenario ban-storm at 1m: misbehave attacker-1 score=50 reason=invalid header" in out
    banned = [line for line in lines if " banned 203.0.113." in line]
    assert len(banned) == 5 and all("(node misbehaving)" in line for line in banned)
    assert re.search(r"peer 10 disconnected: 203\.0\.113\.11:40001 \(banned: node misbehaving\)",
                     out)  # fmt: skip
    assert re.search(r"peer \d+ connected: 203\.0\.113\.11:40201 inbound /Turing", out)
    assert "ban on 203.0.113.11/32 expired" in out
    end = [line for line in lines if "ended" in line]
    assert end == [end[0]] and end[0].endswith("scenario ban-storm ended at 1h12m; "
                                               "--exit-at-end: stopping")  # fmt: skip
    assert lines[-1] == "simnode: stopped"


def test_an_unanswered_ping_and_its_timeout(tmp_path):
    out = serve(tmp_path, "--scenario", "ping-timeout", "--speed", "3000", "-q")
    assert out.count("\n") == 6  # -q: the start-up lines and "stopped" only
    out = serve(tmp_path, "--scenario", "ping-timeout", "--speed", "3000")
    assert re.search(r"peer 1 \(198\.51\.100\.77:8567\) has not answered a ping for \d+", out)
    assert "peer 1 disconnected: 198.51.100.77:8567 (ping timeout: no pong for 20m)" in out


def test_rpc_calls_with_debug_rpc_and_the_debug_log(tmp_path):
    served = Served("-debug=rpc", "--debuglogfile", "--peers", "2")
    try:
        served.rpc("getconnectioncount")
        log = served.datadir / "debug.log"
        text = log.read_text()
    finally:
        out = served.stop()
    line = "rpc getconnectioncount -> HTTP 200 ok"
    assert line in out and line in text
    assert re.search(r"getconnectioncount -> HTTP 200 ok \d+\.\d ms \(user demo\)", out)


def test_without_v_no_rpc_lines_and_a_stopped_scenario_says_what_next(tmp_path):
    command = [sys.executable, "-m", "simnode.cli", "serve", "--rpcport", "0", "--datadir",
               str(tmp_path), "--scenario", "no-peers", "--speed", "3000",
               "--rpcuser", USER, "--rpcpassword", PASSWORD]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    seen = []
    for line in process.stdout:
        seen.append(line)
        if "live page" in line:
            url = re.search(r"(http://127\.0\.0\.1:\d+/)", "".join(seen)).group(1)
            body = json.dumps({"id": 1, "method": "getconnectioncount", "params": []}).encode()
            request = urllib.request.Request(url, body, method="POST", headers={
                "Authorization": "Basic ZGVtbzpkZW1vLXBhc3N3b3Jk"})  # fmt: skip
            urllib.request.urlopen(request, timeout=10).close()
        if "ended" in line:
            break
    process.send_signal(signal.SIGINT)
    rest, _ = process.communicate(timeout=30)
    out = "".join(seen) + rest
    assert "the clock keeps running with the final state (--loop restarts it" in out
    assert "rpc getconnectioncount" not in out
