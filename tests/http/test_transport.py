"""The HTTP and JSON-RPC contract of PAI Core 3.0.0 (reference sections 4.1-4.3, 4.5, 9),
through werkzeug's test client: exact statuses, codes, messages and bytes."""

import json

import pytest

from simnode.http.runner import REPLY_DELAY
from simnode.model import StartListening, StopListening
from simnode.model.limits import ADDED_NODE_POLL_SECONDS, ADDED_NODE_RETRY_SECONDS
from tests.transport_helpers import AUTH, AppUnderTest, basic


@pytest.fixture
def app():
    return AppUnderTest()


def error_of(response):
    return response.status_code, json.loads(response.data)["error"]


# --- transport: decided before authentication --------------------------------------------------
@pytest.mark.parametrize(
    "path", ["/x", "/?x", "//", "/rest/chaininfo.json", "/simnodes", "/wallet"]
)
def test_unknown_paths_are_404_with_an_empty_body_even_without_credentials(app, path):
    response = app.client.post(path, data="{}")
    assert (response.status_code, response.data) == (404, b"")


@pytest.mark.parametrize(("method", "path"), [("GET", "/wallet/w"), ("HEAD", "/"), ("PUT", "/")])
def test_non_post_methods_get_405_with_the_nodes_text_before_auth(app, method, path):
    response = app.client.open(path, method=method)
    assert response.status_code == 405
    if method != "HEAD":
        assert response.data == b"JSONRPC server handles only POST requests"


def test_get_root_is_the_live_page_behind_the_credentials(app):
    """issue 12: a browser's GET / gets the page (JSON-RPC stays POST /); without credentials
    a 401 whose challenge makes the browser ask for them."""
    refused = app.client.get("/")
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"] == 'Basic realm="jsonrpc"'
    page = app.client.get("/", headers=AUTH)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert b'<table id="peers">' in page.data and b"/simnode/ui/app.js" in page.data


def test_delete_is_an_unknown_method_405_with_empty_body(app):
    response = app.client.delete("/")
    assert (response.status_code, response.data) == (405, b"")


def test_methods_libevent_does_not_allow_get_501(app):
    assert app.client.open("/", method="OPTIONS").status_code == 501
    assert app.client.open("/", method="PATCH").status_code == 501


def test_a_body_over_32_mib_gets_libevents_413_before_auth(app):
    """evhttp_set_max_body_size(MAX_SIZE): libevent refuses the body before any callback."""
    response = app.client.post("/", data=b"{}", environ_overrides={"CONTENT_LENGTH": "33554433"})
    assert response.status_code == 413
    assert response.headers["Connection"] == "close"
    assert b"<TITLE>413 Request Entity Too Large</TITLE>" in response.data


def test_clients_outside_rpcallowip_get_403_before_anything_else(app):
    outside = {"REMOTE_ADDR": "192.0.2.5"}
    response = app.client.post("/", data="{}", headers=AUTH, environ_overrides=outside)
    assert (response.status_code, response.data) == (403, b"")
    assert app.client.get("/nowhere", environ_overrides=outside).status_code == 403
    allowed = AppUnderTest(allowed_clients=("127.0.0.0/8", "192.0.2.0/24"))
    response = allowed.client.post("/", data='{"method":"uptime"}', headers=AUTH,
                                   environ_overrides=outside)  # fmt: skip
    assert response.status_code == 200


@pytest.mark.parametrize("timestamp", [55424, 0, 2**63 - 1])
def test_setmocktime_into_the_past_or_beyond_int64_time_leaves_the_clock(app, timestamp):
    before = app.call("getnettotals")[1]["result"]["timemillis"]
    assert app.call("setmocktime", timestamp)[1]["error"] is None
    assert app.call("getnettotals")[1]["result"]["timemillis"] == before


def test_stop_answers_then_the_server_refuses_until_a_reset(app):
    assert app.call("stop") == (200, {"result": "PAI Coin server stopping", "error": None,
                                      "id": 1})  # fmt: skip
    assert app.post({"method": "uptime"}).status_code == 503
    app.simulation.reset()
    assert app.post({"method": "uptime"}).status_code == 200


