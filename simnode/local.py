"""A fake node served in this process, with its own data directory and methods that drive it:
what tests and the pytest plugin use.

    with LocalNode(peers=8) as node:
        rpc = AuthServiceProxy(node.rpc_url)
        peer = node.add_peer("192.0.2.7:8567")
        node.misbehave(peer, 100)
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simnode import scenarios
from simnode.http.app import NodeApp
from simnode.http.auth import COOKIE_FILE, COOKIE_USER, CookieFile, Credentials
from simnode.http.faults import Fault, FaultKind
from simnode.http.journal import Journal
from simnode.http.runner import ServedNode
from simnode.http.simulation import Simulation
from simnode.model import events as ev
from simnode.model.addresses import format_subnet, parse_subnet
from simnode.model.clock import DEFAULT_EPOCH_SECONDS
from simnode.model.fakepeers import populate, seeded_draws
from simnode.model.node import Node
from simnode.model.state import NodeSettings
from simnode.profiles import DEFAULT_PROFILE, get_profile
from simnode.profiles.netviews import listbanned
from simnode.profiles.profile import Profile
from simnode.profiles.releases import rpc_server_defaults
from simnode.scenarios.playback import Playback
from simnode.scenarios.recipe import NodeRecipe, RecipeNodes

if TYPE_CHECKING:
    from simnode.scenarios.runner import ScenarioRunner

MAX_TEMPLATES = 16  # populated template nodes a LocalNode keeps, the oldest dropped first
CONF_NAMES = {"Turing": "paicoin.conf", "Satoshi": "bitcoin.conf"}
AUTH_MODES = ("password", "cookie")


@dataclass(frozen=True)
class NodeConfig:
    """What a fresh node looks like: the pytest marker's and ``LocalNode``'s keywords."""

    profile: str = DEFAULT_PROFILE
    peers: int = 0
    seed: int = 0
    scenario: str | None = None  # a library name or a path; replaces profile, peers and seed
    auth: str = "password"  # or "cookie"
    settings: NodeSettings | None = None
    start_seconds: float = DEFAULT_EPOCH_SECONDS
    speed: float | None = None  # a wall clock at this speed instead of a virtual clock
    # The node's -deprecatedrpc= switches, e.g. ("startingheight",) for core-31 (one name or
    # several).
    deprecatedrpc: tuple[str, ...] | str = ()

    def __post_init__(self) -> None:
        if self.auth not in AUTH_MODES:
            raise ValueError(f"auth must be one of {AUTH_MODES}, not {self.auth!r}")
        get_profile(self.profile)  # UnknownProfile (a ValueError) names the known ones
        switches = self.deprecatedrpc
        if isinstance(switches, str):
            switches = (switches,)
        if not isinstance(switches, tuple | list) or not all(isinstance(s, str) for s in switches):
            raise ValueError(f"deprecatedrpc must be names of switches, not {switches!r}")
        object.__setattr__(self, "deprecatedrpc", tuple(switches))
        if isinstance(self.peers, bool) or not isinstance(self.peers, int) or self.peers < 0:
            raise ValueError(f"peers must be a non-negative integer, not {self.peers!r}")


class FaultControl:
    """Arms faults for the next call(s): ``node.faults.reset(method="getpeerinfo")``.

    Each takes ``method`` (None: any) and ``times`` (None: until ``clear``)."""

    def __init__(self, app: NodeApp) -> None:
        self._plan = app.faults

    def _arm(self, kind: FaultKind, method: str | None, times: int | None, **extra: Any) -> Fault:
        return self._plan.arm(Fault(kind, method, times, **extra))

    def latency(self, seconds: float, method: str | None = None, times: int | None = 1) -> Fault:
        return self._arm(FaultKind.LATENCY, method, times, seconds=seconds)

    def reset(self, method: str | None = None, times: int | None = 1) -> Fault:
        """The connection is reset mid-response: headers and half the body, then a TCP RST."""
        return self._arm(FaultKind.RESET, method, times)

    def truncated(self, method: str | None = None, times: int | None = 1) -> Fault:
        """Headers and half the body, then the connection closes (the body is cut short)."""
        return self._arm(FaultKind.TRUNCATED, method, times)

    def drop(self, method: str | None = None, times: int | None = 1) -> Fault:
        """The connection closes with no reply at all."""
        return self._arm(FaultKind.DROP, method, times)

    def malformed_json(self, method: str | None = None, times: int | None = 1) -> Fault:
        return self._arm(FaultKind.MALFORMED_JSON, method, times)

    def http_500(self, method: str | None = None, times: int | None = 1) -> Fault:
        """HTTP 500 with an empty body."""
        return self._arm(FaultKind.HTTP_500_EMPTY, method, times)

    def work_queue_full(self, method: str | None = None, times: int | None = 1) -> Fault:
        """The node's plain-text "Work queue depth exceeded" (500 for PAI Core)."""
        return self._arm(FaultKind.WORK_QUEUE_FULL, method, times)

    def warming_up(self, message: str = "Loading block index...", method: str | None = None,
                   times: int | None = 1) -> Fault:  # fmt: skip
        """-28 with the init message, as while the node starts."""
        return self._arm(FaultKind.WARMUP, method, times, message=message)

    def wrong_id(self, method: str | None = None, times: int | None = 1) -> Fault:
        return self._arm(FaultKind.WRONG_ID, method, times)

    def close_after_response(self, method: str | None = None, times: int | None = 1) -> Fault:
        """Answer, then drop the kept-alive connection without saying so, as the node does
        with connections idle past -rpcservertimeout: a client that reuses it fails."""
        return self._arm(FaultKind.CLOSE_AFTER_RESPONSE, method, times)

    def clear(self) -> None:
        self._plan.clear()

    def pending(self) -> list[Fault]:
        return self._plan.pending()


