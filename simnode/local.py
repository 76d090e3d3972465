"""A fake node served in this process, with its own data directory: what tests and the pytest
plugin start. ``with LocalNode(peers=8) as node: AuthServiceProxy(node.rpc_url)...``"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from simnode.auth import COOKIE_FILE, CookieFile, Credentials
from simnode.http_runner import ServedNode
from simnode.model import Node, NodeSettings, VirtualClock, WallClock
from simnode.model.clock import DEFAULT_EPOCH_SECONDS
from simnode.model.fakepeers import PopulateOptions, populate
from simnode.profiles import DEFAULT_PROFILE, get_profile
from simnode.server import NodeApp
from simnode.simulation import Simulation

CONF_NAMES = {"Turing": "paicoin.conf", "Satoshi": "bitcoin.conf"}


class LocalNode:
    """A node on a virtual clock (or, with ``speed``, a wall clock running ``speed`` times real
    time from ``start_seconds``), served on 127.0.0.1 at a free port.

    ``auth`` is ``"password"`` (a random rpcuser/rpcpassword) or ``"cookie"`` (the node's cookie
    file in ``datadir``). The data directory holds a node-style .conf that python-bitcoinlib's
    ``Proxy(btc_conf_file=node.conf_path)`` reads; it is removed on stop if simnode made it.
    """

    def __init__(
        self,
        *,
        profile: str = DEFAULT_PROFILE,
        peers: int = 0,
        seed: int = 0,
        settings: NodeSettings | None = None,
        start_seconds: float = DEFAULT_EPOCH_SECONDS,
        speed: float | None = None,
        auth: str = "password",
        datadir: Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        idle_timeout: float = 30,
        app_options: dict | None = None,
    ) -> None:
        if auth not in ("password", "cookie"):
            raise ValueError("auth must be 'password' or 'cookie'")
        self.profile = get_profile(profile)
        self._owns_datadir = datadir is None
        self.datadir = Path(tempfile.mkdtemp(prefix="simnode-")) if datadir is None else datadir
        self.auth = auth
        identity = self.profile.identity
        options = PopulateOptions(p2p_port=identity.p2p_port, our_subver=identity.subversion)

        def make_node() -> Node:
            clock = (
                VirtualClock(start_seconds) if speed is None else WallClock(speed, start_seconds)
            )
            node = Node(clock, settings)
            populate(node, peers, seed, options)
            return node

        self.make_node: Callable[[], Node] = make_node
        self.simulation = Simulation(make_node, self.profile)
        self._cookie: CookieFile | None = None
        if auth == "cookie":
            self._cookie = CookieFile(self.datadir / COOKIE_FILE)
            self.user, self.password = "__cookie__", self._cookie.password
        else:
            self.user, self.password = "simnode", secrets.token_hex(16)
        self.app = NodeApp(
            self.simulation,
            Credentials((f"{self.user}:{self.password}",)),
            **(app_options or {}),
        )
        self._served = ServedNode(self.app, host, port, idle_timeout=idle_timeout)
        self.host, self.port = host, self._served.port

    # --- what a client needs
    @property
    def url(self) -> str:
        return self._served.url

    @property
    def rpc_url(self) -> str:
        """The URL with credentials, as python-bitcoinrpc's AuthServiceProxy takes it."""
        return f"http://{self.user}:{self.password}@{self.host}:{self.port}/"

    @property
    def cookie_path(self) -> Path | None:
        return None if self._cookie is None else self._cookie.path

    @property
    def conf_path(self) -> Path:
        return self.datadir / CONF_NAMES[self.profile.identity.client_name]

    @property
    def node(self) -> Node:
        return self.simulation.node

    # --- lifecycle
    def start(self) -> LocalNode:
        self.datadir.mkdir(parents=True, exist_ok=True)
        lines = [f"rpcport={self.port}", f"rpcconnect={self.host}"]
        if self._cookie is not None:
            self._cookie.write()
        else:
            lines += [f"rpcuser={self.user}", f"rpcpassword={self.password}"]
        self.conf_path.write_text("\n".join(lines) + "\n")
        self._served.start()
        return self

    def stop(self) -> None:
        self._served.stop()
        if self._cookie is not None:
            self._cookie.delete()
        if self._owns_datadir:
            shutil.rmtree(self.datadir, ignore_errors=True)
        else:
            self.conf_path.unlink(missing_ok=True)

    def __enter__(self) -> LocalNode:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
