"""The live peers page in headless Chromium (issue 12, must-show 1): Playwright for Python
driving Debian's chromium against ``simnode serve --scenario ping-timeout``."""

from __future__ import annotations

import urllib.error

import pytest

from tests.e2e.page_helpers import Served, browser_missing, browser_page

pytestmark = pytest.mark.skipif(browser_missing() is not None, reason=str(browser_missing()))


@pytest.fixture(scope="module")
def served():
    served = Served("--scenario", "ping-timeout")
    yield served
    served.stop()


@pytest.fixture
def page(served):
    served.admin("POST", "/simnode/scenario/load", {"name": "ping-timeout", "paused": False})
    served.admin("POST", "/simnode/faults/clear")
    with browser_page(served) as page:
        page.wait_for_selector("#peers tbody tr.peer")
        yield page


def expect():
    from playwright.sync_api import expect

    return expect


def test_the_peer_rows_are_getpeerinfo(served, page):
    served.admin("POST", "/simnode/scenario/pause")
    expect()(page.locator("#scenario-position")).to_contain_text("paused")
    peers = served.rpc("getpeerinfo")
    rows = page.locator("#peers tbody tr.peer")
    expect()(rows).to_have_count(len(peers))
    for row, peer in zip(rows.all(), peers, strict=True):
        assert row.get_attribute("data-peer-id") == str(peer["id"])
        assert row.locator('[data-field="addr"]').inner_text() == peer["addr"]
        assert row.locator('[data-field="subver"]').inner_text() == peer["subver"]
        assert row.locator('[data-field="banscore"]').inner_text() == str(peer["banscore"])
    row = rows.first  # a click shows its per-message byte counts
    row.click()
    detail = page.locator(f'tr.detail[data-detail-for="{peers[0]["id"]}"]')
    for message in peers[0]["bytessent_per_msg"]:
        expect()(detail).to_contain_text(message)


def test_a_ban_on_the_page_removes_the_row_and_lists_the_ban(served, page):
    row = page.locator("#peers tbody tr.peer", has_text="192.0.2.10:8567")
    row.locator('button[data-action="ban"]').click()
    expect()(row).to_have_count(0)
    expect()(page.locator('#banned tbody tr[data-address="192.0.2.10/32"]')).to_have_count(1)
    assert [ban["address"] for ban in served.rpc("listbanned")] == ["192.0.2.10/32"]
    assert "192.0.2.10:8567" not in [peer["addr"] for peer in served.rpc("getpeerinfo")]


def test_pause_on_the_page_stops_the_virtual_clock(served, page):
    page.click("#pause")
    expect()(page.locator("#scenario-position")).to_contain_text("paused")
    first = served.admin("GET", "/simnode/state")["now"]
    page.wait_for_timeout(1500)  # wall time passes; virtual time must not
    assert served.admin("GET", "/simnode/state")["now"] == first
    assert page.locator("#clock").get_attribute("data-now") == str(first).removesuffix(".0")
    page.click("#resume")
    expect()(page.locator("#scenario-position")).to_contain_text("playing")


def test_pingwait_ticks_while_a_ping_is_outstanding(page):
    cell = page.locator("#peers tbody tr.peer", has_text="198.51.100.77").locator(
        '[data-field="pingwait"]'
    )
    first = float(cell.inner_text().split()[0])
    expect()(cell).not_to_have_text(cell.inner_text())  # it changes by itself: the page ticks
    assert float(cell.inner_text().split()[0]) > first


def test_a_fault_armed_on_the_page_fails_the_next_rpc(served, page):
    page.select_option("#fault-name", "http_500")
    page.fill("#fault-method", "getblockcount")
    page.click("#arm")
    expect()(page.locator("#faults li")).to_contain_text("http_500_empty for getblockcount")
    with pytest.raises(urllib.error.HTTPError) as failure:
        served.rpc("getblockcount")
    failure.value.close()
    assert failure.value.code == 500
    assert isinstance(served.rpc("getblockcount"), int)  # it fired once
