"""What ``simnode serve`` says while it runs, one line per happening, through ``logging``:
peers connecting and leaving (with the reason), bans, pings left unanswered, scenario steps and
its end, clock jumps, faults (simnode.faults), and with ``-debug=rpc`` each RPC call with its
status and duration.

The node's model records no history, so ``NodeWatcher`` compares one snapshot with the next and
names what changed; a reason is read off the state the peer left behind (its address banned, its
ping past the timeout, the network switched off)."""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from simnode.http.journal import Call, Journal
from simnode.http.simulation import Simulation
from simnode.model.addresses import format_subnet
from simnode.model.clock import MICROS
from simnode.model.node import Node
from simnode.model.peer import PeerSnapshot
from simnode.model.state import NodeSnapshot
from simnode.scenarios.durations import format_duration
from simnode.scenarios.playback import describe_step

LOG = logging.getLogger("simnode.node")
RPC_LOG = logging.getLogger("simnode.rpc")
UNANSWERED_PING_SECONDS = 30  # a ping outstanding this long is worth a line (once per ping)
DEBUG_CATEGORIES = ("rpc", "all", "1")
FORMAT = "%(asctime)s %(message)s"
DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # the node's debug.log stamps, UTC


def configure_logging(verbose: int, quiet: bool, debug: Iterable[str],
                      logfile: Path | None = None) -> None:  # fmt: skip
    """Console lines on standard output (INFO; WARNING with ``quiet``; RPC calls with ``-v`` or
    ``-debug=rpc``), and every line, RPC calls included, in ``logfile`` when given."""
    formatter = logging.Formatter(FORMAT, DATE_FORMAT)
    formatter.converter = time.gmtime
    root = logging.getLogger("simnode")
    root.handlers.clear()
    root.propagate = False
    root.setLevel(logging.DEBUG)
    console = logging.StreamHandler(sys.stdout)
    console.setFormatter(formatter)
    console.setLevel(logging.WARNING if quiet else logging.INFO)
    if not quiet and (verbose or set(debug) & set(DEBUG_CATEGORIES)):
        console.setLevel(logging.DEBUG)
    root.addHandler(console)
    if logfile is not None:
        logfile.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(logfile, encoding="utf-8")
        handler.setFormatter(formatter)
        handler.setLevel(logging.DEBUG)
        root.addHandler(handler)


def close_logging() -> None:
    root = logging.getLogger("simnode")
    for handler in list(root.handlers):
        handler.close()
        root.removeHandler(handler)


class RPCTimer:
    """WSGI middleware that times each request, so the journal's listener can log each call
    with how long it took (the journal records calls on the request's own thread)."""

    def __init__(self, app: Callable, journal: Journal) -> None:
        self._app = app
        self._local = threading.local()
        journal.listeners.append(self._log_call)

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Any:
        self._local.started = time.perf_counter()
        return self._app(environ, start_response)

    def _log_call(self, call: Call) -> None:
        if not RPC_LOG.isEnabledFor(logging.DEBUG):
            return
        started = getattr(self._local, "started", None)
        took = "" if started is None else f" {(time.perf_counter() - started) * 1000:.1f} ms"
        outcome = "ok" if call.error_code is None else f"error {call.error_code}"
        fault = f" [fault: {call.fault}]" if call.fault else ""
        RPC_LOG.debug("rpc %s -> HTTP %d %s%s%s (user %s)", call.method, call.status, outcome,
                      took, fault, call.user or "-")  # fmt: skip


