"""An OpenRPC document for a profile, generated from the method table and the field table, so
OpenRPC tooling works against simnode (served as ``rpc.discover``)."""

from __future__ import annotations

from typing import Any

from simnode.profiles.netviews import result_schemas
from simnode.profiles.profile import Profile
from simnode.profiles.schema import peer_schema
from simnode.rpc.methods import Method, MethodTable

OPENRPC_VERSION = "1.2.6"


def _result_schema(method: Method, profile: Profile, known: dict[str, Any]) -> dict[str, Any]:
    if method.name == "getpeerinfo":
        return {"type": "array", "items": {"$ref": "#/components/schemas/peer"}}
    return known.get(method.name, {"type": method.result_type})


def openrpc_document(profile: Profile, table: MethodTable) -> dict[str, Any]:
    known = result_schemas(profile)
    methods = []
    for method in sorted(table.available(profile).values(), key=lambda m: m.name):
        summary = method.description.strip().split("\n")[0]
        required = method.required_args(profile)
        params = [
            {"name": name, "required": index < required, "schema": {"type": arg_type}}
            for index, (name, arg_type) in enumerate(zip(method.arg_names, method.arg_types,
                                                         strict=True))
        ]  # fmt: skip
        methods.append({
            "name": method.name,
            "summary": summary,
            "description": method.usage,
            "params": params,
            "result": {"name": f"{method.name}_result",
                       "schema": _result_schema(method, profile, known)},
            "paramStructure": "either",
        })  # fmt: skip
    identity = profile.identity
    return {
        "openrpc": OPENRPC_VERSION,
        "info": {"title": f"{identity.release_label} JSON-RPC (simnode)",
                 "version": ".".join(map(str, identity.client_version))},
        "servers": [{"name": "node", "url": f"http://127.0.0.1:{identity.rpc_port}/"}],
        "methods": methods,
        "components": {"schemas": {"peer": peer_schema(profile, "strict")}},
    }  # fmt: skip