class LocalNode:
    """A node served on ``host`` at a free port, with a data directory holding a node-style
    .conf (python-bitcoinlib's ``Proxy(btc_conf_file=node.conf_path)`` reads it) and, for cookie
    auth, the cookie file. ``configure`` gives it a fresh state without restarting the server.
    """

    def __init__(
        self,
        config: NodeConfig | None = None,
        *,
        datadir: Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        idle_timeout: float = 30,
        threads: int | None = None,
        app_options: dict | None = None,
        **config_keywords: Any,
    ) -> None:
        self._owns_datadir = datadir is None
        self.datadir = Path(tempfile.mkdtemp(prefix="simnode-")) if datadir is None else datadir
        self.password = secrets.token_hex(16)
        self.config = replace(config or NodeConfig(), **config_keywords)
        self._recipes: dict[NodeConfig, RecipeNodes] = {}
        profile = self._profile_for(self.config)
        self.simulation = Simulation(self._node_factory(self.config), profile)
        # The release's -rpcthreads/-rpcworkqueue defaults (16/64 from Bitcoin Core 29), unless
        # app_options say otherwise; a later configure() keeps the server's.
        rpc_threads, work_queue = rpc_server_defaults(profile)
        options = {
            "rpc_threads": rpc_threads,
            "work_queue_depth": work_queue,
            **(app_options or {}),
        }
        self.app = NodeApp(self.simulation, self._credentials(), **options)
        self.faults = FaultControl(self.app)
        threads = self.app.work_queue.server_threads if threads is None else threads
        self._served = ServedNode(self.app, host, port, idle_timeout=idle_timeout,
                                  threads=threads)  # fmt: skip
        self.host, self.port = host, self._served.port
        self._started = False

    # ------------------------------------------------------------------ what a client needs
    @property
    def user(self) -> str:
        return COOKIE_USER if self.config.auth == "cookie" else "simnode"

    @property
    def url(self) -> str:
        return self._served.url

    @property
    def rpc_url(self) -> str:
        """The URL with credentials, as python-bitcoinrpc's AuthServiceProxy takes it."""
        return f"http://{self.user}:{self.password}@{self.host}:{self.port}/"

    @property
    def cookie_path(self) -> Path | None:
        return self.datadir / COOKIE_FILE if self.config.auth == "cookie" else None

    @property
    def conf_path(self) -> Path:
        return self.datadir / self.conf_name(self.config)

    def conf_name(self, config: NodeConfig) -> str:
        return CONF_NAMES[self._profile_for(config).identity.client_name]

    @property
    def node(self) -> Node:
        return self.simulation.node

    @property
    def profile(self) -> Profile:
        return self.simulation.profile

    @property
    def runner(self) -> ScenarioRunner | None:
        """The loaded scenario's runner (None without a scenario)."""
        playback = self.simulation.playback
        return None if playback is None else playback.runner

    @property
    def journal(self) -> Journal:
        return self.app.journal

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> LocalNode:
        self._write_files()
        self._served.start()
        self._started = True
        return self

    def stop(self) -> None:
        self.app.admin.close()  # open event streams end now, not when they time out
        self._served.stop()
        self._remove_files()
        if self._owns_datadir:
            shutil.rmtree(self.datadir, ignore_errors=True)

    def __enter__(self) -> LocalNode:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def configure(self, config: NodeConfig | None = None, **config_keywords: Any) -> LocalNode:
        """A fresh node as ``config`` describes it, on the same server; faults, the journal and
        warm-up are cleared. Cheap: what the pytest plugin does between tests."""
        previous = self.config
        new = replace(config or self.config, **config_keywords)
        # All or nothing: a configuration that cannot be built (an unknown scenario) raises
        # here and leaves the node as it was, so the next test starts clean (issue 14.2).
        self.simulation.reset(self._node_factory(new), self._profile_for(new))
        self.config = new
        self.app.faults.clear()
        self.app.journal.clear()
        if (previous.auth, self.conf_name(previous)) != (self.config.auth,
                                                          self.conf_name(self.config)):  # fmt: skip
            self.app.credentials = self._credentials()
            self._remove_files()
            if self._started:
                self._write_files()
        return self

    def reset(self) -> LocalNode:
        """Start over with the same configuration (cheap enough inside a hypothesis test)."""
        return self.configure()

    # ------------------------------------------------------------------ driving the node
    def apply(self, event: ev.Event) -> int | None:
        return self.node.apply(event)

    def add_peer(
        self,
        addr: str | None = None,
        *,
        inbound: bool = True,
        whitelisted: bool = False,
        manual: bool = False,
        pong_rtt: float | None = 0.1,
        handshake: bool = True,
        connection_type: ev.ConnectionType | None = None,
        v2transport: bool = False,
        mapped_as: int | None = None,
        **version: Any,
    ) -> int:
        """Connect a peer (a documentation-range address unless given); returns its id.
        ``connection_type`` (e.g. "block-relay-only"), ``v2transport`` and ``mapped_as`` are the
        connect event's; ``version`` fields (subver, startingheight, timeoffset, ...) go into
        its version message; ``handshake=False`` leaves it before the version message."""
        if addr is None:
            addr = seeded_draws(self.config.seed + len(self.node.peer_ids())).peer_address()
        connect = ev.Connect(addr, inbound, whitelisted, manual, pong_rtt_seconds=pong_rtt,
                             connection_type=connection_type, v2transport=v2transport,
                             mapped_as=mapped_as)  # fmt: skip
        peer_id = self.node.apply(connect)
        assert peer_id is not None
        if handshake:
            self.node.apply(ev.VersionReceived(peer_id, **version))
        return peer_id

    def listen(self, addr: str, **version: Any) -> None:
        """A node on the fake network starts listening at ``addr``, so ``addnode`` and
        ``onetry`` reach it. Its version message is this release's own unless ``version``
        fields (version, subver, services, startingheight) say otherwise."""
        identity = self.profile.identity
        handshake = {"version": identity.protocol_version, "subver": identity.subversion,
                     "services": identity.local_services}  # fmt: skip
        self.node.apply(ev.StartListening(addr, **(handshake | version)))

    def stop_listening(self, addr: str) -> None:
        """The node at ``addr`` goes away: the connection to it drops."""
        self.node.apply(ev.StopListening(addr))

    def add_peers(self, count: int, seed: int | None = None) -> list[int]:
        """``count`` plausible peers (ids returned), without moving the clock."""
        options = self.profile.populate_options(history_seconds=0)
        return populate(self.node, count, self.config.seed if seed is None else seed, options)

    def disconnect(self, peer: int) -> None:
        self.node.apply(ev.Disconnect(peer))

    def misbehave(self, peer: int, score: int, reason: str = "") -> bool:
        """Add to the peer's ban score; returns whether it is still connected."""
        self.node.apply(ev.Misbehave(peer, score, reason))
        return self.node.is_connected(peer)

    def send_ping(self, peer: int | None = None) -> None:
        """We ping ``peer`` (None: every peer, as the ``ping`` RPC)."""
        self.node.apply(ev.PingSent(peer))

    def pong(self, peer: int, rtt: float | None = None) -> float | None:
        """A pong arrives; returns the peer's pingtime afterwards."""
        self.node.apply(ev.PongReceived(peer, rtt))
        entry = self.peer(peer)
        return None if entry is None else entry.get("pingtime")

    def traffic(self, peer: int, msg_type: str, direction: str, nbytes: int) -> None:
        self.node.apply(ev.Traffic(peer, msg_type, direction, nbytes))  # type: ignore[arg-type]

    def sync(self, peer: int, headers: int | None = None, blocks: int | None = None,
             inflight: tuple[int, ...] | None = None) -> None:  # fmt: skip
        self.node.apply(ev.SyncProgress(peer, headers, blocks, inflight))

    def ban(self, address: str, seconds: int | None = None) -> dict[str, Any]:
        """Ban an address or subnet; returns its listbanned entry."""
        self.node.apply(ev.Ban(address, bantime_seconds=seconds))
        subnet = format_subnet(parse_subnet(address))
        return next(entry for entry in self.banned() if entry["address"] == subnet)

    def advance(self, seconds: float) -> int:
        """Move the clock (and a loaded scenario's timeline); returns the time, unix seconds."""
        playback = self.simulation.playback
        if playback is not None:
            playback.advance(seconds)
        else:
            self.node.apply(ev.AdvanceClock(seconds))
        return self.node.snapshot().now_seconds

    def load_scenario(self, name_or_path: str) -> ScenarioRunner:
        """Replace the node with a scenario's; ``advance`` then plays its timeline."""
        self.configure(scenario=name_or_path)
        assert self.runner is not None
        return self.runner

    def warm_up(self, message: str | None = "Loading block index...") -> None:
        """Every RPC answers -28 with ``message`` until ``warm_up(None)``."""
        self.simulation.warmup_message = message

    # ------------------------------------------------------------------ reading it
    def peers(self) -> list[dict[str, Any]]:
        """getpeerinfo, as the node would answer now."""
        return self.profile.getpeerinfo(self.node.snapshot())

    def peer(self, peer_id: int) -> dict[str, Any] | None:
        return next((p for p in self.peers() if p["id"] == peer_id), None)

    def banned(self) -> list[dict[str, Any]]:
        return listbanned(self.profile, self.node.snapshot())

    def assert_called(self, method: str, times: int | None = None, params: Any = None) -> None:
        self.journal.assert_called(method, times, params)

    # ------------------------------------------------------------------ internals
    def _profile_for(self, config: NodeConfig) -> Profile:
        if config.scenario is not None:
            scenario = scenarios.library.load(config.scenario)
            return get_profile(scenario.profile, config.deprecatedrpc)
        return get_profile(config.profile, config.deprecatedrpc)

    def _node_factory(self, config: NodeConfig) -> Callable[[], Node]:
        if config.scenario is not None:
            # Paused: the timeline moves only with advance (and the admin API's step, seek).
            return Playback(scenarios.library.load(config.scenario), paused=True).new_node
        if config not in self._recipes:  # one template per configuration, cloned per reset
            if len(self._recipes) >= MAX_TEMPLATES:  # a long session of many configurations
                del self._recipes[next(iter(self._recipes))]
            profile = self._profile_for(config)
            recipe = NodeRecipe(profile, config.peers, config.seed, config.settings,
                                config.start_seconds, config.speed)  # fmt: skip
            self._recipes[config] = RecipeNodes(recipe)
        return self._recipes[config].new_node

    def _credentials(self) -> Credentials:
        return Credentials((f"{self.user}:{self.password}",))

    def _write_files(self) -> None:
        self.datadir.mkdir(mode=0o700, parents=True, exist_ok=True)  # as the node's own
        lines = [f"rpcport={self.port}", f"rpcconnect={self.host}"]
        if self.config.auth == "cookie":
            cookie = CookieFile(self.datadir / COOKIE_FILE)
            cookie.password = self.password
            cookie.write()
        else:
            lines += [f"rpcuser={self.user}", f"rpcpassword={self.password}"]
        self.conf_path.write_text("\n".join(lines) + "\n")

    def _remove_files(self) -> None:
        (self.datadir / COOKIE_FILE).unlink(missing_ok=True)
        for name in CONF_NAMES.values():
            (self.datadir / name).unlink(missing_ok=True)
