"""Handlers of the network RPCs (src/rpc/net.cpp @ PAI 3.0.0), changing state only via events."""

from __future__ import annotations

from typing import Any

from simnode.model import events as ev
from simnode.model.addresses import parse_subnet
from simnode.model.state import EventError
from simnode.profiles import netviews
from simnode.rpc.errors import RPCError, RPCErrorCode, misc_error
from simnode.rpc.methods import Methods, Reads, RPCContext
from simnode.rpc.params import get_bool, get_int, get_str, is_true

_PEERINFO_HELP = """
Returns data about each connected network node as a json array of objects.

Result:
[
  {{
{peer_fields}
  }}
  ,...
]
"""

NET_METHODS = Methods("network")


@NET_METHODS.method(
    "getconnectioncount",
    (),
    0,
    "getconnectioncount",
    "\nReturns the number of connections to other nodes.\n\nResult:\n"
    "n          (numeric) The connection count\n",
    reads=Reads.STATE,
)
def getconnectioncount(ctx: RPCContext, args: list[Any]) -> int:
    return netviews.getconnectioncount(ctx.snapshot())


@NET_METHODS.method(
    "getpeerinfo",
    (),
    0,
    "getpeerinfo",
    _PEERINFO_HELP,
    reads=Reads.PEERS,
)
def getpeerinfo(ctx: RPCContext, args: list[Any]) -> Any:
    snapshot = ctx.snapshot()
    if ctx.answers is None:
        return ctx.profile.getpeerinfo_json(snapshot)
    return ctx.answers.peer_table.render(snapshot)


@NET_METHODS.method(
    "getnettotals",
    (),
    0,
    "getnettotals",
    "\nReturns information about network traffic, including bytes in, bytes out,\n"
    "and current time.\n",
)
def getnettotals(ctx: RPCContext, args: list[Any]) -> dict[str, Any]:
    return netviews.getnettotals(ctx.snapshot())


@NET_METHODS.method(
    "getnetworkinfo",
    (),
    0,
    "getnetworkinfo",
    "Returns an object containing various state info regarding P2P networking.\n",
    reads=Reads.STATE,
)
def getnetworkinfo(ctx: RPCContext, args: list[Any]) -> dict[str, Any]:
    return netviews.getnetworkinfo(ctx.profile, ctx.snapshot())


@NET_METHODS.method(
    "ping",
    (),
    0,
    "ping",
    "\nRequests that a ping be sent to all other nodes, to measure ping time.\n"
    "Results provided in getpeerinfo, pingtime and pingwait fields are decimal seconds.\n"
    "Ping command is handled in queue with all other commands, so it measures "
    "processing backlog, not just network ping.\n",
)
def ping(ctx: RPCContext, args: list[Any]) -> None:
    """Queues a ping to every peer; pingwait shows until each pong arrives."""
    ctx.node.apply(ev.PingSent(None))


@NET_METHODS.method(
    "addnode",
    ("node", "command"),
    2,
    'addnode "node" "add|remove|onetry"',
    "\nAttempts to add or remove a node from the addnode list.\n"
    "Or try a connection to a node once.\n\nArguments:\n"
    '1. "node"     (string, required) The node (see getpeerinfo for nodes)\n'
    "2. \"command\"  (string, required) 'add' to add a node to the list, 'remove' to "
    "remove a node from the list, 'onetry' to try a connection to the node once\n",
    ('"192.168.0.6:8567" "onetry"',),
    arg_types=("string", "string"),
)
def addnode(ctx: RPCContext, args: list[Any]) -> None:
    """``add`` remembers the node, and the node's added-node thread connects it when something
    listens there; ``onetry`` tries one connection now; ``remove`` forgets it but keeps the
    connection (src/rpc/net.cpp:addnode @ PAI 3.0.0). None of them says whether a connection
    came of it: getaddednodeinfo and getpeerinfo do."""
    command = get_str(args[1]) if args[1] is not None else ""
    if command not in ("add", "remove", "onetry"):
        raise misc_error(NET_METHODS.named("addnode").help(ctx.profile))
    node_addr = get_str(args[0])
    try:
        ctx.node.apply(ev.AddNode(node_addr, command))
    except EventError:
        if command == "remove":
            message = ctx.profile.features.addnode_remove_unknown
            raise RPCError(RPCErrorCode.CLIENT_NODE_NOT_ADDED, message) from None
        raise RPCError(
            RPCErrorCode.CLIENT_NODE_ALREADY_ADDED, "Error: Node already added"
        ) from None


@NET_METHODS.method(
    "disconnectnode",
    ("address", "nodeid"),
    1,
    'disconnectnode "[address]" [nodeid]',
    "\nImmediately disconnects from the specified peer node.\n\n"
    "Strictly one out of 'address' and 'nodeid' can be provided to identify the node.\n\n"
    "To disconnect by nodeid, either set 'address' to the empty string, or call using "
    "the named 'nodeid' argument only.\n\nArguments:\n"
    '1. "address"     (string, optional) The IP address/port of the node\n'
    '2. "nodeid"      (number, optional) The node ID (see getpeerinfo for node IDs)\n',
    ('"192.168.0.6:8567"', '"" 1'),
    arg_types=("string", "integer"),
    documented_required=0,
)
def disconnectnode(ctx: RPCContext, args: list[Any]) -> None:
    address = args[0] if args else None
    node_id = args[1] if len(args) > 1 else None
    snapshot = ctx.snapshot()
    if address is not None and node_id is None:
        address = get_str(address)
        target = next((p.id for p in snapshot.peers if p.addr == address), None)
    elif node_id is not None and (address is None or address == ""):
        wanted = get_int(node_id)
        target = next((p.id for p in snapshot.peers if p.id == wanted), None)
    else:
        raise RPCError(
            RPCErrorCode.INVALID_PARAMS, "Only one of address and nodeid should be provided."
        )
    if target is None:
        raise RPCError(RPCErrorCode.CLIENT_NODE_NOT_CONNECTED, "Node not found in connected nodes")
    ctx.node.apply(ev.Disconnect(target))


