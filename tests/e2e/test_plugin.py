"""The pytest plugin, tested the way a user meets it: test files in a fresh project (pytester),
with no conftest, run by pytest."""

import pytest

AUTH_HELPERS = """
import base64, http.client, json

def call(node, method, params=(), conn=None):
    own = conn is None
    conn = conn or http.client.HTTPConnection(node.host, node.port, timeout=5)
    token = base64.b64encode(f"{node.user}:{node.password}".encode()).decode()
    try:
        conn.request("POST", "/", json.dumps({"method": method, "params": list(params), "id": 7}),
                     {"Authorization": f"Basic {token}"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        if own:
            conn.close()
"""


def run(pytester, source: str, *args: str):
    pytester.makepyfile(helpers=AUTH_HELPERS, test_it=source)
    pytester.syspathinsert()
    return pytester.runpytest("-p", "no:cacheprovider", *args)


def test_fixture_and_marker_with_real_clients(pytester):
    result = run(
        pytester,
        """
import pytest
import bitcoin.rpc
from bitcoinrpc.authproxy import AuthServiceProxy

def test_fresh_node_is_empty(simnode):
    proxy = AuthServiceProxy(simnode.rpc_url)
    assert proxy.getpeerinfo() == []
    proxy._AuthServiceProxy__conn.close()

@pytest.mark.simnode(peers=5, seed=2)
def test_marker_peers(simnode):
    proxy = AuthServiceProxy(simnode.rpc_url)
    assert proxy.getconnectioncount() == 5
    proxy._AuthServiceProxy__conn.close()

@pytest.mark.simnode(peers=2, auth="cookie")
def test_cookie_auth_through_the_conf_file(simnode):
    assert simnode.cookie_path.read_text().startswith("__cookie__:")
    proxy = bitcoin.rpc.RawProxy(btc_conf_file=str(simnode.conf_path))
    assert len(proxy.getpeerinfo()) == 2
    proxy.close()

@pytest.mark.simnode(profile="spec", peers=1)
def test_profile(simnode):
    assert "addrbind" not in simnode.peers()[0]

@pytest.mark.simnode(scenario="ban-storm")
def test_scenario(simnode):
    simnode.advance(11 * 60)
    assert len(simnode.banned()) == 5

def test_factory_makes_independent_nodes(simnode_factory, simnode):
    a, b = simnode_factory(peers=1), simnode_factory(peers=2)
    assert {a.port, b.port, simnode.port} == {a.port, b.port, simnode.port}
    assert len({a.port, b.port, simnode.port}) == 3
    assert (len(a.peers()), len(b.peers())) == (1, 2)
""",
    )
    result.assert_outcomes(passed=6)


def test_faults_as_clients_see_them(pytester):
    result = run(
        pytester,
        """
import http.client, json, time
import pytest
from helpers import call

@pytest.mark.simnode(peers=2)
def test_each_fault(simnode):
    simnode.faults.http_500(method="getpeerinfo")
    assert call(simnode, "getpeerinfo") == (500, b"")
    simnode.faults.work_queue_full()
    assert call(simnode, "getpeerinfo") == (500, b"Work queue depth exceeded")
    simnode.faults.warming_up("Rewinding blocks...")
    status, body = call(simnode, "getconnectioncount")
    assert status == 500
    assert json.loads(body)["error"] == {"code": -28, "message": "Rewinding blocks..."}
    simnode.faults.wrong_id()
    assert json.loads(call(simnode, "getconnectioncount")[1])["id"] == 8
    simnode.faults.malformed_json()
    status, body = call(simnode, "getpeerinfo")
    assert status == 200
    with pytest.raises(ValueError):
        json.loads(body)
    simnode.faults.drop()
    with pytest.raises(http.client.RemoteDisconnected):
        call(simnode, "getpeerinfo")
    simnode.faults.reset()  # reset mid-response: the client sees the reset or a short body
    with pytest.raises((ConnectionResetError, http.client.IncompleteRead)):
        call(simnode, "getpeerinfo")
    simnode.faults.truncated()
    with pytest.raises(http.client.IncompleteRead):
        call(simnode, "getpeerinfo")
    simnode.faults.latency(0.3, method="uptime")
    started = time.monotonic()
    assert call(simnode, "uptime")[0] == 200
    assert time.monotonic() - started >= 0.3
    assert call(simnode, "getconnectioncount") == (200, b'{"result":2,"error":null,"id":7}\\n')

def test_dropped_keep_alive_connection_breaks_a_reusing_client(simnode):
    simnode.faults.close_after_response()
    conn = http.client.HTTPConnection(simnode.host, simnode.port, timeout=5)
    try:
        assert call(simnode, "uptime", conn=conn)[0] == 200
        time.sleep(0.2)
        with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
            call(simnode, "uptime", conn=conn)
    finally:
        conn.close()

def test_faults_n_times_and_until_cleared(simnode):
    simnode.faults.http_500(times=2)
    assert [call(simnode, "uptime")[0] for _ in range(3)] == [500, 500, 200]
    simnode.faults.http_500(times=None)
    assert [call(simnode, "uptime")[0] for _ in range(3)] == [500, 500, 500]
    simnode.faults.clear()
    assert call(simnode, "uptime")[0] == 200
""",
    )
    result.assert_outcomes(passed=3)


