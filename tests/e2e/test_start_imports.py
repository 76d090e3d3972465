"""What starting a node imports (issue 15, start-up): ``simnode serve`` and the pytest fixture's
node answer getpeerinfo without Faker, hypothesis, jsonschema, PyYAML, the conformance checker
or the scenario file format; those load only where they are used. Structural, not timed: the
modules a real process imported, read from CPython's ``-X importtime`` report."""

import re
import signal
import subprocess
import sys

from tests.helpers import service_proxy

# Modules a node that reads no scenario file and checks no other node must not import.
NOT_AT_START = (
    "faker",
    "hypothesis",
    "jsonschema",
    "yaml",
    "simnode.conformance",
    "simnode.scenarios.spec",
    "simnode.model.fakerprovider",
)


def imported(importtime_report: str) -> set[str]:
    """The modules named in ``-X importtime`` lines (``import time: self | total | name``)."""
    return {
        line.rsplit("|", 1)[1].strip()
        for line in importtime_report.splitlines()
        if line.startswith("import time:") and line.count("|") == 2
    }


def test_simnode_serve_answers_its_first_getpeerinfo_without_the_lazy_modules(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-X", "importtime", "-m", "simnode.cli", "serve", "--rpcport", "0",
         "--peers", "8", "--rpcuser", "u", "--rpcpassword", "p", "--datadir", str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        first_line = process.stdout.readline()
        match = re.search(r"at http://(127\.0\.0\.1:\d+)/", first_line)
        assert match, first_line
        with service_proxy(f"http://u:p@{match.group(1)}/") as proxy:
            assert len(proxy.getpeerinfo()) == 8
    finally:
        process.send_signal(signal.SIGTERM)
        _, report = process.communicate(timeout=30)
    assert process.returncode == 0, report[-2000:]
    modules = imported(report)
    assert {"simnode.serve", "werkzeug", "waitress"} <= modules  # the report was read
    assert modules.isdisjoint(NOT_AT_START), sorted(modules.intersection(NOT_AT_START))


def test_the_fixtures_node_answers_without_the_lazy_modules():
    script = (  # not tests.helpers: it imports hypothesis
        "from bitcoinrpc.authproxy import AuthServiceProxy\n"
        "from simnode.local import LocalNode\n"
        "with LocalNode(peers=8) as node:\n"
        "    proxy = AuthServiceProxy(node.rpc_url, timeout=10)\n"
        "    assert len(proxy.getpeerinfo()) == 8\n"
        "    proxy._AuthServiceProxy__conn.close()\n"
    )
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", script],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    modules = imported(done.stderr)
    assert {"simnode.local", "bitcoinrpc.authproxy"} <= modules
    assert modules.isdisjoint(NOT_AT_START), sorted(modules.intersection(NOT_AT_START))


def test_a_scenario_file_loads_the_format_and_pyyaml_when_read():
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "simnode.cli", "scenarios", "show", "ban-storm"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("ban-storm (")
    assert {"yaml", "simnode.scenarios.spec"} <= imported(done.stderr)
