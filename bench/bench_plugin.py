"""pytest plugin benchmark (issues 5 and 15): the per-test cost of the ``simnode`` fixture (a
fresh node with 8 peers plus one getpeerinfo through a real client) as a ratio to
pytest-httpserver's ``httpserver`` fixture answering one canned getpeerinfo (the same bytes),
in the same run. Target: <= 0.8x.

Each variant runs as a pytest session of N tests in a subprocess; a conftest hook records each
test's setup + call + teardown as pytest itself times them. The per-test cost is the median of
those, less the median of an empty test's (what pytest costs anyway). What a session pays once
(imports, starting the server, building the node template) is printed apart: a 1-test session
less an empty one.

Run: .venv/bin/python bench/bench_plugin.py [--tests N] [--repeat R]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from math import inf
from pathlib import Path

CLIENT = """
import base64, http.client

BODY = b'{"jsonrpc":"1.0","id":1,"method":"getpeerinfo","params":[]}'

def getpeerinfo(host, port, user="u", password="p"):
    conn = http.client.HTTPConnection(host, port, timeout=5)
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    try:
        conn.request("POST", "/", BODY, {"Authorization": f"Basic {token}"})
        response = conn.getresponse()
        assert response.status == 200
        return response.read()
    finally:
        conn.close()
"""

VARIANTS = {
    "empty": """
import pytest

@pytest.mark.parametrize("n", range({tests}))
def test_nothing(n):
    pass
""",
    "simnode": """
import pytest
from client import getpeerinfo

@pytest.mark.simnode(peers=8)
@pytest.mark.parametrize("n", range({tests}))
def test_simnode(simnode, n):
    reply = getpeerinfo(simnode.host, simnode.port, simnode.user, simnode.password)
    assert reply.count(b'"addr"') == 8
""",
    # The floor of simnode's stack: the same request answered with canned bytes by simnode's
    # own waitress runner, one server per session, as the simnode fixture has.
    "waitress": """
import pytest
from client import getpeerinfo
from canned import CANNED
from simnode.http.runner import ServedNode

def canned(environ, start_response):
    environ["wsgi.input"].read()
    start_response("200 OK", [("Content-Type", "application/json"),
                              ("Content-Length", str(len(CANNED)))])
    return [CANNED]

@pytest.fixture(scope="session")
def server():
    with ServedNode(canned) as served:
        yield served

@pytest.mark.parametrize("n", range({tests}))
def test_waitress(server, n):
    assert getpeerinfo(server.host, server.port).count(b'"addr"') == 8
""",
    "httpserver": """
import pytest
from client import getpeerinfo
from canned import CANNED

@pytest.mark.parametrize("n", range({tests}))
def test_httpserver(httpserver, n):
    httpserver.expect_request("/", method="POST").respond_with_data(
        CANNED, content_type="application/json")
    assert getpeerinfo(httpserver.host, httpserver.port).count(b'"addr"') == 8
""",
}


def canned_reply() -> bytes:
    """The bytes simnode answers for 8 peers, for pytest-httpserver to serve."""
    from simnode.local import LocalNode

    node = LocalNode(peers=8)
    body = b'{"jsonrpc":"1.0","id":1,"method":"getpeerinfo","params":[]}'
    return node.app.reply_to(body).body


# Records each test's setup + call + teardown, as pytest times them, in durations.json.
CONFTEST = """
import json, pytest
DURATIONS = {}

def pytest_runtest_logreport(report):
    DURATIONS[report.nodeid] = DURATIONS.get(report.nodeid, 0.0) + report.duration

def pytest_sessionfinish(session):
    with open("durations.json", "w") as out:
        json.dump(list(DURATIONS.values()), out)
"""


def per_test_seconds(folder: Path, variant: str) -> float:
    """The median test's setup + call + teardown in a session of the variant's tests."""
    session_seconds(folder, variant)
    return statistics.median(json.loads((folder / "durations.json").read_text()))


def session_seconds(folder: Path, variant: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"test_{variant}.py"],
        cwd=folder, check=True, capture_output=True,
    )  # fmt: skip
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tests", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    for line in report(options.tests, options.repeat):
        print(line)


def measure(tests: int = 300, repeat: int = 3) -> dict[str, dict[str, float]]:
    """Per variant: the median per-test seconds (best of ``repeat`` sessions, the variants
    interleaved) and a 1-test session's seconds."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        (folder / "client.py").write_text(CLIENT)
        (folder / "conftest.py").write_text(CONFTEST)
        (folder / "canned.py").write_text(f"CANNED = {canned_reply()!r}\n")
        for variant, source in VARIANTS.items():
            for size in (1, tests):
                (folder / f"test_{variant}_{size}.py").write_text(source.format(tests=size))
        results: dict[str, dict[str, float]] = {v: {"test": inf, "session": inf} for v in VARIANTS}
        for _ in range(repeat):
            for variant in VARIANTS:
                result = results[variant]
                result["test"] = min(result["test"], per_test_seconds(folder, f"{variant}_{tests}"))
                result["session"] = min(result["session"],
                                        session_seconds(folder, f"{variant}_1"))  # fmt: skip
    return results


def report(tests: int = 300, repeat: int = 3) -> list[str]:
    results = measure(tests, repeat)
    empty = results["empty"]
    lines = [f"median test of {tests} (setup + call + teardown), best of {repeat} sessions; "
             f"an empty test costs pytest {empty['test'] * 1e3:.3f} ms"]  # fmt: skip
    cost = {}
    for variant in ("simnode", "waitress", "httpserver"):
        cost[variant] = results[variant]["test"] - empty["test"]
        once = results[variant]["session"] - empty["session"]
        lines.append(f"  {variant:<11} {cost[variant] * 1e3:.3f} ms per test above an empty "
                     f"test; {once * 1e3:.0f} ms once per session")  # fmt: skip
    ratio = {variant: cost[variant] / cost["httpserver"] for variant in cost}
    lines.append(f"ratio simnode / httpserver per test: {ratio['simnode']:.2f}x (target <= "
                 f"0.8x); canned bytes from waitress: {ratio['waitress']:.2f}x")  # fmt: skip
    return lines


if __name__ == "__main__":
    main()
