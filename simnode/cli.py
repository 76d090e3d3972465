"""simnode: the command line. "simnode serve" runs a fake node until Ctrl-C or SIGTERM."""

# The check and scenario commands import their machinery in their handlers, so "simnode serve"
# starts without the validator (jsonschema) or the scenario-file machinery.

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

from simnode import __version__
from simnode.commandline import CLIError, Parser, load_scenario_checked
from simnode.profiles import DEFAULT_PROFILE, PROFILES, get_profile
from simnode.profiles.doc import profiles_listing
from simnode.profiles.releases import ALIASES
from simnode.profiles.schema import LEVELS, getpeerinfo_schema
from simnode.serve import add_serve_command


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="simnode", description=__doc__)
    parser.add_argument("--version", action="version", version=f"simnode {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    add_serve_command(commands)

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


def scenarios_list(args: argparse.Namespace) -> int:
    """Each library scenario and its whole description, wrapped to the terminal."""
    from simnode.scenarios import library, load_scenario

    width = max(shutil.get_terminal_size().columns, 60)
    for name, path in library.library_paths().items():
        description = " ".join(load_scenario(path).description.split())
        print(name)
        print(textwrap.fill(description, width, initial_indent="    ",
                            subsequent_indent="    "))  # fmt: skip
    return 0


def scenarios_show(args: argparse.Namespace) -> int:
    from simnode.scenarios.durations import format_duration

    scenario = load_scenario_checked(args.scenario)
    print(f"{scenario.name} ({scenario.source})")
    print(
        f"profile {scenario.profile}, seed {scenario.seed}, start {scenario.start_seconds:.0f}, "
        f"end {format_duration(scenario.end_seconds)}, {len(scenario.steps)} timeline steps"
    )
    print()
    print(scenario.description.rstrip())
    return 0


def scenarios_validate(args: argparse.Namespace) -> int:
    from simnode.scenarios import ScenarioError, ScenarioRunner, library, load_scenario

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
    from simnode.scenarios import library, load_scenario
    from simnode.scenarios.durations import parse_duration
    from simnode.scenarios.record import transcript

    if args.library is not None:
        args.library.mkdir(parents=True, exist_ok=True)
        for name, path in library.library_paths().items():
            (args.library / f"{name}.jsonl").write_text(transcript(load_scenario(path)))
            print(f"{args.library / name}.jsonl")
        return 0
    if args.scenario is None:
        raise CLIError("name a scenario, or give --library DIR")
    scenario = load_scenario_checked(args.scenario)
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


def schema_command(args: argparse.Namespace) -> int:
    schema = getpeerinfo_schema(get_profile(args.profile), args.level)
    print(json.dumps(schema, indent=2))
    return 0


def check_command(args: argparse.Namespace) -> int:
    from simnode.conformance.check import check_node
    from simnode.conformance.client import RPCClient, RPCFailure

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


if __name__ == "__main__":
    sys.exit(main())
