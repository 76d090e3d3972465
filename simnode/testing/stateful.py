"""A hypothesis state machine to subclass: its rules evolve a served node, your invariants call
your client against the node's URL and compare with the ground truth the machine exposes.

    class MyClientMachine(SimnodeMachine):
        reproducer_path = Path("reproducers/my-client.yaml")

        @invariant()
        def client_agrees(self):
            with self.reproducer():
                client = my_client(self.served.url, self.served.user, self.served.password)
                assert client.peer_ids() == [p["id"] for p in self.truth()]

    TestMyClient = MyClientMachine.TestCase

When an invariant fails, hypothesis shrinks the steps, and the last (smallest) failing run is
written to ``reproducer_path`` as a scenario file: a plain file to check in and replay.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, multiple, rule

from simnode.local import LocalNode, NodeConfig
from simnode.model import events as ev
from simnode.model.clock import MICROS
from simnode.model.state import EventError
from simnode.scenarios.writer import Applied, scenario_text
from simnode.testing.strategies import message_types, peer_addresses


class SimnodeMachine(RuleBasedStateMachine):
    """Each run gets its own served node (profile ``profile``); rules change it through events,
    each recorded so the run can be written out as a scenario."""

    profile = "pai"
    reproducer_path: Path | None = None
    peers = Bundle("peers")

    def __init__(self) -> None:
        super().__init__()
        self.served = LocalNode(NodeConfig(profile=self.profile), threads=2).start()
        self.applied: list[Applied] = []
        self._start_us = self.served.node.snapshot().now_us

    # ------------------------------------------------------------------ for your invariants
    # self.served is the node (a simnode.local.LocalNode): its url, host, port, user, password.
    def truth(self) -> list[dict[str, Any]]:
        """getpeerinfo as the node would answer it now."""
        return self.served.peers()

    def truth_banned(self) -> list[dict[str, Any]]:
        return self.served.banned()

    @contextlib.contextmanager
    def reproducer(self) -> Iterator[None]:
        """Write this run as a scenario file if the block fails, then let the failure through."""
        try:
            yield
        except BaseException:
            self.write_reproducer()
            raise

    def write_reproducer(self, path: Path | None = None) -> Path | None:
        path = path or self.reproducer_path
        if path is None:
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        name = path.stem
        path.write_text(scenario_text(
            self.applied, name, f"{type(self).__name__}: a run hypothesis found failing.",
            profile=self.profile, start_seconds=self._start_us / MICROS,
            settings=self.served.node.settings,
        ))  # fmt: skip
        return path

    def teardown(self) -> None:
        self.served.stop()

    # ------------------------------------------------------------------ rules
    def apply(self, event: ev.Event) -> int | None:
        """Apply and record; an event the node refuses (its peer left) changes nothing."""
        result = self.served.apply(event)
        offset = (self.served.node.snapshot().now_us - self._start_us) / MICROS
        self.applied.append(Applied(offset, event, result))
        return result

    def _try(self, event: ev.Event) -> int | None:
        try:
            return self.apply(event)
        except EventError:
            return None

    @rule(target=peers, addr=peer_addresses(("ipv4", "ipv6")), inbound=st.booleans(),
          whitelisted=st.booleans(), rtt=st.sampled_from([None, 0.05, 0.3]))  # fmt: skip
    def connect(self, addr: str, inbound: bool, whitelisted: bool, rtt: float | None) -> Any:
        peer = self._try(ev.Connect(addr, inbound, whitelisted, pong_rtt_seconds=rtt))
        if peer is None:
            return multiple()
        self._try(ev.VersionReceived(peer))
        return peer

    @rule(peer=peers)
    def disconnect(self, peer: int) -> None:
        self._try(ev.Disconnect(peer))

    @rule(peer=peers, msg_type=message_types(), direction=st.sampled_from(["send", "recv"]),
          nbytes=st.integers(24, 100_000))  # fmt: skip
    def traffic(self, peer: int, msg_type: str, direction: str, nbytes: int) -> None:
        self._try(ev.Traffic(peer, msg_type, direction, nbytes))  # type: ignore[arg-type]

    @rule(peer=peers)
    def ping(self, peer: int) -> None:
        self._try(ev.PingSent(peer))

    @rule(peer=peers, rtt=st.sampled_from([0.000056, 0.05, 0.226368]))
    def pong(self, peer: int, rtt: float) -> None:
        self._try(ev.PongReceived(peer, rtt))

    @rule(peer=peers, score=st.sampled_from([1, 10, 50, 100]))
    def misbehave(self, peer: int, score: int) -> None:
        self._try(ev.Misbehave(peer, score, "misbehaving"))

    @rule(subnet=st.sampled_from(["192.0.2.0/24", "203.0.113.7", "2001:db8::/32"]))
    def ban(self, subnet: str) -> None:
        self._try(ev.Ban(subnet))

    @rule(seconds=st.sampled_from([1, 30, 121, 1201]))
    def advance(self, seconds: float) -> None:
        self._try(ev.AdvanceClock(seconds))