def test_journal_helpers_and_the_failure_report(pytester):
    result = run(
        pytester,
        """
from helpers import call

def test_journal(simnode):
    call(simnode, "getpeerinfo")
    call(simnode, "setban", ["192.0.2.1", "add", 60])
    call(simnode, "getpeerinfo")
    simnode.assert_called("getpeerinfo", times=2)
    simnode.assert_called("setban", params=["192.0.2.1", "add"])
    simnode.journal.assert_not_called("ping")
    (ban,) = simnode.journal.calls("setban")
    assert (ban.user, ban.status, ban.error_code) == ("simnode", 200, None)

def test_failing_shows_the_journal(simnode):
    call(simnode, "getconnectioncount")
    simnode.assert_called("getpeerinfo")
""",
    )
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "*getpeerinfo was never called*",
        "*simnode call journal (simnode)*",
        "*getconnectioncount() id=7 -> HTTP 200 ok*",
    ])  # fmt: skip


def test_problems_are_raised_at_teardown_unless_not_strict(pytester):
    result = run(
        pytester,
        """
import pytest
from helpers import call

def test_unused_fault(simnode):
    simnode.faults.reset(method="getpeerinfo")

def test_unknown_method(simnode):
    assert call(simnode, "getblockstats")[0] == 404

@pytest.mark.simnode(strict=False)
def test_not_strict(simnode):
    simnode.faults.reset(method="getpeerinfo")
    call(simnode, "getblockstats")
""",
    )
    result.assert_outcomes(passed=3, errors=2)
    result.stdout.fnmatch_lines([
        "*a fault was armed but not (fully) triggered: reset for getpeerinfo*",
        "*the client called a method the node does not have*getblockstats*",
    ])  # fmt: skip


DIRTY = """
def test_dirty(simnode):
    peer = simnode.add_peer("192.0.2.9:8567")
    simnode.ban("203.0.113.0/24")
    simnode.misbehave(simnode.add_peer("198.51.100.4:1"), 100)
    simnode.disconnect(peer)
    simnode.advance(86000)
    simnode.faults.http_500(times=None)
    simnode.warm_up("Loading wallet...")
"""
CLEAN = """
from helpers import call

def test_clean(simnode):
    assert simnode.peers() == [] and simnode.banned() == []
    assert simnode.node.snapshot().now_seconds == 1631714400
    assert call(simnode, "getconnectioncount")[0] == 200
    assert simnode.journal.calls() != [] and len(simnode.journal.calls()) == 1
    assert simnode.add_peer() == 0
"""


@pytest.mark.parametrize(
    "order", [(DIRTY, CLEAN), (CLEAN, DIRTY)], ids=["dirty-first", "clean-first"]
)
def test_state_isolation_in_both_orders(pytester, order):
    pytester.makepyfile(helpers=AUTH_HELPERS, test_a=order[0], test_b=order[1])
    pytester.syspathinsert()
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(passed=2)


def test_200_fixture_tests_under_xdist(pytester):
    pytester.makepyfile(
        helpers=AUTH_HELPERS,
        test_many="""
import pytest
from helpers import call

@pytest.mark.parametrize("n", range(200))
def test_one(simnode, n):
    ids = simnode.add_peers(n % 5)
    simnode.ban(f"192.0.2.{n % 250 + 1}")
    status, body = call(simnode, "getconnectioncount")
    assert status == 200 and body == f'{{"result":{len(ids)},"error":null,"id":7}}\\n'.encode()
    assert len(simnode.banned()) == 1
""",
    )
    pytester.syspathinsert()
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(passed=200)


def test_settings_from_ini_command_line_and_a_conftest_fixture(pytester):
    pytester.makeini("[pytest]\nsimnode_peers = 3\nsimnode_seed = 4\n")
    pytester.makepyfile(
        test_options="""
import pytest

def test_ini_and_command_line(simnode):
    assert len(simnode.peers()) == 3            # from the ini file
    assert "addnode" not in simnode.peers()[0]  # --simnode-profile spec, from the command line

@pytest.mark.simnode(peers=1)
def test_marker_beats_both(simnode):
    assert len(simnode.peers()) == 1
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "--simnode-profile", "spec")
    result.assert_outcomes(passed=2)

    pytester.makeconftest("""
import dataclasses
import pytest

@pytest.fixture
def simnode_config(simnode_defaults):
    return dataclasses.replace(simnode_defaults, peers=5, auth="cookie")
""")
    pytester.makepyfile(
        test_options="""
def test_conftest_override(simnode):
    assert len(simnode.peers()) == 5 and simnode.cookie_path.exists()
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_a_bad_marker_fails_its_own_test_only(pytester):
    """issue 14 defect 2, issue 16 defect 7: a marker that cannot be applied fails its test
    with a one-line reason naming the value, and the next tests get a clean node."""
    pytester.makepyfile(
        """
import pytest

@pytest.mark.simnode(scenario="nosuch")
def test_unknown_scenario(simnode):
    pass

def test_next_has_a_clean_node(simnode):
    assert simnode.peers() == []

@pytest.mark.simnode(peers="x")
def test_bad_peers(simnode):
    pass

@pytest.mark.simnode(profile="nope")
def test_unknown_profile(simnode):
    pass

@pytest.mark.simnode(3)
def test_positional(simnode):
    pass

@pytest.mark.simnode(colour="blue")
def test_unknown_keyword(simnode):
    pass

@pytest.mark.simnode(peers=2)
def test_after_all_that(simnode):
    assert len(simnode.peers()) == 2
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, errors=5)
    result.stdout.fnmatch_lines_random([
        "*simnode marker: nosuch: no such scenario file*",
        "*simnode marker: peers must be a non-negative integer, not 'x'*",
        "*simnode marker: unknown profile 'nope'*",
        "*simnode marker takes keywords only*not 3*",
        "*unknown simnode marker keyword(s): colour (known: *",
    ])  # fmt: skip
    assert "Traceback" not in result.stdout.str()
