"""Control and test RPCs: help, uptime, and setmocktime (the node's own clock control)."""

from __future__ import annotations

from typing import Any

from simnode.model import events as ev
from simnode.model.clock import MICROS
from simnode.model.limits import LATEST_US
from simnode.profiles import netviews
from simnode.profiles.chainshapes import core_from
from simnode.rpc.methods import Methods, Reads, RPCContext
from simnode.rpc.params import get_int, get_str, type_check_number

CONTROL_METHODS = Methods("control")


@CONTROL_METHODS.method(
    "help",
    ("command",),
    0,
    'help ( "command" )',
    "\nList all commands, or get help for a specified command.\n\nArguments:\n"
    '1. "command"     (string, optional) The command to get help on\n',
    arg_types=("string",),
    result_type="string",
    reads=Reads.STATE,
)
def help_(ctx: RPCContext, args: list[Any]) -> str:
    if not args or args[0] is None:
        return ctx.table.help_list(ctx.profile)
    name = get_str(args[0])
    method = ctx.table.available(ctx.profile).get(name)
    if method is None:
        return f"help: unknown command: {name}"
    return method.help(ctx.profile)


@CONTROL_METHODS.method(
    "rpc.discover",
    (),
    0,
    "rpc.discover",
    "\nReturns an OpenRPC document describing every method (simnode; the newest node "
    "releases describe themselves this way).\n",
    category="hidden",
    result_type="object",
    reads=Reads.STATE,
)
def discover(ctx: RPCContext, args: list[Any]) -> dict[str, Any]:
    """``rpc.discover``: an OpenRPC description of every method, in this profile's shapes."""
    from simnode.rpc.openrpc import openrpc_document

    return openrpc_document(ctx.profile, ctx.table)


@CONTROL_METHODS.method(
    "stop",
    (),
    0,
    "stop",
    "\nStop the server.\n",
    result_type="string",
)
def stop(ctx: RPCContext, args: list[Any]) -> str:
    """The node answers, then shuts its HTTP server: later requests get 503, and
    ``simnode serve`` exits. A reset (the pytest plugin's next test) starts it again."""
    ctx.request_stop()
    return ctx.profile.identity.stop_message


@CONTROL_METHODS.method(
    "getinfo",
    (),
    0,
    "getinfo",
    "\nReturns an object containing various state info.\n",
    category="blockchain",
    result_type="object",
    in_release=lambda profile: profile.features.has_getinfo,
    reads=Reads.STATE,
)
def getinfo(ctx: RPCContext, args: list[Any]) -> dict[str, Any]:
    return netviews.getinfo(ctx.profile, ctx.snapshot())


@CONTROL_METHODS.method(
    "uptime",
    (),
    0,
    "uptime",
    "\nReturns the total uptime of the server.\n\nResult:\n"
    "ttt        (numeric) The number of seconds that the server has been running\n",
    # Bitcoin Core 0.15 added uptime (#10400); PAI Core, a 0.15.99 fork, has it.
    in_release=core_from("0.15", pai=True),
    reads=Reads.STATE,
)
def uptime(ctx: RPCContext, args: list[Any]) -> int:
    return netviews.uptime(ctx.snapshot())


@CONTROL_METHODS.method(
    "setmocktime",
    ("timestamp",),
    1,
    "setmocktime timestamp",
    "\nSet the local time to given timestamp (-regtest only)\n\nArguments:\n"
    "1. timestamp  (integer, required) Unix seconds-since-epoch timestamp\n"
    "   Pass 0 to go back to using the system time.\n",
    category="hidden",
    arg_types=("integer",),
)
def setmocktime(ctx: RPCContext, args: list[Any]) -> None:
    """Moves simnode's virtual clock: pings, timeouts and ban expiry follow, as in recent Bitcoin
    Core. A real PAI Core applies mocktime to little more than ``uptime``, and only in regtest.
    0 (the node's "back to system time") and times before now leave the clock where it is: a
    real PAI Core's peer times follow the wall clock and never go back either. So do times past
    the node's int64 microseconds, which the node accepts without a word."""
    type_check_number(args[0])
    timestamp = get_int(args[0])
    if ctx.node.clock.now_us() < timestamp * MICROS <= LATEST_US:
        ctx.node.apply(ev.SetClock(timestamp))
