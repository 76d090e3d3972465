"""JSON Schemas for getpeerinfo, generated from a profile's field table (never written by hand).

Three levels, from tight to loose:

- ``strict``: exactly the release: every field it always sends is required, nothing else allowed
  (key order is checked by ``simnode.conformance``, JSON Schema cannot say it);
- ``documented`` (the default): also what the release's reference page allows, so fields the
  page leaves out (PAI Core's addrbind, relaytxes, addnode) may be absent;
- ``lenient``: also unknown extra fields, as a newer node adds them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from simnode.profiles.fields import Field, Presence
from simnode.profiles.profile import Profile

LEVELS = ("strict", "documented", "lenient")
DRAFT = "https://json-schema.org/draft/2020-12/schema"


def field_schema(field: Field) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": field.json_type, "description": field.description}
    if field.items and field.json_type == "array":
        schema["items"] = {"type": field.items}
    if field.items and field.json_type == "object":
        schema["additionalProperties"] = {"type": field.items}
    schema.update(field.constraints)
    return schema


def required_fields(profile: Profile, level: str = "documented") -> list[str]:
    _check_level(level)
    required = [f.name for f in profile.peer_fields if f.presence is not Presence.OPTIONAL]
    if level != "strict":
        required = [name for name in required if name not in profile.undocumented]
    return required


def peer_schema(profile: Profile, level: str = "documented") -> dict[str, Any]:
    """One getpeerinfo entry."""
    return {
        "type": "object",
        "properties": {f.name: field_schema(f) for f in profile.peer_fields},
        "required": required_fields(profile, level),
        "additionalProperties": level == "lenient",
    }


def getpeerinfo_schema(profile: Profile, level: str = "documented") -> dict[str, Any]:
    """The whole getpeerinfo result, with the entry schema under ``$defs``."""
    return {
        "$schema": DRAFT,
        "$id": f"https://simnode.invalid/schemas/{profile.name}/{level}/getpeerinfo.json",
        "title": f"getpeerinfo result, {profile.identity.release_label} ({level})",
        "description": profile.summary,
        "type": "array",
        "items": {"$ref": "#/$defs/peer"},
        "$defs": {"peer": peer_schema(profile, level)},
    }


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")


SHIPPED = Path(__file__).resolve().parent.parent / "schemas"


def shipped_schemas() -> dict[str, str]:
    """File name -> text of every schema shipped in the package (simnode/schemas/)."""
    from simnode.profiles.releases import PROFILES

    return {
        f"{name}-{level}.json": json.dumps(getpeerinfo_schema(profile, level), indent=2) + "\n"
        for name, profile in PROFILES.items()
        for level in LEVELS
    }


if __name__ == "__main__":  # python -m simnode.profiles.schema: rewrite the shipped schemas
    SHIPPED.mkdir(exist_ok=True)
    for file_name, text in shipped_schemas().items():
        (SHIPPED / file_name).write_text(text)
        print(SHIPPED / file_name)
