"""``simnode``: the command line. ``simnode serve`` runs a fake node until Ctrl-C / SIGTERM."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from simnode.ambient import AmbientTraffic
from simnode.auth import COOKIE_FILE, CookieFile, Credentials
from simnode.model import Node, NodeSettings, WallClock
from simnode.model.fakepeers import PopulateOptions, populate
from simnode.profiles import DEFAULT_PROFILE, PROFILES, get_profile
from simnode.profiles.releases import ALIASES
from simnode.server import NodeApp, ServedNode
from simnode.simulation import Simulation

DEFAULT_DATADIR = Path.home() / ".simnode"
AMBIENT_TICK_SECONDS = 1.0


class CLIError(Exception):
    """A problem to report in one line, with a non-zero exit."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="simnode", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve",
        help="run a fake node",
        description="Serve a populated, living fake node. Option names follow the node's own.",
    )
    serve.add_argument(
        "--profile",
        default=DEFAULT_PROFILE,
        choices=sorted([*PROFILES, *ALIASES]),
        help="release to speak as",
    )
    serve.add_argument("--rpcbind", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--rpcport", type=int, help="port (default: the release's, 8566 for pai)")
    serve.add_argument("--rpcuser", help="user name (with --rpcpassword; else cookie auth)")
    serve.add_argument("--rpcpassword", help="password for --rpcuser")
    serve.add_argument(
        "--rpcauth",
        action="append",
        default=[],
        help="user:salt$hash entry (share/rpcauth/rpcauth.py format); repeatable",
    )
    serve.add_argument(
        "--datadir",
        type=Path,
        default=DEFAULT_DATADIR,
        help=f"where the cookie file goes (default {DEFAULT_DATADIR})",
    )
    serve.add_argument("--rpccookiefile", type=Path, help="cookie path (default DATADIR/.cookie)")
    serve.add_argument("--rpcthreads", type=int, default=4)
    serve.add_argument("--rpcworkqueue", type=int, default=16)
    serve.add_argument(
        "--rpcservertimeout",
        type=float,
        default=30,
        help="seconds before an idle connection is closed",
    )
    serve.add_argument("--banscore", type=int, default=100)
    serve.add_argument("--bantime", type=int, default=86400)
    serve.add_argument("--peers", type=int, default=12, help="peers to start with")
    serve.add_argument("--seed", type=int, default=0, help="seed for the generated peers")
    serve.add_argument(
        "--speed", type=float, default=1.0, help="virtual seconds per wall-clock second"
    )
    serve.set_defaults(handler=serve_command)
    return parser  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except CLIError as error:
        print(f"simnode: error: {error}", file=sys.stderr)
        return 1


def serve_command(args: argparse.Namespace) -> int:
    profile = get_profile(args.profile)
    if args.speed <= 0:
        raise CLIError("--speed must be positive")
    if args.peers < 0:
        raise CLIError("--peers must not be negative")
    if bool(args.rpcuser) != bool(args.rpcpassword) and not args.rpcauth:
        raise CLIError("--rpcuser and --rpcpassword go together")
    settings = NodeSettings(ban_threshold=args.banscore, ban_time_seconds=args.bantime)
    options = PopulateOptions(p2p_port=profile.identity.p2p_port,
                              our_subver=profile.identity.subversion)  # fmt: skip

    def make_node() -> Node:
        node = Node(WallClock(speed=args.speed), settings)
        populate(node, args.peers, args.seed, options)
        return node

    simulation = Simulation(make_node, profile)
    cookie = None
    user_passwords: list[str] = []
    if args.rpcpassword:
        user_passwords.append(f"{args.rpcuser}:{args.rpcpassword}")
    else:
        cookie = CookieFile(args.rpccookiefile or args.datadir / COOKIE_FILE)
        try:
            cookie.path.parent.mkdir(parents=True, exist_ok=True)
            cookie.write()
        except OSError as error:
            raise CLIError(
                f"cannot write the cookie file {cookie.path}: {error.strerror}"
            ) from None
        user_passwords.append(cookie.user_pass)
    app = NodeApp(
        simulation,
        Credentials(tuple(user_passwords), tuple(args.rpcauth)),
        rpc_threads=args.rpcthreads,
        work_queue_depth=args.rpcworkqueue,
    )
    port = profile.identity.rpc_port if args.rpcport is None else args.rpcport
    try:
        served = ServedNode(app, args.rpcbind, port, idle_timeout=args.rpcservertimeout)
    except OSError as error:
        if cookie:
            cookie.delete()
        raise CLIError(f"cannot listen on {args.rpcbind}:{port}: {error.strerror}") from None
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    with served:
        _announce(served, profile.name, args, cookie)
        ambient = AmbientTraffic(simulation.node, args.seed)
        while not stop.wait(AMBIENT_TICK_SECONDS):
            if ambient.node is not simulation.node:  # reset through the control plane
                ambient = AmbientTraffic(simulation.node, args.seed)
            ambient.catch_up()
    if cookie:
        cookie.delete()
    print("simnode: stopped", flush=True)
    return 0


def _announce(served: ServedNode, profile: str, args: argparse.Namespace, cookie) -> None:  # type: ignore[no-untyped-def]
    user = f'"$(cat {cookie.path})"' if cookie else f"{args.rpcuser}:{args.rpcpassword}"
    body = '{"jsonrpc":"1.0","id":"curltest","method":"getpeerinfo","params":[]}'
    lines = [
        f"simnode: serving a fake {profile} node with {args.peers} peers at {served.url}",
        f"simnode: cookie file {cookie.path}" if cookie else "simnode: auth with --rpcuser",
        f"simnode: try  curl --user {user} --data-binary '{body}' {served.url}",
        f"simnode: pid {os.getpid()}; stop with Ctrl-C",
    ]
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    sys.exit(main())
