"""Reading scenario files: YAML (JSON is a subset) into plain values that remember where they
came from, so every error can name the file, line and column.

Only plain data is accepted: mappings, sequences, strings, numbers, booleans, null and dates.
Any other tag (``!!python/object``, ``!custom``) is refused, nothing is ever constructed from one.

PyYAML is imported when a file is read, not with this module: ``simnode serve`` without a
scenario reads none, and its start is shorter by the import.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import yaml

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_MAP_TAG, _SEQ_TAG = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


@dataclass(frozen=True, slots=True)
class Where:
    """A place in a scenario file, 1-based as editors count."""

    path: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


class ScenarioError(ValueError):
    """A scenario that cannot be loaded or run; the message starts with file:line:column."""

    def __init__(self, where: Where | str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Located:
    """A value from the file with its place. Mappings hold ``dict[str, Located]``, sequences
    ``list[Located]``, scalars plain Python values."""

    value: Any
    where: Where
    key_wheres: dict[str, Where] | None = None  # for mappings: where each key is written

    @property
    def plain(self) -> Any:
        """The value as the file wrote it, without places (for messages)."""
        if isinstance(self.value, dict):
            return {key: item.plain for key, item in self.value.items()}
        if isinstance(self.value, list):
            return [item.plain for item in self.value]
        return self.value


def load_located(text: str, path: str) -> Located:
    """Parse ``text`` (the contents of ``path``) into located plain values."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML has it
    try:
        node = yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = _where(mark, path) if mark is not None else Where(path, 1, 1)
        raise ScenarioError(where, f"not valid YAML: {error.problem or error}") from None
    except yaml.YAMLError as error:
        raise ScenarioError(Where(path, 1, 1), f"not valid YAML: {error}") from None
    if node is None:
        raise ScenarioError(Where(path, 1, 1), "the file is empty; expected a mapping")
    return _convert(node, path, yaml.constructor.SafeConstructor(), _Budget())


def read_located(path: Path) -> Located:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError(Where(str(path), 1, 1), f"cannot read the file: {error}") from None
    return load_located(text, str(path))


def _where(mark: Any, path: str) -> Where:
    return Where(path, mark.line + 1, mark.column + 1)


# YAML aliases repeat a value; nested ones can make a short file expand to billions (an "alias
# bomb"). Values reached again through aliases are counted, and past this many refused.
MAX_ALIASED_VALUES = 100_000


class _Budget:
    """Which nodes were converted, and how many more may be reached again via aliases."""

    def __init__(self) -> None:
        self.seen: set[int] = set()
        self.aliased_left = MAX_ALIASED_VALUES

    def visit(self, node: yaml.Node, where: Where) -> None:
        if id(node) not in self.seen:
            self.seen.add(id(node))
            return
        self.aliased_left -= 1
        if self.aliased_left < 0:
            raise ScenarioError(where, f"YAML aliases expand past {MAX_ALIASED_VALUES:,} "
                                       "repeated values here (an alias bomb?)")  # fmt: skip


def _convert(
    node: yaml.Node, path: str, constructor: yaml.constructor.SafeConstructor, budget: _Budget
) -> Located:
    where = _where(node.start_mark, path)
    budget.visit(node, where)
    # PyYAML's node classes name their kind in ``id``, so no isinstance needs the module here.
    if node.id == "mapping" and node.tag == _MAP_TAG:
        mapping: dict[str, Located] = {}
        key_wheres: dict[str, Where] = {}
        for key_node, value_node in node.value:
            key = _convert(key_node, path, constructor, budget)
            if not isinstance(key.value, str):
                raise ScenarioError(key.where, f"keys must be strings, not {key.value!r}")
            if key.value in mapping:
                raise ScenarioError(key.where, f"duplicate key {key.value!r}")
            mapping[key.value] = _convert(value_node, path, constructor, budget)
            key_wheres[key.value] = key.where
        return Located(mapping, where, key_wheres)
    if node.id == "sequence" and node.tag == _SEQ_TAG:
        return Located([_convert(item, path, constructor, budget) for item in node.value], where)
    if node.id == "scalar" and node.tag in _SCALAR_TAGS:
        return Located(constructor.construct_object(node, deep=True), where)
    raise ScenarioError(where, f"tag {node.tag!r} is not allowed: scenario files hold plain data")