def test_wallet_paths_are_served(app):
    response = app.post({"method": "getconnectioncount", "id": 1}, path="/wallet/w1")
    assert response.status_code == 200


# --- authentication -----------------------------------------------------------------------------
def test_no_credentials_is_401_at_once_with_the_realm(app):
    response = app.post({"method": "uptime"}, headers={})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Basic realm="jsonrpc"'
    assert response.data == b""
    assert REPLY_DELAY not in app.environ


@pytest.mark.parametrize(
    "header",
    [basic("alice:wrong"), basic("mallory:s3cret"), {"Authorization": "Bearer abc"},
     {"Authorization": "Basic !!!"}, basic("alice")],
)  # fmt: skip
def test_wrong_credentials_are_401_after_the_nodes_250ms_delay(app, header):
    """The app asks its server to hold the reply back 250 ms; it sleeps on no thread."""
    response = app.post({"method": "uptime"}, headers=header)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Basic realm="jsonrpc"'
    assert app.environ[REPLY_DELAY] == 0.25
    assert app.sleeps == []


def test_rpcauth_entries_authenticate(app):
    assert app.post({"method": "uptime"}, headers=basic("bob:hunter2")).status_code == 200
    assert app.post({"method": "uptime"}, headers=basic("bob:hunter3")).status_code == 401


# --- replies ------------------------------------------------------------------------------------
def test_reply_is_compact_json_with_newline_and_exact_content_type(app):
    response = app.client.post("/", data='{"method":"getconnectioncount","id":7}', headers=AUTH)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.data == b'{"result":3,"error":null,"id":7}\n'


@pytest.mark.parametrize("request_id", ["curltest", 0, 1.5, None, [1, "a"], {"k": [1]}, True])
def test_id_is_echoed_verbatim(app, request_id):
    _status, reply = app.call("getconnectioncount", request_id=request_id)
    assert list(reply) == ["result", "error", "id"]
    assert reply["id"] == request_id


@pytest.mark.parametrize(
    "raw_id",
    [b"1.0", b"1.50", b"-0.25", b"12345678901234567890", b"1e2", b"1E+2", b"-0", b"2.5e-3"],
)
def test_numeric_ids_are_echoed_as_written(app, raw_id):
    response = app.post(b'{"method":"getconnectioncount","id":' + raw_id + b"}")
    assert response.data == b'{"result":3,"error":null,"id":' + raw_id + b"}\n"


def test_missing_id_replies_with_null_and_jsonrpc_key_is_ignored(app):
    response = app.post({"jsonrpc": "2.0", "method": "getconnectioncount"})
    assert response.data == b'{"result":3,"error":null,"id":null}\n'


# --- JSON-RPC errors ---------------------------------------------------------------------------
@pytest.mark.parametrize("body", [b"", b"this is bad", b'{"method":', b"[1,", b"NaN", b"\xff"])
def test_parse_errors_are_500_with_the_nodes_exact_body(app, body):
    response = app.post(body)
    assert response.status_code == 500
    assert response.data == (
        b'{"result":null,"error":{"code":-32700,"message":"Parse error"},"id":null}\n'
    )


@pytest.mark.parametrize("depth", [511, 512])
def test_deeply_nested_ids_within_univalues_limit_are_echoed(app, depth):
    nested = b"[" * (depth - 1) + b"]" * (depth - 1)
    response = app.post(b'{"method":"uptime","id":' + nested + b"}")
    assert response.status_code == 200
    assert response.data.endswith(b',"id":' + nested + b"}\n")


@pytest.mark.parametrize("depth", [513, 900, 100_000])
def test_documents_deeper_than_univalues_limit_do_not_parse(app, depth):
    nested = b"[" * (depth - 1) + b"]" * (depth - 1)
    response = app.post(b'{"method":"uptime","id":' + nested + b"}")
    assert response.status_code == 500
    assert json.loads(response.data)["error"] == {"code": -32700, "message": "Parse error"}


@pytest.mark.parametrize("body", [b"5", b'"getpeerinfo"', b"null", b"true"])
def test_top_level_scalars_are_500_top_level_object_parse_error(app, body):
    assert error_of(app.post(body)) == (
        500, {"code": -32700, "message": "Top-level object parse error"}
    )  # fmt: skip


