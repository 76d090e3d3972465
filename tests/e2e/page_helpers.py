"""A served scenario and a headless Chromium for the live page's tests and its screenshot:
``simnode serve`` in a subprocess (as a user runs it), Playwright driving Debian's chromium."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
USER, PASSWORD = "demo", "demo-password"


def browser_missing() -> str | None:
    """Why the page cannot be driven here, or None. In CI nothing may be missing: .ci/run
    installs chromium and playwright, so there the tests run (and fail if they cannot)."""
    if os.environ.get("CI"):
        return None
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    if not CHROMIUM.exists():
        return "no browser: Debian's chromium is not installed (apt-get install chromium)"
    return None


class Served:
    """``simnode serve`` with a password, on a free port."""

    def __init__(self, *args: str) -> None:
        self.datadir = Path(tempfile.mkdtemp(prefix="simnode-page-"))
        command = [sys.executable, "-m", "simnode.cli", "serve", "--rpcport", "0",
                   "--rpcuser", USER, "--rpcpassword", PASSWORD, "--datadir",
                   str(self.datadir), *args]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            match = re.search(r"at (http://127\.0\.0\.1:\d+/)$", line.strip())
            if match:
                self.url = match.group(1)
            if "live page" in line:
                break
        self.auth = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url.rstrip("/") + path, data=data, method=method,
                                         headers={"Authorization": self.auth})  # fmt: skip
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def rpc(self, method: str, *params: Any) -> Any:
        body = json.dumps({"jsonrpc": "1.0", "id": 1, "method": method, "params": params})
        request = urllib.request.Request(self.url, data=body.encode(), method="POST",
                                         headers={"Authorization": self.auth})  # fmt: skip
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())["result"]

    def stop(self) -> str:
        self.process.terminate()
        rest, _ = self.process.communicate(timeout=30)
        shutil.rmtree(self.datadir, ignore_errors=True)
        return "".join(self.lines) + rest


@contextmanager
def browser_page(served: Served, width: int = 1280, height: int = 900):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                             args=["--no-sandbox"])  # fmt: skip
        try:
            context = browser.new_context(
                http_credentials={"username": USER, "password": PASSWORD},
                viewport={"width": width, "height": height},
            )
            page = context.new_page()
            page.goto(served.url)
            yield page
            context.close()
        finally:
            browser.close()


__all__ = ["Served", "browser_missing", "browser_page", "urllib"]
