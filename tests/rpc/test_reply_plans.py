"""A body sent again is answered from its reply plan (rpc/plans.py), reusing the answers that
cannot have changed. Whatever happens between the requests (time passing by fractions of a
second or many, peers, blocks, transactions, bans, calls that change the node inside the batch),
the reply and the journal must be exactly what answering the body afresh gives."""

import json
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simnode.model import (
    AdvanceClock,
    BlocksFound,
    Connect,
    EventError,
    PingSent,
    Traffic,
    TransactionsArrived,
)
from simnode.rpc import MethodTable, default_table
from simnode.rpc.plans import MAX_PLANNED_BODY_BYTES
from tests.transport_helpers import AppUnderTest


def call(method, *params, request_id=1, **extra):
    return {"method": method, "params": list(params), "id": request_id, **extra}


BODIES = [
    call("getnetworkinfo"),
    call("getpeerinfo", request_id="p"),
    [call("getblockcount"), call("uptime", request_id=2), call("getblockchaininfo", request_id=3)],
    call("uptime"),
    [call("getblockcount"), call("getpeerinfo", request_id=2), call("getnettotals", request_id=3),
     call("getnetworkinfo", request_id=4), call("uptime", request_id=5),
     call("getmempoolinfo", request_id=6), call("getrawmempool", request_id=7)],
    # calls that change the node, between calls that read it
    [call("getconnectioncount"), call("ping", request_id=2), call("getpeerinfo", request_id=3),
     call("uptime", request_id=4)],
    [call("listbanned"), call("setban", "203.0.113.9", "add", request_id=2),
     call("listbanned", request_id=3), call("setban", "203.0.113.9", "remove", request_id=4),
     call("listbanned", request_id=5)],
    # errors: wrong arity, bad argument, unknown method, an empty batch, not a request
    call("getblockcount", 1),
    call("getblockhash", -1),
    call("getblock", "00" * 32),
    call("nosuchmethod"),
    [],
    [call("getblockcount"), 7],
    call("help", "getpeerinfo"),
    # the same method, other parameters (and their JSON types): other answers
    call("help", "uptime"),
    call("getblockhash", 0),
    call("getblockhash", 1),
    call("getblockhash", True),
    call("getblockcount"),
    [call("getbestblockhash"), call("getdifficulty", request_id=None), {"method": "uptime"}],
    [call("getblockchaininfo", jsonrpc="2.0"), {"jsonrpc": "2.0", "method": "getblockcount"}],
]  # fmt: skip

EVENTS = [
    AdvanceClock(0.3),
    AdvanceClock(1.0),
    AdvanceClock(45.0),
    TransactionsArrived(3),
    BlocksFound(1),
    Connect("198.51.100.7:8567"),
    PingSent(0),
    Traffic(1, "inv", "recv", 61),
]

MID_SECOND = 1_700_000_000.5

# Time passing with no event, as on a wall clock: timers (pings, blocks) fire on their own.
TICKS = [0.01, 0.3, 0.7, 1.0, 150.0, 700.0]  # 0.01: inside a ping's round trip

steps = st.lists(
    st.one_of(
        st.sampled_from(range(len(BODIES))).map(lambda i: ("send", i)),
        st.sampled_from(EVENTS).map(lambda e: ("event", e)),
        st.sampled_from(TICKS).map(lambda seconds: ("tick", seconds)),
    ),
    min_size=1,
    max_size=20,
)


# What a monitor sends after every step: everything it reads, time included.
MONITOR = [
    call(method, request_id=i)
    for i, method in enumerate(
        [
            "uptime",
            "getnetworkinfo",
            "getblockcount",
            "getbestblockhash",
            "getpeerinfo",
            "getmempoolinfo",
            "listbanned",
            "getconnectioncount",
            "getblockchaininfo",
            "getnettotals",
        ]
    )
]


def journaled(app, since):
    return [(c.method, c.params, c.request_id, c.status, c.error_code)
            for c in app.app.journal.calls()[since:]]  # fmt: skip


def same_reply(planned, fresh, body):
    """The planned app's reply and journal for ``body`` are those of answering it afresh."""
    since = len(planned.app.journal.calls())
    response = planned.post(body)
    observed = []
    expected = fresh.app.reply_to(body, lambda *c, seen=observed: seen.append(c))
    assert (response.status_code, response.data) == (expected.status, expected.body)
    assert journaled(planned, since) == [
        (method, params, request_id, expected.status, None if error is None else int(error.code))
        for method, params, request_id, error in observed
    ]