@pytest.mark.parametrize(
    ("request_body", "message"),
    [
        ({"id": 4}, "Missing method"),
        ({"id": 4, "method": None}, "Missing method"),
        ({"id": 4, "method": 12}, "Method must be a string"),
        ({"id": 4, "method": "uptime", "params": "x"}, "Params must be an array or object"),
        ({"id": 4, "method": "uptime", "params": 3}, "Params must be an array or object"),
    ],
)
def test_invalid_requests_are_400_with_the_id_echoed(app, request_body, message):
    response = app.post(request_body)
    assert error_of(response) == (400, {"code": -32600, "message": message})
    assert json.loads(response.data)["id"] == 4


@pytest.mark.parametrize("method", ["getrpcinfo", "getblockstats", "nosuchmethod"])
def test_unknown_method_is_404_method_not_found(app, method):
    """PAI Core 3.0.0 has neither getrpcinfo nor getblockstats (Bitcoin Core 0.18/0.17)."""
    assert app.call(method) == (
        404, {"result": None, "error": {"code": -32601, "message": "Method not found"}, "id": 1}
    )  # fmt: skip


@pytest.mark.parametrize(
    ("method", "params"),
    [("getpeerinfo", [1]), ("ping", [True]), ("setban", ["1.2.3.4"]), ("addnode", ["a"]),
     ("setnetworkactive", []), ("disconnectnode", []), ("getaddednodeinfo", ["a", "b"]),
     ("setban", ["1.2.3.4", "ban"]), ("addnode", ["192.0.2.1", "connect"])],
)  # fmt: skip
def test_wrong_arity_or_command_is_minus_1_with_the_methods_help_text(app, method, params):
    status, reply = app.call(method, *params)
    assert status == 500
    assert reply["error"]["code"] == -1
    _help_status, help_reply = app.call("help", method)
    assert reply["error"]["message"] == help_reply["result"]
    assert reply["error"]["message"].startswith(method)
    assert "Examples:" in reply["error"]["message"]
    assert "paicoin-cli" in reply["error"]["message"]


@pytest.mark.parametrize(
    ("method", "params", "code", "message"),
    [
        ("setban", ["192.0.2.9", "add", "x"], -1, "JSON value is not an integer as expected"),
        ("setban", [5, "add"], -1, "JSON value is not a string as expected"),
        ("setnetworkactive", ["yes"], -1, "JSON value is not a boolean as expected"),
        ("disconnectnode", ["", "x"], -1, "JSON value is not an integer as expected"),
        ("setmocktime", ["x"], -3, "Expected type number, got string"),
        ("setmocktime", [None], -3, "Expected type number, got null"),
    ],
)
def test_wrong_types_get_the_nodes_code_and_message(app, method, params, code, message):
    assert app.call(method, *params) == (
        500, {"result": None, "error": {"code": code, "message": message}, "id": 1}
    )  # fmt: skip


@pytest.mark.parametrize("bantime", [b"1.0", b"1e2", b"86400.5", b"9223372036854775808"])
def test_integers_are_parsed_from_the_numbers_text_as_the_node_does(app, bantime):
    """get_int64 is ParseInt64 of the text: 1.0 and 1e2 equal integers but are out of range."""
    body = b'{"method":"setban","params":["192.0.2.9","add",' + bantime + b'],"id":1}'
    assert error_of(app.post(body)) == (500, {"code": -1, "message": "JSON integer out of range"})
    assert app.call("listbanned")[1]["result"] == []


