"""The live page costs no measurable throughput (issue 12, must-show 5): getpeerinfo requests
per second from one keep-alive client (bench_server.py's client, a separate process) against a
served node with 125 peers on a 60x wall clock, with and without the page open and subscribed
to its event stream. The page is the real one in headless Chromium when Playwright and Debian's
chromium are installed, else a process reading the event stream as the page does. Runs
alternate (without, with, ...) and the best of each is compared: target ratio >= 0.90.

Run: .venv/bin/python bench/bench_page.py [--seconds S] [--rounds N]
"""

from __future__ import annotations

import argparse
import base64
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_server import measure

from simnode.local import LocalNode

CHROMIUM = Path("/usr/bin/chromium")
STREAM_READER = r"""
import http.client, sys
host, port, auth = sys.argv[1], int(sys.argv[2]), sys.argv[3]
while True:  # as EventSource does: read the stream, reconnect when it ends
    conn = http.client.HTTPConnection(host, port, timeout=30)
    conn.request("GET", "/simnode/stream", headers={"Authorization": auth})
    response = conn.getresponse()
    while response.read1(65536):
        pass
    conn.close()
"""


@contextmanager
def page_open(node: LocalNode, auth: str):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if sync_playwright is None or not CHROMIUM.exists():
        reader = subprocess.Popen([sys.executable, "-c", STREAM_READER, node.host,
                                   str(node.port), auth])  # fmt: skip
        try:
            yield "an event-stream reader"
        finally:
            reader.kill()
            reader.wait()
        return
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        context = browser.new_context(
            http_credentials={"username": node.user, "password": node.password}
        )
        page = context.new_page()
        page.goto(node.url)
        page.wait_for_function("document.querySelector('#link').textContent.startsWith('live')")
        try:
            yield "the page in headless Chromium"
        finally:
            context.close()
            browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0, help="per measurement")
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    with LocalNode(peers=125, seed=1, speed=60) as node:
        auth = "Basic " + base64.b64encode(f"{node.user}:{node.password}".encode()).decode()
        without, with_page = [], []
        for _ in range(options.rounds):
            without.append(measure(node.host, node.port, auth, options.seconds)["rate"])
            with page_open(node, auth) as what:
                with_page.append(measure(node.host, node.port, auth, options.seconds)["rate"])
                streams = node.app.admin.stream.open_streams
    best_without, best_with = max(without), max(with_page)
    print(f"getpeerinfo, 125 peers, one keep-alive client; page: {what} ({streams} stream)")
    print(f"without the page  {best_without:8.0f} req/s   (runs: "
          f"{', '.join(f'{r:.0f}' for r in without)})")  # fmt: skip
    print(f"with the page     {best_with:8.0f} req/s   (runs: "
          f"{', '.join(f'{r:.0f}' for r in with_page)})")  # fmt: skip
    ratio = best_with / best_without
    print(f"ratio {ratio:.2f} (target >= 0.90): {'met' if ratio >= 0.9 else 'NOT met'}")


if __name__ == "__main__":
    main()