class NodeWatcher:
    """Logs what changed in the served node since the last ``check``."""

    def __init__(self, simulation: Simulation, speed: float = 1.0) -> None:
        self.sim = simulation
        self.speed = speed
        self._node: Node | None = None
        self._last: NodeSnapshot | None = None
        self._last_wall = time.monotonic()
        self._steps_done = 0
        self._scenario_ended = False
        self._reported_pings: set[tuple[int, int]] = set()

    def check(self) -> None:
        node = self.sim.node
        snapshot = node.snapshot()
        wall = time.monotonic()
        if node is not self._node:
            self._new_node(node, snapshot)
        self._scenario()  # the step first, then what it did
        if node is self._node and self._last is not None:
            self._clock(self._last, snapshot, wall - self._last_wall)
            self._peers(self._last, snapshot)
            self._bans(self._last, snapshot)
        self._pings(snapshot)
        self._node, self._last, self._last_wall = node, snapshot, wall

    # ------------------------------------------------------------------ what changed
    def _new_node(self, node: Node, snapshot: NodeSnapshot) -> None:
        if self._node is not None:
            LOG.info("node reset: %d peers, clock at %s", len(snapshot.peers), _utc(snapshot))
        self._steps_done = 0
        self._scenario_ended = False
        self._reported_pings.clear()

    def _clock(self, before: NodeSnapshot, now: NodeSnapshot, wall_seconds: float) -> None:
        moved = (now.now_us - before.now_us) / MICROS
        playback = self.sim.playback
        rate = playback.speed if playback is not None and not playback.paused else self.speed
        expected = wall_seconds * rate
        if moved < 0 or moved > expected + max(5.0, expected):
            LOG.info("clock jumped %s%s to %s", "+" if moved >= 0 else "-",
                     format_duration(round(abs(moved))), _utc(now))  # fmt: skip

    def _peers(self, before: NodeSnapshot, now: NodeSnapshot) -> None:
        old = {peer.id: peer for peer in before.peers}
        new = {peer.id: peer for peer in now.peers}
        for peer_id in sorted(new.keys() - old.keys()):
            peer = new[peer_id]
            way = ("inbound" if peer.inbound else "outbound") + (" addnode" if peer.manual else "")
            LOG.info("peer %d connected: %s %s %s", peer_id, peer.addr, way,
                     peer.subver or "(no version yet)")  # fmt: skip
        for peer_id in sorted(old.keys() - new.keys()):
            peer = old[peer_id]
            LOG.info("peer %d disconnected: %s (%s)", peer_id, peer.addr,
                     _reason(self.sim.node, peer, now))  # fmt: skip

    def _bans(self, before: NodeSnapshot, now: NodeSnapshot) -> None:
        old = {ban.subnet: ban for ban in before.bans}
        new = {ban.subnet: ban for ban in now.bans}
        for subnet in new.keys() - old.keys():
            ban = new[subnet]
            LOG.info("banned %s until %s (%s)", format_subnet(subnet),
                     time.strftime(DATE_FORMAT, time.gmtime(ban.until)), ban.reason)  # fmt: skip
        for subnet in old.keys() - new.keys():
            expired = old[subnet].until <= now.now_seconds
            LOG.info("ban on %s %s", format_subnet(subnet), "expired" if expired else "lifted")

    def _pings(self, snapshot: NodeSnapshot) -> None:
        for peer in snapshot.peers:
            waited = peer.pingwait_us(snapshot.now_us)
            if waited is None or waited < UNANSWERED_PING_SECONDS * MICROS:
                continue
            key = (peer.id, peer.ping_sent_us or 0)
            if key not in self._reported_pings:
                self._reported_pings.add(key)
                LOG.info("peer %d (%s) has not answered a ping for %s", peer.id, peer.addr,
                         format_duration(round(waited / MICROS)))  # fmt: skip

    def _scenario(self) -> None:
        playback = self.sim.playback
        if playback is None:
            return
        done = playback.runner.next_step_index
        steps = playback.scenario.steps
        for step in steps[self._steps_done : done]:
            described = describe_step(step)
            LOG.info("scenario %s at %s: %s", playback.scenario.name, described["at_text"],
                     described["action"])  # fmt: skip
        self._steps_done = done

    def scenario_ended(self, what_next: str) -> bool:
        """Says once that the scenario ended, and what happens next; True the first time."""
        playback = self.sim.playback
        if playback is None or self._scenario_ended or not playback.ended:
            return False
        self._scenario_ended = True
        LOG.info("scenario %s ended at %s; %s", playback.scenario.name,
                 format_duration(playback.scenario.end_seconds), what_next)  # fmt: skip
        return True


def _reason(node: Node, peer: PeerSnapshot, now: NodeSnapshot) -> str:
    """Why a peer that was connected is gone, read from the state it left behind."""
    host = peer.addr.rsplit(":", 1)[0].strip("[]")
    if node.is_banned(host):
        reasons = sorted({ban.reason for ban in now.bans})
        return f"banned: {', '.join(reasons)}" if len(reasons) == 1 else "banned"
    waited = peer.pingwait_us(now.now_us)
    timeout = now.settings.ping_timeout_seconds
    if waited is not None and waited >= timeout * MICROS:  # the node's -timeout: InactivityCheck
        return f"ping timeout: no pong for {format_duration(timeout)}"
    if not now.network_active:
        return "network disabled"
    return "disconnected"


def _utc(snapshot: NodeSnapshot) -> str:
    return time.strftime(DATE_FORMAT, time.gmtime(snapshot.now_seconds))


def run_until_stopped(simulation: Simulation, stop: threading.Event, *, tick_seconds: float,
                      exit_at_end: bool, watcher: NodeWatcher,
                      idle: Callable[[], None]) -> None:  # fmt: skip
    """``simnode serve``'s loop: play the loaded scenario (or run ``idle``, the ambient traffic
    of a node without one), log what changed, and say when the scenario ends and what next:
    ``--loop`` starts it over, ``--exit-at-end`` returns, else the clock runs on."""
    watcher.check()  # the state at start: what changes from here is logged
    while not stop.wait(tick_seconds) and not simulation.stopping:
        playback = simulation.playback
        if playback is None:
            idle()
        else:
            playback.tick()
        watcher.check()
        if playback is None or not playback.ended:
            continue
        if playback.loop:
            watcher.scenario_ended("--loop: starting it over")
            simulation.reset()
        elif exit_at_end:
            watcher.scenario_ended("--exit-at-end: stopping")
            return
        else:
            watcher.scenario_ended("the clock keeps running with the final state "
                                   "(--loop restarts it, --exit-at-end stops)")  # fmt: skip
