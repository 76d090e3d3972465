"""pytest plugin benchmark (issue 5): the per-test cost of the ``simnode`` fixture (a fresh node
with 8 peers plus one getpeerinfo through a real client) as a ratio to pytest-httpserver's
``httpserver`` fixture answering one canned getpeerinfo (the same bytes), in the same run.

Each variant runs as a pytest session of 1 test and of N tests, in subprocesses. The per-test
cost is the difference divided by N - 1, less what an empty test costs pytest itself; what a
session pays once (imports, starting the server, building the node template) is printed apart,
as the 1-test session less the empty one. Target: <= 0.5x per test.

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
    sizes = (1, options.tests)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        (folder / "client.py").write_text(CLIENT)
        (folder / "canned.py").write_text(f"CANNED = {canned_reply()!r}\n")
        for variant, source in VARIANTS.items():
            for size in sizes:
                (folder / f"test_{variant}_{size}.py").write_text(source.format(tests=size))
        best = {
            (v, size): min(session_seconds(folder, f"{v}_{size}") for _ in range(options.repeat))
            for v in VARIANTS
            for size in sizes
        }

    def per_test(variant: str) -> float:
        return (best[variant, options.tests] - best[variant, 1]) / (options.tests - 1)

    print(f"sessions of 1 and {options.tests} tests, best of {options.repeat}; "
          f"an empty test costs pytest {per_test('empty') * 1000:.2f} ms")  # fmt: skip
    cost = {}
    for variant in ("simnode", "httpserver"):
        cost[variant] = per_test(variant) - per_test("empty")
        once = best[variant, 1] - best["empty", 1]
        print(f"  {variant:<11} {cost[variant] * 1000:.2f} ms per test above an empty test; "
              f"{once * 1000:.0f} ms once per session")  # fmt: skip
    print(f"ratio simnode / httpserver per test: {cost['simnode'] / cost['httpserver']:.2f}x "
          f"(target <= 0.5x)")  # fmt: skip


if __name__ == "__main__":
    main()