@NET_METHODS.method(
    "getaddednodeinfo",
    ("node",),
    0,
    'getaddednodeinfo ( "node" )',
    "\nReturns information about the given added node, or all added nodes\n"
    "(note that onetry addnodes are not listed here)\n\nArguments:\n"
    '1. "node"   (string, optional) If provided, return information about this '
    "specific node, otherwise all nodes are returned.\n",
    ('"192.168.0.201"',),
    arg_types=("string",),
    result_type="array",
    reads=Reads.STATE,
)
def getaddednodeinfo(ctx: RPCContext, args: list[Any]) -> list[dict[str, Any]]:
    wanted = get_str(args[0]) if args and args[0] is not None else None
    try:
        return netviews.getaddednodeinfo(ctx.snapshot(), wanted)
    except KeyError:
        raise RPCError(
            RPCErrorCode.CLIENT_NODE_NOT_ADDED, "Error: Node has not been added."
        ) from None


@NET_METHODS.method(
    "setban",
    ("subnet", "command", "bantime", "absolute"),
    2,
    'setban "subnet" "add|remove" (bantime) (absolute)',
    "\nAttempts to add or remove an IP/Subnet from the banned list.\n\nArguments:\n"
    '1. "subnet"       (string, required) The IP/Subnet (see getpeerinfo for nodes IP) '
    "with an optional netmask (default is /32 = single IP)\n"
    "2. \"command\"      (string, required) 'add' to add an IP/Subnet to the list, "
    "'remove' to remove an IP/Subnet from the list\n"
    '3. "bantime"      (numeric, optional) time in seconds how long (or until when if '
    "[absolute] is set) the IP is banned (0 or empty means using the default time of 24h "
    "which can also be overwritten by the -bantime startup argument)\n"
    '4. "absolute"     (boolean, optional) If set, the bantime must be an absolute '
    "timestamp in seconds since epoch (Jan 1 1970 GMT)\n",
    ('"192.168.0.6" "add" 86400', '"192.168.0.0/24" "add"'),
    arg_types=("string", "string", "integer", "boolean"),
)
def setban(ctx: RPCContext, args: list[Any]) -> None:
    command = get_str(args[1]) if len(args) >= 2 else ""
    if command not in ("add", "remove"):
        raise misc_error(NET_METHODS.named("setban").help(ctx.profile))
    target = get_str(args[0])
    is_subnet = "/" in target
    invalid = RPCError(RPCErrorCode.CLIENT_INVALID_IP_OR_SUBNET, "Error: Invalid IP/Subnet")
    try:
        parse_subnet(target)
    except ValueError:
        raise invalid from None
    if command == "remove":
        try:
            ctx.node.apply(ev.Unban(target))
        except EventError:
            message = ctx.profile.features.unban_unknown
            raise RPCError(RPCErrorCode.CLIENT_INVALID_IP_OR_SUBNET, message) from None
        return
    if ctx.node.is_banned(target, exact_subnet=is_subnet):
        raise RPCError(RPCErrorCode.CLIENT_NODE_ALREADY_ADDED, "Error: IP/Subnet already banned")
    bantime = get_int(args[2]) if len(args) >= 3 and args[2] is not None else 0
    absolute = len(args) == 4 and is_true(args[3])
    # CConnman::Ban: a bantime of 0 or less means -bantime, counted from now.
    if bantime <= 0:
        ctx.node.apply(ev.Ban(target))
    elif absolute:
        ctx.node.apply(ev.Ban(target, until_seconds=bantime))
    else:
        ctx.node.apply(ev.Ban(target, bantime_seconds=bantime))


@NET_METHODS.method(
    "listbanned",
    (),
    0,
    "listbanned",
    "\nList all banned IPs/Subnets.\n",
    reads=Reads.STATE,
)
def listbanned(ctx: RPCContext, args: list[Any]) -> list[dict[str, Any]]:
    return netviews.listbanned(ctx.profile, ctx.snapshot())


@NET_METHODS.method(
    "clearbanned",
    (),
    0,
    "clearbanned",
    "\nClear all banned IPs.\n",
)
def clearbanned(ctx: RPCContext, args: list[Any]) -> None:
    ctx.node.apply(ev.ClearBans())


@NET_METHODS.method(
    "setnetworkactive",
    ("state",),
    1,
    "setnetworkactive true|false",
    "\nDisable/enable all p2p network activity.\n\nArguments:\n"
    '1. "state"        (boolean, required) true to enable networking, false to disable\n',
    arg_types=("boolean",),
    result_type="boolean",
)
def setnetworkactive(ctx: RPCContext, args: list[Any]) -> bool:
    active = get_bool(args[0])
    ctx.node.apply(ev.SetNetworkActive(active))
    return active
