"""``simnode serve``: a populated, living fake node on a socket until Ctrl-C, SIGTERM or the
``stop`` RPC, with the node's own option names, logins and cookie file."""

from __future__ import annotations

import argparse
import dataclasses
import os
import signal
import threading
from pathlib import Path
from typing import Any

from simnode.commandline import CLIError, load_scenario_checked
from simnode.http.app import DEFAULT_ALLOWED_CLIENTS, NodeApp
from simnode.http.auth import COOKIE_FILE, CookieFile, Credentials
from simnode.http.console import (
    DEBUG_CATEGORIES,
    NodeWatcher,
    RPCTimer,
    close_logging,
    configure_logging,
    run_until_stopped,
)
from simnode.http.runner import ServedNode
from simnode.http.simulation import Simulation
from simnode.model.state import NodeSettings
from simnode.profiles import DEFAULT_PROFILE, PROFILES, get_profile
from simnode.profiles.profile import Profile
from simnode.profiles.releases import ALIASES, rpc_server_defaults
from simnode.scenarios.ambient import AmbientTraffic
from simnode.scenarios.playback import Playback
from simnode.scenarios.recipe import NodeRecipe, RecipeNodes

DEFAULT_DATADIR = Path.home() / ".simnode"
PLAYBACK_TICK_SECONDS = 0.1


def add_serve_command(commands: Any) -> None:
    """``simnode serve`` and its options, most in the node's own spelling too."""
    serve = commands.add_parser(
        "serve",
        help="run a fake node",
        description="Serve a populated, living fake node. Option names follow the node's own.",
    )

    def node_option(name: str, **options: Any) -> None:
        """``--name`` and the node's own spelling, ``-name=value``, as paicoind takes it."""
        serve.add_argument(f"--{name}", f"-{name}", **options)

    serve.add_argument(
        "--profile",
        default=DEFAULT_PROFILE,
        choices=sorted([*PROFILES, *ALIASES]),
        help="release to speak as",
    )
    node_option(
        "deprecatedrpc",
        action="append",
        default=[],
        metavar="NAME",
        help="answer as a node started with -deprecatedrpc=NAME (e.g. startingheight for core-31,"
        " banscore for core-0.21); repeatable",
    )
    node_option("rpcbind", default="127.0.0.1", help="address to listen on")
    node_option(
        "rpcallowip",
        action="append",
        default=[],
        metavar="IP_OR_SUBNET",
        help="also accept clients from here (loopback always); repeatable",
    )
    node_option("rpcport", type=int, help="port (default: the release's, 8566 for pai)")
    node_option("rpcuser", help="user name (with --rpcpassword; else cookie auth)")
    node_option("rpcpassword", help="password for --rpcuser")
    node_option(
        "rpcauth",
        action="append",
        default=[],
        help="user:salt$hash entry (share/rpcauth/rpcauth.py format); repeatable",
    )
    node_option(
        "datadir",
        type=Path,
        default=DEFAULT_DATADIR,
        help=f"where the cookie file goes (default {DEFAULT_DATADIR})",
    )
    node_option("rpccookiefile", type=Path, help="cookie path (default DATADIR/.cookie)")
    node_option("rpcthreads", type=int, help="default: the release's (4; 16 from core-29)")
    node_option("rpcworkqueue", type=int, help="default: the release's (16; 64 from core-29)")
    node_option(
        "rpcservertimeout",
        type=float,
        default=30,
        help="seconds before an idle connection is closed",
    )
    node_option("banscore", type=int, default=100)
    node_option("bantime", type=int, default=86400)
    serve.add_argument("--peers", type=int, default=12, help="peers to start with")
    serve.add_argument("--seed", type=int, default=0, help="seed for the generated peers")
    serve.add_argument(
        "--speed", type=float, default=1.0, help="virtual seconds per wall-clock second"
    )
    node_option(
        "mocktime",
        type=int,
        metavar="UNIX_SECONDS",
        help="the clock stands at this time (moved only by setmocktime or the admin API), so "
        "--seed gives byte-identical answers",
    )
    serve.add_argument(
        "--scenario",
        metavar="NAME_OR_PATH",
        help="play a scenario in real time (its profile and peers replace "
        "--profile, --peers and --seed)",
    )
    serve.add_argument("--loop", action="store_true", help="start the scenario over at its end")
    serve.add_argument(
        "--exit-at-end", action="store_true", help="stop when the scenario ends (for CI)"
    )
    serve.add_argument("-v", "--verbose", action="count", default=0, help="log each RPC call too")
    serve.add_argument("-q", "--quiet", action="store_true", help="log warnings only")
    node_option(
        "debug",
        action="append",
        default=[],
        choices=DEBUG_CATEGORIES,
        help="-debug=rpc: log each RPC call with its status and duration",
    )
    node_option(
        "debuglogfile",
        nargs="?",
        const="debug.log",
        metavar="FILE",
        help="also write every line, RPC calls included, to FILE (relative: in DATADIR; "
        "without FILE: DATADIR/debug.log)",
    )
    serve.set_defaults(handler=serve_command)


def _default_recipe(args: argparse.Namespace, profile: Profile) -> NodeRecipe:
    """The built-in default scenario: generated peers, and a block every target spacing as on
    the network; with --mocktime a clock that stands at that time, as the node's -mocktime."""

    def adjust(settings: NodeSettings) -> NodeSettings:
        blocks = settings.chain.target_spacing
        return dataclasses.replace(settings, ban_threshold=args.banscore,
                                   ban_time_seconds=args.bantime,
                                   block_interval_seconds=blocks)  # fmt: skip

    if args.mocktime is not None:
        return NodeRecipe(profile, args.peers, args.seed, mocktime=args.mocktime, adjust=adjust)
    return NodeRecipe(profile, args.peers, args.seed, speed=args.speed, adjust=adjust)