# Without peers no timer fires but the block's: time alone must refresh what reads the second;
# a node started mid-second (as simnode serve's wall clock is) must not shift that second.
@pytest.mark.parametrize(
    ("profile", "peers", "start"),
    [("pai", 0, None), ("pai", 0, MID_SECOND), ("pai", 4, None), ("core-28", 4, MID_SECOND)],
)
@settings(max_examples=40, deadline=None)
@given(steps=steps)
def test_replies_from_plans_are_the_replies_computed_afresh(profile, peers, start, steps):
    planned, fresh = AppUnderTest(peers, profile, start), AppUnderTest(peers, profile, start)
    monitor = json.dumps(MONITOR).encode()
    for step, (action, what) in enumerate(steps):
        if action == "tick":
            for app in (planned, fresh):
                app.simulation.node.clock.advance(what)
        elif action == "event":
            outcomes = []
            for app in (planned, fresh):
                try:
                    app.simulation.node.apply(what)
                    outcomes.append("applied")
                except EventError as error:
                    outcomes.append(str(error))
            assert outcomes[0] == outcomes[1]
        else:
            same_reply(planned, fresh, json.dumps(BODIES[what]).encode())
        same_reply(planned, fresh, monitor)
        # as most clients send it: each call with the next id
        counted = [{**member, "id": f"c{step}-{index}"} for index, member in enumerate(MONITOR)]
        same_reply(planned, fresh, json.dumps(counted).encode())
        same_reply(planned, fresh, json.dumps(call("getpeerinfo", request_id=step)).encode())


def test_a_repeated_body_reuses_the_answers_of_an_unchanged_node():
    """The plan is what makes a refresh cheap: from the third time a body comes, an unchanged
    node's answers are not rendered again (their handlers are not called) until the node or the
    second changes."""
    rendered = []
    methods = []
    for method in default_table().methods.values():
        if method.name == "getnetworkinfo":
            handler = method.handler
            method = replace(method, handler=lambda ctx, args, handler=handler: (
                rendered.append(1) or handler(ctx, args)))  # fmt: skip
        methods.append(method)
    app = AppUnderTest(peers=4, table=MethodTable(methods))
    body = json.dumps([call("getnetworkinfo"), call("getblockcount", request_id=2)])
    first = app.post(body).data  # answered afresh: a body sent once gets no plan
    assert app.post(body).data == first  # sent again: planned, answered afresh
    assert len(rendered) == 2
    assert app.post(body).data == first  # and again: reused
    assert len(rendered) == 2
    app.simulation.node.apply(AdvanceClock(1.0))
    assert json.loads(app.post(body).data)[0]["result"] == json.loads(first)[0]["result"]
    assert len(rendered) == 3


@pytest.mark.parametrize("method", ["getblockhash", "help", "getblockstats"])
def test_bodies_that_differ_only_in_parameters_never_share_answers(method):
    """A plan is found by the calls and their parameters as sent (ids aside): 0, 1, true, "1",
    -0 and -0e0 are six calls, each answered as itself however often the others came first."""
    planned, fresh = AppUnderTest(4), AppUnderTest(4)
    for params in ("0", "0", "1", "true", '"1"', "-0", "-0e0", "-0", "1e0", "1.0", '"uptime"',
                   '"getpeerinfo"', ""):  # fmt: skip
        for request_id in range(3):
            body = f'{{"method":"{method}","params":[{params}],"id":{request_id}}}'.encode()
            same_reply(planned, fresh, body)


def test_bodies_too_large_for_a_plan_are_answered_and_forgotten():
    """A body over MAX_PLANNED_BODY_BYTES gets no plan and is not kept (the plans are bounded
    in bytes, not only in count)."""
    planned, fresh = AppUnderTest(2), AppUnderTest(2)
    for index in range(4):
        big = [call("getblockcount", request_id="x" * 1000 + str(i)) for i in range(80)]
        big.append(call("uptime", request_id=index))
        body = json.dumps(big).encode()
        assert len(body) > MAX_PLANNED_BODY_BYTES
        for _ in range(3):
            same_reply(planned, fresh, body)
    assert not planned.simulation.served.plans._bodies