def test_named_parameters(app):
    response = app.post({"method": "setban", "params": {"subnet": "192.0.2.200",
                                                          "command": "add"}, "id": 1})  # fmt: skip
    assert response.status_code == 200
    response = app.post({"method": "setban", "params": {"subnet": "x", "cmd": "add"}, "id": 1})
    assert error_of(response) == (500, {"code": -8, "message": "Unknown named parameter cmd"})
    response = app.post({"method": "disconnectnode", "params": {"nodeid": 0}, "id": 1})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("method", "params", "code", "message"),
    [
        ("disconnectnode", ["192.0.2.1:1", 1], -32602,
         "Only one of address and nodeid should be provided."),
        ("disconnectnode", ["192.0.2.250:1"], -29, "Node not found in connected nodes"),
        ("disconnectnode", ["", 99], -29, "Node not found in connected nodes"),
        ("addnode", ["192.0.2.250:8567", "remove"], -24, "Error: Node has not been added."),
        ("getaddednodeinfo", ["192.0.2.250:8567"], -24, "Error: Node has not been added."),
        ("setban", ["192.0.2.250", "remove"], -30,
         "Error: Unban failed. Requested address/subnet was not previously banned."),
        ("setban", ["not-an-ip", "add"], -30, "Error: Invalid IP/Subnet"),
        ("setban", ["192.0.2.0/33", "add"], -30, "Error: Invalid IP/Subnet"),
    ],
)  # fmt: skip
def test_net_rpc_errors(app, method, params, code, message):
    assert app.call(method, *params) == (
        500, {"result": None, "error": {"code": code, "message": message}, "id": 1}
    )  # fmt: skip


def test_adding_twice_is_minus_23(app):
    assert app.call("setban", "192.0.2.251", "add")[0] == 200
    assert app.call("setban", "192.0.2.251", "add")[1]["error"] == {
        "code": -23, "message": "Error: IP/Subnet already banned"}  # fmt: skip
    assert app.call("addnode", "192.0.2.252:8567", "add")[0] == 200
    assert app.call("addnode", "192.0.2.252:8567", "add")[1]["error"] == {
        "code": -23, "message": "Error: Node already added"}  # fmt: skip


# --- batches --------------------------------------------------------------------------------------
def test_batches_are_200_answered_in_order_with_errors_embedded(app):
    batch = [
        {"method": "getconnectioncount", "id": "a"},
        5,
        {"method": "nosuch", "id": "b"},
        [],
        {"id": "c"},
        {"method": "getpeerinfo", "params": None, "id": 0},
    ]
    response = app.post(batch)
    assert response.status_code == 200
    replies = json.loads(response.data)
    assert [r["id"] for r in replies] == ["a", None, "b", None, "c", 0]
    assert replies[0] == {"result": 3, "error": None, "id": "a"}
    assert replies[1]["error"] == {"code": -32600, "message": "Invalid Request object"}
    assert replies[2]["error"] == {"code": -32601, "message": "Method not found"}
    assert replies[4]["error"] == {"code": -32600, "message": "Missing method"}
    assert len(replies[5]["result"]) == 3


def test_empty_batch_is_answered_with_an_empty_array(app):
    response = app.post(b"[]")
    assert (response.status_code, response.data) == (200, b"[]\n")


# --- warm-up and the work queue ------------------------------------------------------------------
def test_warmup_answers_every_call_with_minus_28(app):
    app.simulation.warmup_message = "Loading block index..."
    for method in ("getpeerinfo", "nosuch"):
        assert app.call(method) == (
            500, {"result": None, "error": {"code": -28, "message": "Loading block index..."},
                  "id": 1},
        )  # fmt: skip


def test_full_work_queue_is_500_work_queue_depth_exceeded():
    app = AppUnderTest(rpc_threads=1, work_queue_depth=0)
    assert app.app.work_queue.admit()  # one request is being worked on
    response = app.post({"method": "uptime"})
    assert (response.status_code, response.data) == (500, b"Work queue depth exceeded")
    app.app.work_queue.release()
    assert app.post({"method": "uptime"}).status_code == 200


# --- requests change state through events -------------------------------------------------------
def test_ping_makes_pingwait_appear_on_every_peer(app):
    assert app.call("ping") == (200, {"result": None, "error": None, "id": 1})
    peers = app.call("getpeerinfo")[1]["result"]
    assert peers and all("pingwait" in p for p in peers)


def test_disconnectnode_removes_the_peer_and_setban_disconnects_a_peer_in_the_subnet(app):
    peers = app.call("getpeerinfo")[1]["result"]
    app.call("disconnectnode", peers[0]["addr"])
    app.call("disconnectnode", "", peers[1]["id"])
    host = peers[2]["addr"].rsplit(":", 1)[0].strip("[]")
    assert app.call("setban", host, "add", 3600)[0] == 200
    assert app.call("getpeerinfo")[1]["result"] == []
    (ban,) = app.call("listbanned")[1]["result"]
    assert list(ban) == ["address", "banned_until", "ban_created", "ban_reason"]
    assert ban["banned_until"] - ban["ban_created"] == 3600
    assert ban["ban_reason"] == "manually added"
    assert app.call("clearbanned")[1]["result"] is None
    assert app.call("listbanned")[1]["result"] == []


