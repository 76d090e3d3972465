"""The scenario library shipped with simnode (the repository's scenarios/ folder)."""

from __future__ import annotations

import functools
import importlib.resources
from pathlib import Path

from simnode.scenarios.source import ScenarioError
from simnode.scenarios.spec import Scenario, load_scenario

_LIBRARY = "simnode.scenario_library"


def library_paths() -> dict[str, Path]:
    """Scenario name (file stem) -> file, sorted by name."""
    folder = importlib.resources.files(_LIBRARY)
    files = [Path(str(entry)) for entry in folder.iterdir() if entry.name.endswith(".yaml")]
    return {path.stem: path for path in sorted(files)}


def resolve(name_or_path: str) -> Path:
    """A library scenario by name, or a scenario file by path."""
    library = library_paths()
    if name_or_path in library:
        return library[name_or_path]
    path = Path(name_or_path)
    if path.is_file():
        return path
    raise ScenarioError(
        name_or_path,
        f"no such scenario file, and not a library scenario (library: {', '.join(library)})",
    )


def load(name_or_path: str) -> Scenario:
    """Load a scenario; an unchanged file is parsed once (a Scenario is immutable)."""
    path = resolve(name_or_path).resolve()
    stat = path.stat()
    return _load_cached(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _load_cached(path: Path, mtime_ns: int, size: int) -> Scenario:
    return load_scenario(path)
