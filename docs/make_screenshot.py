"""Makes docs/live-page.png, the live peers page mid-scenario, as the README shows it:
``simnode serve --scenario ban-storm`` paused at 11 minutes (five attackers banned, their retries
refused), one row expanded, in headless Chromium (Debian's chromium, driven by Playwright).

Run: .venv/bin/python docs/make_screenshot.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.page_helpers import Served, browser_missing, browser_page  # noqa: E402

OUT = ROOT / "docs" / "live-page.png"


def main() -> None:
    missing = browser_missing()
    if missing:
        sys.exit(f"cannot make the screenshot: {missing}")
    served = Served("--scenario", "ban-storm", "--peers", "0")
    try:
        served.admin("POST", "/simnode/scenario/pause")
        served.admin("POST", "/simnode/scenario/seek", {"offset": "11m"})
        with browser_page(served, width=1280, height=1000) as page:
            page.wait_for_selector('#banned tbody tr[data-address="203.0.113.15/32"]')
            served.admin("POST", "/simnode/scenario/speed", {"speed": 20})
            served.admin("POST", "/simnode/scenario/resume")
            page.wait_for_timeout(4000)  # the chart gathers a few points
            served.admin("POST", "/simnode/scenario/pause")
            page.locator("#peers tbody tr.peer").first.click()
            page.wait_for_selector("tr.detail")
            page.wait_for_timeout(700)
            page.screenshot(path=str(OUT), full_page=True)
    finally:
        served.stop()
    print(OUT)


if __name__ == "__main__":
    main()