def test_setban_absolute_and_default_bantime(app):
    now = app.call("getnettotals")[1]["result"]["timemillis"] // 1000
    app.call("setban", "192.0.2.0/24", "add", now + 500, True)
    app.call("setban", "2001:db8::/32", "add")
    bans = {b["address"]: b for b in app.call("listbanned")[1]["result"]}
    assert bans["192.0.2.0/24"]["banned_until"] == now + 500
    assert bans["2001:db8::/32"]["banned_until"] == now + 86400


def test_addnode_connects_only_where_a_node_listens(app):
    """issue 10: the added-node thread connects an added node only once something listens
    there, within its 60 s retry interval; onetry tries once, now; disconnectnode of a node
    that never connected is -29."""
    node = app.simulation.node
    app.call("addnode", "192.0.2.240:8567", "add")
    app.call("addnode", "192.0.2.241:8567", "onetry")
    node.advance(3600)  # an hour of the thread's retries: nothing listens there
    addrs = {p["addr"] for p in app.call("getpeerinfo")[1]["result"]}
    assert not addrs & {"192.0.2.240:8567", "192.0.2.241:8567"}
    assert app.call("getaddednodeinfo")[1]["result"] == [
        {"addednode": "192.0.2.240:8567", "connected": False, "addresses": []}
    ]
    assert error_of(app.post({"method": "disconnectnode", "params": ["192.0.2.240:8567"],
                              "id": 1})) == (
        500, {"code": -29, "message": "Node not found in connected nodes"})  # fmt: skip

    node.apply(StartListening("192.0.2.240:8567", subver="/Turing:3.0.0/"))
    node.advance(ADDED_NODE_RETRY_SECONDS)  # the thread's next round
    peers = {p["addr"]: p for p in app.call("getpeerinfo")[1]["result"]}
    assert peers["192.0.2.240:8567"]["addnode"] is True
    assert peers["192.0.2.240:8567"]["inbound"] is False
    assert app.call("getaddednodeinfo")[1]["result"] == [
        {"addednode": "192.0.2.240:8567", "connected": True,
         "addresses": [{"address": "192.0.2.240:8567", "connected": "outbound"}]}
    ]  # fmt: skip


def test_an_added_node_that_goes_away_is_reconnected_when_it_comes_back(app):
    node = app.simulation.node
    node.apply(StartListening("192.0.2.242:8567"))
    app.call("addnode", "192.0.2.242:8567", "add")
    node.advance(ADDED_NODE_POLL_SECONDS)  # an idle thread polls every 2 s
    assert connected(app, "192.0.2.242:8567")
    node.apply(StopListening("192.0.2.242:8567"))
    assert not connected(app, "192.0.2.242:8567")
    node.advance(600)
    assert not connected(app, "192.0.2.242:8567")
    node.apply(StartListening("192.0.2.242:8567"))
    node.advance(ADDED_NODE_RETRY_SECONDS)
    assert connected(app, "192.0.2.242:8567")


def test_onetry_connects_at_once_to_a_listening_node_and_is_not_listed(app):
    app.simulation.node.apply(StartListening("192.0.2.243:8567", subver="/Turing:2.3.1/"))
    assert app.call("addnode", "192.0.2.243:8567", "onetry")[1]["result"] is None
    peer = next(p for p in app.call("getpeerinfo")[1]["result"] if p["addr"] == "192.0.2.243:8567")
    assert (peer["subver"], peer["addnode"]) == ("/Turing:2.3.1/", True)
    assert app.call("getaddednodeinfo")[1]["result"] == []


def connected(app, addr: str) -> bool:
    return any(p["addr"] == addr for p in app.call("getpeerinfo")[1]["result"])


