"""uptime is ``GetTime() - GetStartupTime()`` (src/rpc/server.cpp @ PAI 3.0.0): whole seconds
less whole seconds, so a node started mid-second (simnode serve on the wall clock always is)
ticks with the clock's second."""

from simnode.model import AdvanceClock
from tests.transport_helpers import AppUnderTest


def test_uptime_ticks_with_the_clocks_second_not_a_second_after_the_start():
    app = AppUnderTest(peers=0, start_seconds=1_700_000_000.5)
    seen = []
    for step in (0.0, 0.4, 0.2, 0.9, 0.5):  # 000.5, 000.9, 001.1, 002.0, 002.5
        app.simulation.node.apply(AdvanceClock(step))
        seen.append(app.call("uptime")[1]["result"])
    assert seen == [0, 0, 1, 2, 2]