def rpc_logins(args: argparse.Namespace) -> tuple[CookieFile | None, tuple[str, ...]]:
    """The cookie file written, if any, and the ``user:password`` logins besides -rpcauth's, as
    InitRPCAuthentication (src/httprpc.cpp @ PAI 3.0.0) decides: with -rpcpassword, -rpcuser +
    ":" + -rpcpassword (an empty user when none is given, never the text "None"); without it,
    the cookie (-rpcuser alone is ignored). Without -rpcauth, simnode refuses one of -rpcuser and
    -rpcpassword without the other: no login would be the one meant."""
    if bool(args.rpcuser) != bool(args.rpcpassword) and not args.rpcauth:
        raise CLIError("--rpcuser and --rpcpassword go together")
    if args.rpcpassword:
        return None, (f"{args.rpcuser or ''}:{args.rpcpassword}",)
    cookie = CookieFile(args.rpccookiefile or args.datadir / COOKIE_FILE)
    try:
        cookie.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        cookie.write()
    except OSError as error:
        raise CLIError(f"cannot write the cookie file {cookie.path}: {error.strerror}") from None
    return cookie, (cookie.user_pass,)


def serve_command(args: argparse.Namespace) -> int:
    profile = get_profile(args.profile, args.deprecatedrpc)
    if args.speed <= 0:
        raise CLIError("--speed must be positive")
    if args.peers < 0:
        raise CLIError("--peers must not be negative")
    if args.mocktime is not None and args.scenario:
        raise CLIError("--mocktime: a scenario sets its own clock")
    if args.mocktime is not None and args.mocktime <= 0:
        raise CLIError(
            "--mocktime must be a positive unix time (the node's -mocktime=0 means "
            "no mock time: leave the option out)"
        )
    playback = None
    if args.scenario:
        playback = Playback(load_scenario_checked(args.scenario), args.speed, args.loop)
        profile = get_profile(playback.scenario.profile, args.deprecatedrpc)
        simulation = Simulation(playback.new_node, profile)
    else:
        simulation = Simulation(RecipeNodes(_default_recipe(args, profile)).new_node, profile)
    cookie, user_passwords = rpc_logins(args)
    rpc_threads, work_queue = rpc_server_defaults(profile, args.rpcthreads, args.rpcworkqueue)
    try:
        app = NodeApp(
            simulation,
            Credentials(user_passwords, tuple(args.rpcauth)),
            rpc_threads=rpc_threads,
            work_queue_depth=work_queue,
            allowed_clients=(*DEFAULT_ALLOWED_CLIENTS, *args.rpcallowip),
        )
    except ValueError as error:
        if cookie:
            cookie.delete()
        raise CLIError(f"--rpcallowip: {error}") from None
    port = profile.identity.rpc_port if args.rpcport is None else args.rpcport
    try:
        served = ServedNode(RPCTimer(app, app.journal), args.rpcbind, port,
                            threads=app.work_queue.server_threads,
                            idle_timeout=args.rpcservertimeout)  # fmt: skip
    except OSError as error:
        if cookie:
            cookie.delete()
        raise CLIError(f"cannot listen on {args.rpcbind}:{port}: {error.strerror}") from None
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    logfile = None if args.debuglogfile is None else args.datadir / args.debuglogfile
    configure_logging(args.verbose, args.quiet, args.debug, logfile)
    ambient = AmbientTraffic(simulation.node, args.seed)

    def ambient_traffic() -> None:
        nonlocal ambient
        if ambient.node is not simulation.node:  # reset through the control plane
            ambient = AmbientTraffic(simulation.node, args.seed)
        ambient.catch_up()

    with served:
        _announce(served, profile.name, args, cookie, playback)
        print(f"simnode: live page  {app.admin.one_time_link(served.url)}  (one use; "
              f"or {served.url} with the RPC credentials)", flush=True)  # fmt: skip
        watcher = NodeWatcher(simulation, args.speed)
        run_until_stopped(simulation, stop, tick_seconds=PLAYBACK_TICK_SECONDS,
                          exit_at_end=args.exit_at_end, watcher=watcher,
                          idle=ambient_traffic)  # fmt: skip
        app.admin.close()
    close_logging()
    if cookie:
        cookie.delete()
    print("simnode: stopped", flush=True)
    return 0


def _announce(
    served: ServedNode,
    profile: str,
    args: argparse.Namespace,
    cookie: CookieFile | None,
    playback: Playback | None,
) -> None:
    user = f'"$(cat {cookie.path})"' if cookie else f"{args.rpcuser}:{args.rpcpassword}"
    body = '{"jsonrpc":"1.0","id":"curltest","method":"getpeerinfo","params":[]}'
    life = ("the clock standing at --mocktime" if args.mocktime is not None
            else "ambient traffic")  # fmt: skip
    what = (
        f"playing scenario {playback.scenario.name!r} at {args.speed:g}x"
        if playback
        else f"with the built-in default scenario ({args.peers} generated peers, {life})"
    )
    lines = [
        f"simnode: serving a fake {profile} node {what} at {served.url}",
        f"simnode: cookie file {cookie.path}" if cookie else "simnode: auth with --rpcuser",
        f"simnode: try  curl --user {user} --data-binary '{body}' {served.url}",
        f"simnode: pid {os.getpid()}; stop with Ctrl-C",
    ]
    print("\n".join(lines), flush=True)