def test_setnetworkactive_and_setmocktime(app):
    assert app.call("setnetworkactive", False)[1]["result"] is False
    info = app.call("getnetworkinfo")[1]["result"]
    assert (info["networkactive"], info["connections"]) == (False, 0)
    before = app.call("uptime")[1]["result"]
    now = app.call("getnettotals")[1]["result"]["timemillis"] // 1000
    app.call("setmocktime", now + 3600)
    assert app.call("uptime")[1]["result"] == before + 3600


def test_getnetworkinfo_has_pai_cores_shape(app):
    response = app.post({"method": "getnetworkinfo", "id": 1})
    text = response.data.decode()
    assert '"relayfee":0.00001000,"incrementalfee":0.00001000' in text
    info = json.loads(text)["result"]
    assert list(info) == [
        "version", "subversion", "protocolversion", "localservices", "localrelay", "timeoffset",
        "networkactive", "connections", "networks", "relayfee", "incrementalfee",
        "localaddresses", "warnings",
    ]  # fmt: skip
    assert (info["version"], info["subversion"]) == (3000000, "/Turing:3.0.0/")
    assert [n["name"] for n in info["networks"]] == ["ipv4", "ipv6", "onion"]


def test_getinfo_has_pai_cores_shape(app):
    response = app.post({"method": "getinfo", "id": 1})
    assert '"relayfee":0.00001000,"errors":""}' in response.data.decode()
    info = json.loads(response.data)["result"]
    assert list(info) == ["version", "protocolversion", "blocks", "timeoffset", "connections",
                          "proxy", "difficulty", "testnet", "relayfee", "errors"]  # fmt: skip
    assert (info["version"], info["connections"], info["blocks"]) == (3000000, 3, 1182566)


def test_help_lists_categories():
    _status, reply = AppUnderTest().call("help")
    text = reply["result"]
    sections = {block.split("\n")[0]: block.split("\n")[1:] for block in text.split("\n\n")}
    assert list(sections) == ["== Blockchain ==", "== Control ==", "== Mining ==",
                              "== Network ==", "== Rawtransactions ==", "== Util =="]  # fmt: skip
    assert sections["== Blockchain =="][:3] == ["getbestblock", "getbestblockhash",
                                                  'getblock "blockhash" ( verbosity )']  # fmt: skip
    assert "== Network ==\naddnode" in text
    assert "setmocktime" not in text  # hidden, as in the node


# --- control plane ------------------------------------------------------------------------------
def test_control_plane_applies_events_advances_and_resets(app):
    events = {"events": [{"type": "connect", "addr": "203.0.113.50:8567"},
                         {"type": "misbehave", "peer_id": 0, "score": 5}]}  # fmt: skip
    response = app.post(events, path="/simnode/events")
    assert json.loads(response.data) == {"results": [3, None]}
    state = json.loads(app.post({}, path="/simnode/state").data)
    assert [p["id"] for p in state["peers"]] == [0, 1, 2, 3]
    assert state["peers"][0]["banscore"] == 5
    bad = app.post({"events": [{"type": "disconnect", "peer_id": 99}]}, path="/simnode/events")
    assert bad.status_code == 400
    assert "no connected peer with id 99" in json.loads(bad.data)["error"]
    app.post({"seconds": 60}, path="/simnode/advance")
    app.post({}, path="/simnode/reset")
    assert len(json.loads(app.post({}, path="/simnode/state").data)["peers"]) == 3
    assert app.post({}, path="/simnode/events", headers={}).status_code == 401


@pytest.mark.parametrize(("action", "body", "named"), [
    ("reset", {"scenaro": "ban-storm"}, "'scenaro'"),
    ("advance", {"seconds": 5, "speed": 2}, "'speed'"),
    ("warmup", {"msg": "x"}, "'msg'"),
    ("state", {"peers": True}, "'peers'"),
])  # fmt: skip
def test_control_plane_refuses_unknown_keys_by_name(app, action, body, named):
    """issue 14, defect 4: /simnode/reset with an unknown key silently ignored it."""
    before = app.simulation.node
    response = app.post(body, path=f"/simnode/{action}")
    assert response.status_code == 400
    message = json.loads(response.data)["error"]
    assert named in message and f"/simnode/{action}" in message
    assert app.simulation.node is before  # nothing happened
