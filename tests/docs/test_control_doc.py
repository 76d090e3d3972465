"""docs/control.md (issue 12): it names every admin endpoint, and its curl examples work as
written against a served node."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from simnode.http.admin_routes import ENDPOINTS
from simnode.local import LocalNode

DOC = Path(__file__).resolve().parents[2] / "docs" / "control.md"


def test_every_endpoint_is_documented():
    text = DOC.read_text()
    missing = [e.where for e in ENDPOINTS if e.path.removeprefix("/simnode") not in text]
    assert missing == []


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_curl_examples_run_as_written():
    commands = [line for line in DOC.read_text().splitlines() if line.startswith("curl ")]
    assert len(commands) >= 25
    with LocalNode(peers=2, seed=1) as node:
        environment = {"PATH": "/usr/bin:/bin", "NODE": node.url.rstrip("/"),
                       "AUTH": f"{node.user}:{node.password}"}  # fmt: skip
        for command in commands:
            result = subprocess.run(["bash", "-c", command], env=environment, capture_output=True,
                                    text=True, timeout=30)  # fmt: skip
            assert result.returncode == 0, (command, result.stderr, result.stdout)
