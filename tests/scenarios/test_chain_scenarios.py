"""The library's chain scenarios move the chain, the mempool and the peers together (issue 10):
initial block download, a reorganisation, a mempool that fills and drains."""

import itertools

from simnode.profiles import chainviews
from simnode.scenarios import ScenarioRunner, library


def run(name: str) -> ScenarioRunner:
    return ScenarioRunner(library.load(name))


def test_initial_block_download_moves_height_progress_and_peers_together():
    runner = run("initial-block-download")
    seen = []
    for minutes in (0, 1, 5, 15):  # record_at of the scenario
        runner.run_until(minutes * 60)
        snapshot = runner.node.snapshot()
        info = chainviews.getblockchaininfo(runner.profile, snapshot)
        peers = runner.profile.getpeerinfo(snapshot)
        assert info["headers"] == 20000 > info["blocks"]  # headers ahead while syncing
        assert info["blocks"] == max(0, *(p["synced_blocks"] for p in peers))
        assert all(p["synced_blocks"] <= info["headers"] for p in peers)
        assert chainviews.in_ibd(snapshot)
        seen.append((info["blocks"], info["verificationprogress"],
                     min(p["synced_blocks"] for p in peers)))  # fmt: skip
    for earlier, later in itertools.pairwise(seen):
        assert all(b > a for a, b in zip(earlier, later, strict=True)), seen
    assert seen[-1][0] == 3840 and 0 < seen[-1][1] < 0.05


def test_a_reorg_leaves_a_stale_tip_and_a_new_best_block():
    runner = run("chain-reorg")
    runner.run_until(30 * 60)
    before = runner.node.snapshot()
    tips_before = chainviews.getchaintips(before)
    assert [t["status"] for t in tips_before] == ["active", "valid-headers"]
    old_best, old_height = before.chain.tip.hash, before.chain.height
    runner.run_until(45 * 60)
    after = runner.node.snapshot()
    tips = {t["status"]: t for t in chainviews.getchaintips(after)}
    assert tips["valid-fork"]["hash"] == old_best
    assert tips["valid-fork"]["branchlen"] == 2
    assert tips["active"]["hash"] == after.chain.tip.hash != old_best
    assert tips["active"]["height"] == after.chain.height == old_height + 2  # +1 -2 +3 blocks
    found = after.chain.find(old_best)
    assert found is not None and found[1] is not None  # the old tip is on a stale branch now
    peers = runner.profile.getpeerinfo(after)
    assert max(p["synced_headers"] for p in peers) == after.chain.height


def test_the_mempool_fills_and_blocks_drain_it():
    runner = run("mempool-fill")
    runner.run_until(10 * 60)
    full = runner.node.snapshot()
    info = chainviews.getmempoolinfo(runner.profile, full)
    assert info["size"] == len(full.mempool.entries) == 8400
    assert info["bytes"] > 4 * 1_000_000  # more than four blocks can hold
    assert "feerate" not in chainviews.estimatesmartfee(full, 2)  # no block seen yet: no data
    height = full.chain.height
    runner.run_until(13 * 60)  # one block has confirmed the best-paying megabyte
    busy = runner.node.snapshot()
    assert chainviews.estimatesmartfee(busy, 2)["feerate"] > chainviews.estimatesmartfee(
        busy, 6)["feerate"]  # fmt: skip
    runner.run_until(25 * 60)
    drained = runner.node.snapshot()
    assert drained.mempool.size == 0
    assert drained.chain.height == height + 6
    confirmed = sum(drained.chain.block_at(h).ntx - 1 for h in range(height + 1, height + 7))
    assert confirmed == 8400  # every transaction went into one of the six blocks
