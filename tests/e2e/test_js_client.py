"""The npm bitcoin-core client (tests/js, installed by .ci/run) against a served node."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from simnode.local import LocalNode

JS = Path(__file__).resolve().parents[1] / "js"


# Skipped on a developer's machine without the npm client; never in CI, which installs it
# (.ci/run fails when it cannot), so a missing install fails this test instead of hiding it.
@pytest.mark.skipif(
    not os.environ.get("CI")
    and (shutil.which("node") is None or not (JS / "node_modules" / "bitcoin-core").exists()),
    reason="Node.js or tests/js's packages are missing (npm ci --prefix tests/js)",
)
def test_the_npm_bitcoin_core_client():
    with LocalNode(peers=5, seed=2) as node:
        result = subprocess.run(
            ["node", str(JS / "client.js"), str(node.port), node.user, node.password],
            capture_output=True, text=True, timeout=60, check=True,
        )  # fmt: skip
        seen = json.loads(result.stdout)
        assert seen == {
            "peers": 5, "firstKeys": ["id", "addr", "addrlocal", "addrbind"], "count": 5,
            "subversion": "/Turing:3.0.0/", "relayfee": 0.00001, "banned": 0,
            "error": {"code": -29, "message": "Node not found in connected nodes"},
            "afterBan": ["192.0.2.0/24"],
        }  # fmt: skip
        node.assert_called("setban", params=["192.0.2.0/24", "add"])


@pytest.mark.skipif(not os.environ.get("CI") and shutil.which("node") is None,
                    reason="Node.js is missing")  # fmt: skip
def test_a_js_suite_arms_a_fault_and_reads_the_journal_with_fetch():
    """issue 12, must-show 4: the admin API from another language, with nothing but fetch."""
    with LocalNode(peers=3, seed=5) as node:
        result = subprocess.run(
            ["node", str(JS / "admin.js"), str(node.port), node.user, node.password],
            capture_output=True, text=True, timeout=60, check=True,
        )  # fmt: skip
        seen = json.loads(result.stdout)
    assert seen["armed"] == [200, "http_500", "getpeerinfo", 1]
    assert seen["refused"][0] == 400 and "'tims'" in seen["refused"][1]
    assert seen["failed"] == [500, ""]
    assert seen["worked"] == [200, 3] and seen["other"] == 3
    assert seen["journal"] == [["getpeerinfo", 500, "http_500_empty"],
                               ["getpeerinfo", 200, None]]  # fmt: skip
    assert seen["left"] == 0
