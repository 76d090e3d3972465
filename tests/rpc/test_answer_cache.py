"""The served node's answer cache never serves a stale answer: a new block, a new transaction
or the next second renders anew; the same state does not (issue 10's refresh cost)."""

from simnode.model import BlocksFound, TransactionsArrived
from tests.transport_helpers import AppUnderTest


def test_answers_follow_the_chain_the_mempool_and_the_clock():
    app = AppUnderTest()
    node = app.simulation.node
    first = app.call("getblockchaininfo")[1]["result"]
    assert app.call("getblockchaininfo")[1]["result"] == first
    node.apply(BlocksFound(1))
    after_block = app.call("getblockchaininfo")[1]["result"]
    assert after_block["blocks"] == first["blocks"] + 1
    assert app.call("getmempoolinfo")[1]["result"]["size"] == 0
    node.apply(TransactionsArrived(5))
    assert app.call("getmempoolinfo")[1]["result"]["size"] == 5
    assert len(app.call("getrawmempool")[1]["result"]) == 5
    node.advance(3600 * 24 * 2)  # two days later: the tip is old, progress lower
    later = app.call("getblockchaininfo")[1]["result"]
    assert later["verificationprogress"] < after_block["verificationprogress"]


def test_the_same_state_is_rendered_once(monkeypatch):
    from simnode.rpc import blockchain

    app = AppUnderTest()
    rendered = []
    real = blockchain.chainviews.getchaintips
    monkeypatch.setattr(blockchain.chainviews, "getchaintips",
                        lambda snapshot: rendered.append(1) or real(snapshot))  # fmt: skip
    replies = [app.call("getchaintips")[1]["result"] for _ in range(5)]
    assert len(rendered) == 1 and all(reply == replies[0] for reply in replies)


def test_a_reset_forgets_the_answers():
    app = AppUnderTest()
    before = app.call("getbestblockhash")[1]["result"]
    app.simulation.node.apply(BlocksFound(2))
    assert app.call("getblockcount")[1]["result"] == 1182568
    app.post({}, path="/simnode/reset")
    assert app.call("getblockchaininfo")[1]["result"]["bestblockhash"] == before


def test_a_reset_node_renders_its_own_peers_not_the_texts_of_the_node_before():
    """A reset starts from the replaced node's peer texts (clones of one template share their
    peers' snapshots), but a text only serves the very snapshot it was rendered from: after
    changes, other peers or another seed, each answer is what a fresh server renders."""
    from simnode.local import LocalNode
    from simnode.model import Traffic

    body = b'{"method":"getpeerinfo","id":1}'
    with LocalNode(peers=4, seed=1) as node:
        node.app.reply_to(body)
        node.apply(Traffic(0, "inv", "recv", 500))
        changed = node.app.reply_to(body).body
        for config in ({}, {"seed": 2}, {"peers": 6}, {"peers": 4, "seed": 1}):
            node.configure(**config)
            with LocalNode(node.config) as fresh:
                assert node.app.reply_to(body).body == fresh.app.reply_to(body).body
        assert node.app.reply_to(body).body != changed  # the traffic was the old node's


def test_answers_are_cached_by_the_arguments_as_sent():
    """-0, "-0" and -0e0 are three different calls (a height, a hash, a number out of range):
    each gets its own answer, whichever came first."""
    used = AppUnderTest(profile="core-28")
    for params in ("-0", '"-0"', "-0e0", "0", "-0"):
        body = f'{{"method":"getblockstats","params":[{params}],"id":1}}'.encode()
        answer = used.post(body)
        alone = AppUnderTest(profile="core-28").post(body)
        assert (answer.status_code, answer.data) == (alone.status_code, alone.data)
