"""The RPC method table: each method declares its arguments, help text and handler together,
as src/rpc/net.cpp does, and ``execute`` applies the node's generic checks in its order."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from simnode.model.node import Node
from simnode.model.state import NodeSnapshot
from simnode.profiles.profile import Profile
from simnode.rpc.answers import AnswerCache
from simnode.rpc.errors import RPCError, RPCErrorCode, misc_error
from simnode.rpc.params import univalue_type_name


class RequestView:
    """The node as one HTTP request sees it: one snapshot serves all the request's calls, and is
    taken again only after an event changed the node (a call of the batch, or anything else).
    A batch then reads one instant, which a real node, answering it in well under a
    millisecond, cannot be told apart from; it costs one snapshot instead of one per call."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self._snapshot: NodeSnapshot | None = None
        self._events_applied = -1

    def snapshot(self) -> NodeSnapshot:
        applied = self.node.events_applied
        if self._snapshot is None or applied != self._events_applied:
            self._events_applied = applied
            self._snapshot = self.node.snapshot()
        return self._snapshot


@dataclass(frozen=True, slots=True)
class RPCContext:
    """What a handler may use: the node to read and change, the release it speaks as, the
    method table (for ``help``), and how to ask the server to stop (the ``stop`` RPC)."""

    node: Node
    profile: Profile
    table: MethodTable
    request_stop: Callable[[], None] = lambda: None
    answers: AnswerCache | None = None  # the served node's, for methods that read ``Reads.CHAIN``
    view: RequestView | None = None  # the request's view of the node (None: a fresh snapshot)

    def snapshot(self) -> NodeSnapshot:
        return self.node.snapshot() if self.view is None else self.view.snapshot()


Handler = Callable[[RPCContext, list[Any]], Any]


class Reads(Enum):
    """What a method's answer reads, so a served node can tell when it is still the same."""

    # The chain, the mempool and the second: rendered once per change (rpc/answers.py).
    CHAIN = "chain"
    # Any of the node's state and the second: reused when a client sends the same body again
    # while the node is unchanged (rpc/plans.py). CHAIN answers are reused so too.
    STATE = "state"
    # The peer table, and the microsecond while a peer's ping is outstanding (its pingwait):
    # getpeerinfo, reused so while its PeerTable would give the same text.
    PEERS = "peers"


@dataclass(frozen=True, slots=True)
class Method:
    name: str
    category: str  # as `help` groups them; "hidden" methods are not listed
    arg_names: tuple[str, ...]
    min_args: int
    usage: str  # the first help line, e.g. 'setban "subnet" "add|remove" (bantime) (absolute)'
    description: str  # the rest of the help text; {cli} and {rpc} examples are filled per profile
    handler: Handler
    example_args: tuple[str, ...] = ("",)
    arg_types: tuple[str, ...] = ()  # JSON Schema type of each argument, for rpc.discover
    result_type: str = "null"  # JSON Schema type of the result, unless a profile knows more
    in_release: Callable[[Profile], bool] = lambda profile: True  # does the release have it?
    # How many leading arguments are documented as required, where that differs from
    # ``min_args`` (PAI's disconnectnode needs one of its two optional arguments).
    documented_required: int | None = None
    # What the answer is a function of, besides the arguments and the release (None: anything
    # else; the call changes the node, or reads the clock finer than a second, or the server).
    reads: Reads | None = None
    # Arguments the handler checks itself under RPCHelpMan (RPCArgOptions skip_type_check, Bitcoin
    # Core 25+, #26929): getblock's verbosity takes a number or the old boolean.
    skip_type_check: tuple[str, ...] = ()
    # The names a release takes the arguments by, where they differ from ``arg_names``: its
    # table's argNames, an alias after "|" ("verbosity|verbose"), as transformNamedArguments
    # reads them.
    named: Callable[[Profile], tuple[str, ...]] | None = None

    def names_in(self, profile: Profile) -> tuple[str, ...]:
        """The argument names (with their aliases) the release takes named parameters by."""
        return self.arg_names if self.named is None else self.named(profile)

    @property
    def max_args(self) -> int:
        return len(self.arg_names)

    def required_args(self, profile: Profile) -> int:
        """The fewest arguments the release accepts: from the documentation under RPCHelpMan
        (``IsValidNumArgs``), from the handler's own size check before it."""
        if profile.features.rpchelpman_arguments and self.documented_required is not None:
            return self.documented_required
        return self.min_args

    def help(self, profile: Profile) -> str:
        examples = "".join(
            _example_cli(profile, self.name, args) + _example_rpc(profile, self.name, args)
            for args in self.example_args
        )
        body = self.description.format(peer_fields=_peer_fields_help(profile))
        return f"{self.usage}\n{body}\nExamples:\n{examples}"


def _example_cli(profile: Profile, method: str, args: str) -> str:
    """``HelpExampleCli`` (src/rpc/server.cpp)."""
    return f"> {profile.identity.cli_name} {method} {args}\n"


def _example_rpc(profile: Profile, method: str, args: str) -> str:
    """``HelpExampleRpc`` (src/rpc/server.cpp), with the release's default RPC port."""
    return (
        '> curl --user myusername --data-binary \'{"jsonrpc": "1.0", "id":"curltest", '
        f'"method": "{method}", "params": [{args}] }}\' -H \'content-type: text/plain;\' '
        f"http://127.0.0.1:{profile.identity.rpc_port}/\n"
    )


_HELP_TYPES = {
    "integer": "numeric",
    "number": "numeric",
    "string": "string",
    "boolean": "boolean",
    "array": "array",
    "object": "json object",
}


