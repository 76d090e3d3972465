"""pytest plugin benchmark (issue 5): the per-test cost of the ``simnode`` fixture (a fresh node
with 8 peers plus one getpeerinfo through a real client) as a ratio to pytest-httpserver's
``httpserver`` fixture answering one canned getpeerinfo (the same bytes), in the same run.

Each variant is a pytest session of N tests in a subprocess; a session of N empty tests is the
baseline subtracted from both, so what remains is the fixture and the call. Target: <= 0.5x.

Run: .venv/bin/python bench/bench_plugin.py [--tests N] [--repeat R]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
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
    return node.app.processor.process(body, node.app._execute).body


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
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        (folder / "client.py").write_text(CLIENT)
        (folder / "canned.py").write_text(f"CANNED = {canned_reply()!r}\n")
        for variant, source in VARIANTS.items():
            (folder / f"test_{variant}.py").write_text(source.format(tests=options.tests))
        best = {v: min(session_seconds(folder, v) for _ in range(options.repeat))
                for v in VARIANTS}  # fmt: skip
    per_test = {
        v: (best[v] - best["empty"]) / options.tests * 1000 for v in ("simnode", "httpserver")
    }
    print(f"{options.tests} tests per session, best of {options.repeat}; "
          f"pytest itself (empty tests): {best['empty']:.2f} s")  # fmt: skip
    for variant, ms in per_test.items():
        print(f"  {variant:<11} {ms:.2f} ms per test above an empty test")
    print(f"ratio simnode / httpserver: {per_test['simnode'] / per_test['httpserver']:.2f}x "
          f"(target <= 0.5x)")  # fmt: skip


if __name__ == "__main__":
    main()
