"""simnode: the command line. "simnode serve" runs a fake node until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import dataclasses
import http.client
import json
import os
import shutil
import signal
import sys
import textwrap
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from simnode import __version__
from simnode.conformance.check import check_node
from simnode.conformance.client import RPCClient, RPCFailure
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
from simnode.profiles import DEFAULT_PROFILE, PROFILES, get_profile
from simnode.profiles.doc import profiles_listing
from simnode.profiles.profile import Profile
from simnode.profiles.releases import ALIASES
from simnode.profiles.schema import LEVELS, getpeerinfo_schema
from simnode.scenarios import Scenario, ScenarioError, ScenarioRunner, library, load_scenario
from simnode.scenarios.ambient import AmbientTraffic
from simnode.scenarios.durations import format_duration, parse_duration
from simnode.scenarios.playback import Playback
from simnode.scenarios.recipe import NodeRecipe, RecipeNodes
from simnode.scenarios.record import transcript

DEFAULT_DATADIR = Path.home() / ".simnode"
PLAYBACK_TICK_SECONDS = 0.1


class CLIError(Exception):
    """A problem to report in one line, with a non-zero exit."""


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows an option's default when it has a meaningful one (not None, not off)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default in (None, False, argparse.SUPPRESS) or action.default == []:
            return action.help
        return super()._get_help_string(action)


class _Parser(argparse.ArgumentParser):
    """argparse with the conventions users expect: every default shown in --help, and a bad
    option answered in one line that names it (not the whole usage)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="simnode", description=__doc__)
    parser.add_argument("--version", action="version", version=f"simnode {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
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
    node_option("rpcthreads", type=int, default=4)
    node_option("rpcworkqueue", type=int, default=16)
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

    scenarios = commands.add_parser("scenarios", help="the scenario library and scenario files")
    actions = scenarios.add_subparsers(dest="action", required=True)
    actions.add_parser("list", help="the library's scenarios").set_defaults(handler=scenarios_list)
    show = actions.add_parser("show", help="a scenario's description and timeline")
    show.add_argument("scenario", metavar="NAME_OR_PATH")
    show.set_defaults(handler=scenarios_show)
    validate = actions.add_parser("validate", help="load and run scenario files to their end")
    validate.add_argument("paths", nargs="+", metavar="PATH")
    validate.set_defaults(handler=scenarios_validate)

    record = commands.add_parser(
        "record", help="write a scenario's transcript (getpeerinfo etc. at chosen times)"
    )
    record.add_argument("scenario", metavar="NAME_OR_PATH", nargs="?")
    record.add_argument(
        "--at",
        action="append",
        default=None,
        metavar="DURATION",
        help="a time to record at (repeatable; default: the scenario's record_at)",
    )
    record.add_argument("--out", type=Path, help="file to write (default: standard output)")
    record.add_argument(
        "--library",
        type=Path,
        metavar="DIR",
        help="write every library scenario's transcript to DIR/NAME.jsonl",
    )
    record.set_defaults(handler=record_command)

    profiles = commands.add_parser(
        "profiles", help="the releases simnode imitates: protocol version, user agent, aliases"
    )
    profiles.set_defaults(handler=lambda args: print(profiles_listing(), end="") or 0)

    schema = commands.add_parser("schema", help="the JSON Schema of a profile's getpeerinfo")
    schema.add_argument("--profile", default=DEFAULT_PROFILE, choices=sorted([*PROFILES, *ALIASES]))
    schema.add_argument("--level", default="documented", choices=LEVELS)
    schema.set_defaults(handler=schema_command)

    check = commands.add_parser(
        "check",
        help="check a live node's net RPC answers against a profile",
        description="Exit status 0 only if every answer conforms.",
    )
    check.add_argument(
        "--url", required=True, help="the node's RPC URL, e.g. http://127.0.0.1:8566/"
    )
    check.add_argument("--user")
    check.add_argument("--password")
    check.add_argument("--cookie", type=Path, help="the node's .cookie file")
    check.add_argument("--profile", default=DEFAULT_PROFILE, choices=sorted([*PROFILES, *ALIASES]))
    check.add_argument("--level", default="documented", choices=LEVELS)
    check.add_argument("--banscore", type=int, default=100, help="the node's -banscore")
    check.add_argument("--json", action="store_true", help="the report as JSON, for machines")
    check.set_defaults(handler=check_command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except CLIError as error:
        print(f"simnode: error: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader went away (simnode scenarios list | head)
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (nothing more is written)
        return 0


def _load_scenario(name_or_path: str) -> Scenario:
    try:
        scenario = library.load(name_or_path)
        ScenarioRunner(scenario).run_to_end()  # fail now, not in the middle of serving
    except ScenarioError as error:
        raise CLIError(str(error)) from None
    return scenario


def scenarios_list(args: argparse.Namespace) -> int:
    """Each library scenario and its whole description, wrapped to the terminal."""
    width = max(shutil.get_terminal_size().columns, 60)
    for name, path in library.library_paths().items():
        description = " ".join(load_scenario(path).description.split())
        print(name)
        print(textwrap.fill(description, width, initial_indent="    ",
                            subsequent_indent="    "))  # fmt: skip
    return 0


def scenarios_show(args: argparse.Namespace) -> int:
    scenario = _load_scenario(args.scenario)
    print(f"{scenario.name} ({scenario.source})")
    print(
        f"profile {scenario.profile}, seed {scenario.seed}, start {scenario.start_seconds:.0f}, "
        f"end {format_duration(scenario.end_seconds)}, {len(scenario.steps)} timeline steps"
    )
    print()
    print(scenario.description.rstrip())
    return 0


def scenarios_validate(args: argparse.Namespace) -> int:
    failures = 0
    for path in args.paths:  # files, or names of the library's scenarios
        try:
            ScenarioRunner(load_scenario(library.resolve(path))).run_to_end()
        except ScenarioError as error:
            print(f"{error}", file=sys.stderr)
            failures += 1
        else:
            print(f"{path}: ok")
    return 1 if failures else 0


def record_command(args: argparse.Namespace) -> int:
    if args.library is not None:
        args.library.mkdir(parents=True, exist_ok=True)
        for name, path in library.library_paths().items():
            (args.library / f"{name}.jsonl").write_text(transcript(load_scenario(path)))
            print(f"{args.library / name}.jsonl")
        return 0
    if args.scenario is None:
        raise CLIError("name a scenario, or give --library DIR")
    scenario = _load_scenario(args.scenario)
    try:
        times = None if args.at is None else tuple(parse_duration(t) for t in args.at)
    except ValueError as error:
        raise CLIError(f"--at: {error}") from None
    text = transcript(scenario, times)
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text)
    return 0


def _default_recipe(args: argparse.Namespace, profile: Profile) -> NodeRecipe:
    """The built-in default scenario: generated peers, and a block every target spacing as on
    the network; with --mocktime a clock that stands at that time, as the node's -mocktime."""
    settings = dataclasses.replace(
        profile.settings,
        ban_threshold=args.banscore,
        ban_time_seconds=args.bantime,
        block_interval_seconds=profile.settings.chain.target_spacing,
    )
    recipe = NodeRecipe(profile, args.peers, args.seed, settings, speed=args.speed)
    if args.mocktime is None:
        return recipe
    # The clock reads the mocktime once the generated history has been played.
    start = args.mocktime - recipe.history_seconds
    return dataclasses.replace(recipe, start_seconds=start, speed=None)


def schema_command(args: argparse.Namespace) -> int:
    schema = getpeerinfo_schema(get_profile(args.profile), args.level)
    print(json.dumps(schema, indent=2))
    return 0


def check_command(args: argparse.Namespace) -> int:
    if args.cookie is None and (args.user is None) != (args.password is None):
        raise CLIError("--user and --password go together (or give --cookie)")
    try:
        client = RPCClient(args.url, args.user, args.password, args.cookie)
    except (OSError, ValueError) as error:
        raise CLIError(str(error)) from None
    with client:
        try:
            client.call("getconnectioncount")  # can we talk to it at all?
        except (OSError, RPCFailure, http.client.HTTPException) as error:
            raise CLIError(f"cannot query {args.url}: {error}") from None
        report = check_node(client.call, args.profile, args.level, args.banscore)
    if args.json:
        document = {"url": args.url, "profile": args.profile, "level": args.level,
                    **report.as_json()}  # fmt: skip
        print(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        print(f"simnode check {args.url} as {args.profile} ({args.level})")
        print(report.text())
    return 0 if report.conforms else 1


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
    playback = None
    if args.scenario:
        playback = Playback(_load_scenario(args.scenario), args.speed, args.loop)
        profile = get_profile(playback.scenario.profile, args.deprecatedrpc)
        simulation = Simulation(playback.new_node, profile)
    else:
        simulation = Simulation(RecipeNodes(_default_recipe(args, profile)).new_node, profile)
    cookie, user_passwords = rpc_logins(args)
    try:
        app = NodeApp(
            simulation,
            Credentials(user_passwords, tuple(args.rpcauth)),
            rpc_threads=args.rpcthreads,
            work_queue_depth=args.rpcworkqueue,
            allowed_clients=(*DEFAULT_ALLOWED_CLIENTS, *args.rpcallowip),
        )
    except ValueError as error:
        if cookie:
            cookie.delete()
        raise CLIError(f"--rpcallowip: {error}") from None
    port = profile.identity.rpc_port if args.rpcport is None else args.rpcport
    try:
        served = ServedNode(RPCTimer(app, app.journal), args.rpcbind, port,
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
    what = (
        f"playing scenario {playback.scenario.name!r} at {args.speed:g}x"
        if playback
        else f"with the built-in default scenario ({args.peers} generated peers, ambient traffic)"
    )
    lines = [
        f"simnode: serving a fake {profile} node {what} at {served.url}",
        f"simnode: cookie file {cookie.path}" if cookie else "simnode: auth with --rpcuser",
        f"simnode: try  curl --user {user} --data-binary '{body}' {served.url}",
        f"simnode: pid {os.getpid()}; stop with Ctrl-C",
    ]
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    sys.exit(main())