def _peer_fields_help(profile: Profile) -> str:
    """getpeerinfo's Result section, derived from the profile's field table."""
    lines = []
    for field in profile.peer_fields:
        left = f'    "{field.name}": '
        lines.append(f"{left:<30}({_HELP_TYPES[field.json_type]}) {field.description}")
    return "\n".join(lines)


class Methods(list[Method]):
    """The methods one module declares, each at its handler (as fakeredis declares commands):

    NET = Methods("network")

    @NET.method("getconnectioncount", (), 0, "getconnectioncount", "...")
    def getconnectioncount(ctx, args): ...
    """

    def __init__(self, category: str) -> None:
        super().__init__()
        self.category = category

    def method(
        self,
        name: str,
        arg_names: tuple[str, ...],
        min_args: int,
        usage: str,
        description: str,
        *positional: Any,
        category: str | None = None,
        **options: Any,
    ) -> Callable[[Handler], Handler]:
        """Declare the decorated function as the handler of ``name``; the rest are ``Method``'s
        fields (``example_args`` may come positionally, after the description)."""

        def declare(handler: Handler) -> Handler:
            self.append(Method(name, category or self.category, arg_names, min_args, usage,
                               description, handler, *positional, **options))  # fmt: skip
            return handler

        return declare

    def named(self, name: str) -> Method:
        return next(method for method in self if method.name == name)


class MethodTable:
    """Method lookup and the generic checks ``CRPCTable::execute`` performs before a handler."""

    def __init__(self, methods: list[Method]) -> None:
        self.methods = {m.name: m for m in methods}

    def available(self, profile: Profile) -> dict[str, Method]:
        """The methods the release has."""
        return {name: m for name, m in self.methods.items() if m.in_release(profile)}

    def execute(self, context: RPCContext, name: str, params: list[Any] | dict[str, Any]) -> Any:
        method = self.methods.get(name)
        if method is None or not method.in_release(context.profile):
            raise RPCError(RPCErrorCode.METHOD_NOT_FOUND, "Method not found")
        args = transform_named_arguments(params, method.names_in(context.profile))
        required = method.required_args(context.profile)
        if not required <= len(args) <= method.max_args:
            # Every handler throws its full help text on wrong arity (fHelp || size checks).
            raise misc_error(method.help(context.profile))
        if context.profile.features.rpchelpman_arguments:
            check_argument_types(method, args, required)
        if method.reads is Reads.CHAIN and context.answers is not None:
            snapshot = context.snapshot()
            return context.answers.answer(name, args, snapshot,
                                          lambda: method.handler(context, args))  # fmt: skip
        return method.handler(context, args)

    def help_list(self, profile: Profile) -> str:
        """``help`` with no argument: first help lines grouped by category (CRPCTable::help)."""
        sections = []
        methods = self.available(profile)
        for category in sorted({m.category for m in methods.values()} - {"hidden"}):
            names = sorted(m.name for m in methods.values() if m.category == category)
            usages = "\n".join(methods[n].usage for n in names)
            sections.append(f"== {category.capitalize()} ==\n{usages}\n")
        return "\n".join(sections).rstrip("\n")


# RPCArg types as UniValue names them (uvTypeName); "integer" and "number" are both VNUM.
_UNIVALUE_TYPE_OF_ARG = {"string": "string", "integer": "number", "number": "number",
                         "boolean": "bool", "array": "array", "object": "object"}  # fmt: skip


def check_argument_types(method: Method, args: list[Any], required: int) -> None:
    """``RPCHelpMan::HandleRequest`` from Bitcoin Core 25 (#26929, src/rpc/util.cpp): every
    argument is matched against its declared type before the handler runs (an omitted or null
    optional one passes), and all mismatches are reported together as -3."""
    mismatches = {}
    for index, (name, arg_type) in enumerate(zip(method.arg_names, method.arg_types, strict=True)):
        value = args[index] if index < len(args) else None
        if (value is None and index >= required) or name in method.skip_type_check:
            continue
        expected, got = _UNIVALUE_TYPE_OF_ARG[arg_type], univalue_type_name(value)
        if got != expected:
            mismatches[f"Position {index + 1} ({name})"] = (
                f"JSON value of type {got} is not of expected type {expected}"
            )
    if mismatches:
        # arg_mismatch.write(4): UniValue's pretty layout, which json's indent=4 matches for an
        # object of ASCII strings.
        text = json.dumps(mismatches, indent=4)
        raise RPCError(RPCErrorCode.TYPE_ERROR, f"Wrong type passed:\n{text}")


def transform_named_arguments(params: list[Any] | dict[str, Any], names: tuple[str, ...]) -> list:
    """``transformNamedArguments`` (src/rpc/server.cpp @ PAI 3.0.0): an object of named
    parameters becomes a positional list, holes filled with null, trailing ones dropped. A name
    may carry aliases ("verbosity|verbose"): the first of them present is taken, and any other
    left over is an unknown named parameter."""
    if isinstance(params, list):
        return params
    left = dict(params)
    args: list[Any] = []
    holes = 0
    for pattern in names:
        found = next((name for name in pattern.split("|") if name in left), None)
        if found is None:
            holes += 1
            continue
        args.extend([None] * holes)
        holes = 0
        args.append(left.pop(found))
    if left:
        unknown = next(iter(left))
        raise RPCError(RPCErrorCode.INVALID_PARAMETER, f"Unknown named parameter {unknown}")
    return args
