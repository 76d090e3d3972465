"""A profile: one node release's dialect, rendering snapshots into that release's exact JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from simnode.model.fakepeers import PopulateOptions, bitcoin_core_agents
from simnode.model.peer import PeerSnapshot
from simnode.model.state import NodeSettings, NodeSnapshot
from simnode.profiles.fields import ABSENT, FIELDS, Field
from simnode.profiles.jsontext import RawJSON
from simnode.profiles.peertable import PeerEncoder, PeerTable, json_array


@dataclass(frozen=True, slots=True)
class NodeIdentity:
    """Who the node says it is (src/clientversion.*, src/version.h, src/chainparams*.cpp)."""

    client_name: str  # CLIENT_NAME: "Turing" for PAI Core, "Satoshi" for Bitcoin Core
    client_version: tuple[int, int, int]
    version_number: int  # getnetworkinfo.version (CLIENT_VERSION)
    protocol_version: int
    local_services: int
    rpc_port: int
    p2p_port: int
    release_label: str  # how the docs and help name the release
    cli_name: str  # the node's CLI, as its help examples name it
    stop_message: str  # what the stop RPC answers

    @property
    def subversion(self) -> str:
        """``FormatSubVersion``: ``/Turing:3.0.0/``."""
        return f"/{self.client_name}:{'.'.join(map(str, self.client_version))}/"


@dataclass(frozen=True, slots=True)
class NetFeatures:
    """Which shape each of the neighbouring net RPCs has in this release."""

    networkinfo_has_networkactive: bool = True  # 0.14+
    networkinfo_has_incrementalfee: bool = True  # 0.14+
    listbanned_has_reason: bool = True  # up to 0.20.0
    networks: tuple[str, ...] = ("ipv4", "ipv6", "onion")
    # -24 text for `addnode remove` of an unknown node (0.21+ changed it, #19696).
    addnode_remove_unknown: str = "Error: Node has not been added."
    # -30 text for `setban remove` of an address not banned (0.20.1+ says "manually banned").
    unban_unknown: str = "Error: Unban failed. Requested address/subnet was not previously banned."
    work_queue_status: int = 500  # 503 from Bitcoin Core 22 (#18335)
    jsonrpc_v2: bool = False  # JSON-RPC 2.0 beside the legacy protocol, from Bitcoin Core 28
    named_params: bool = True  # params as an object: Bitcoin Core 0.14+ (#8811), PAI Core
    has_getinfo: bool = True  # PAI Core keeps it; Bitcoin Core removed it in 0.16
    # getnetworkinfo: localservicesnames (0.19+, #16787), connections_in/out (0.21+, #19405),
    # warnings as a list of strings (28+, #29845).
    networkinfo_servicesnames: bool = False
    networkinfo_connections_split: bool = False
    warnings_list: bool = False
    # listbanned: ban_created before banned_until, plus ban_duration and time_remaining (22+).
    listbanned_durations: bool = False
    # Arguments handled as RPCHelpMan does: the arity from which arguments are documented as
    # optional, and every argument's JSON type checked before the handler runs (25+, #26929).
    rpchelpman_arguments: bool = False


@dataclass(eq=False)
class Profile:
    """A release's getpeerinfo field order plus its identity and net-RPC shapes.

    ``peer_fields`` comes from the shared field table (``fields.FIELDS``). A profile holds no
    state: the caches of a served node's answers belong to that node (``peer_table``).
    """

    name: str
    identity: NodeIdentity
    field_names: tuple[str, ...]
    features: NetFeatures = NetFeatures()
    summary: str = ""
    # Fields the release's own reference page leaves out of its table: the real node sends
    # them, but a node or client built from the documentation may not.
    undocumented: tuple[str, ...] = ()
    # How the release's node behaves by default (misbehaviour rules, known message types).
    settings: NodeSettings = field(default_factory=NodeSettings)
    deprecatedrpc: frozenset[str] = frozenset()  # the -deprecatedrpc switches it was made with
    peer_fields: tuple[Field, ...] = field(init=False)
    encode_peer: PeerEncoder = field(init=False)

    def __post_init__(self) -> None:
        self.peer_fields = tuple(FIELDS[name] for name in self.field_names)
        self.encode_peer = PeerEncoder(self.peer_fields)

    def peer_table(self) -> PeerTable:
        """A fresh incremental getpeerinfo renderer, for one served node."""
        return PeerTable(self.encode_peer)

    def render_peer(self, peer: PeerSnapshot, now_us: int) -> dict[str, Any]:
        """One getpeerinfo entry, keys in the release's order, absent fields left out."""
        entry = {}
        for f in self.peer_fields:
            value = f.value(peer, now_us)
            if value is not ABSENT:
                entry[f.name] = value
        return entry

    def populate_options(self, **overrides: Any) -> PopulateOptions:
        """How generated peers of this release look: its ports and user agent, and the agents
        and protocol versions of the nodes that connect to it."""
        identity = self.identity
        if identity.client_name == "Satoshi":
            own = identity.protocol_version
            overrides = {"user_agents": bitcoin_core_agents(identity.client_version),
                         "protocol_versions": ((own, 85), (own - 1, 10), (own - 2, 5)),
                         **overrides}  # fmt: skip
        return PopulateOptions(p2p_port=identity.p2p_port, our_subver=identity.subversion,
                               **overrides)  # fmt: skip

    def getpeerinfo(self, snapshot: NodeSnapshot) -> list[dict[str, Any]]:
        return [self.render_peer(peer, snapshot.now_us) for peer in snapshot.peers]

    def getpeerinfo_json(self, snapshot: NodeSnapshot) -> RawJSON:
        """getpeerinfo as JSON, every peer rendered (a served node keeps a ``PeerTable``)."""
        now = snapshot.now_us
        return RawJSON(
            encoded=json_array([self.encode_peer(p, now).encode() for p in snapshot.peers])
        )
