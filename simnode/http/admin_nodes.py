"""The admin API's endpoints that choose the node being served: a reset to a generated node
(a recipe) or a scenario played, paused, stepped and sought."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from simnode import scenarios
from simnode.http.admin_api import AdminAPI
from simnode.http.apitable import BadRequest
from simnode.http.simulation import Simulation
from simnode.model.clock import WallClock
from simnode.profiles import get_profile
from simnode.scenarios.durations import parse_duration
from simnode.scenarios.playback import Playback
from simnode.scenarios.recipe import NodeRecipe, RecipeNodes
from simnode.scenarios.source import ScenarioError

if TYPE_CHECKING:
    from simnode.scenarios.spec import Scenario


def reset(api: AdminAPI, args: dict[str, Any]) -> dict[str, Any]:
    """``{}``: a fresh node of the current configuration. With keys: a node so configured
    (profile, peers, seed; or a library scenario). Faults and the journal are cleared, as
    LocalNode.reset does."""
    sim = api.sim
    if all(value is None for value in args.values()):
        sim.reset()
    elif args["scenario"] is not None:
        if any(args[key] is not None for key in ("profile", "peers", "seed")):
            raise BadRequest(
                "POST /simnode/reset: a scenario sets its own profile, peers and "
                "seed; give 'scenario' alone"
            )
        _play(api, _library_scenario(args["scenario"]), paused=_is_virtual(sim))
    else:
        recipe = _recipe(sim, args)
        sim.reset(RecipeNodes(recipe).new_node, recipe.profile)
    api.app.faults.clear()
    api.app.journal.clear()
    return {"profile": sim.profile.name, "peers": len(sim.node.snapshot().peers)}


def _is_virtual(sim: Simulation) -> bool:
    return not isinstance(sim.node.clock, WallClock)


def _recipe(sim: Simulation, args: dict[str, Any]) -> NodeRecipe:
    """The current recipe with the keys given (a played scenario's node: a recipe on a clock
    of its kind and with its settings). Another release brings its own settings, with the
    server's adjustments (``NodeRecipe.adjust``); the same release keeps the node's."""
    # The same release keeps its -deprecatedrpc switches; another is named without them.
    profile = sim.profile if args["profile"] is None else get_profile(args["profile"])
    clock = sim.node.clock
    current = sim.recipe or NodeRecipe(sim.profile, settings=sim.node.settings,
                                       speed=None if _is_virtual(sim) else clock.speed)  # fmt: skip
    same_release = profile.name == current.profile.name
    return dataclasses.replace(
        current,
        profile=profile,
        peers=args["peers"] or 0,
        seed=args["seed"] or 0,
        settings=current.settings if same_release else None,
    )


# ------------------------------------------------------------------------------ scenarios
def _library_scenario(name: str) -> Scenario:
    library = scenarios.library
    if name not in library.library_paths():
        raise BadRequest(
            f"unknown library scenario {name!r} (library: {', '.join(library.library_paths())})"
        )
    return library.load(name)


def _play(
    api: AdminAPI,
    scenario: Scenario,
    *,
    paused: bool,
    speed: float | None = None,
    loop: bool | None = None,
) -> Playback:
    sim = api.sim
    previous = sim.playback
    playback = Playback(
        scenario,
        speed=speed or (previous.speed if previous else 1.0),
        loop=loop if loop is not None else bool(previous and previous.loop),
        paused=paused,
    )
    sim.reset(playback.new_node, get_profile(scenario.profile))
    return playback


def scenario_library(api: AdminAPI, args: dict[str, Any]) -> dict[str, Any]:
    """The library's scenarios, for a picker: name and description."""
    library = scenarios.library
    return {
        "scenarios": [
            {"name": name, "description": " ".join(library.load(name).description.split())}
            for name in library.library_paths()
        ]
    }


def scenario_status(api: AdminAPI, args: dict[str, Any]) -> dict[str, Any] | None:
    playback = api.sim.playback
    if playback is None:
        return None
    playback.tick()
    return playback.status(args["upcoming"])


def scenario_load(api: AdminAPI, args: dict[str, Any]) -> dict[str, Any]:
    if (args["name"] is None) == (args["yaml"] is None):
        raise BadRequest(
            "POST /simnode/scenario/load takes 'name' (a library scenario) or "
            "'yaml' (a scenario document), one of them"
        )
    if args["name"] is not None:
        scenario = _library_scenario(args["name"])
    else:
        try:
            scenario = scenarios.loads_scenario(args["yaml"], "posted.yaml")
            Playback(scenario).runner.run_to_end()  # fail now, not in the middle of playing
        except ScenarioError as error:
            raise BadRequest(f"the posted scenario: {error}") from None
    paused = _is_virtual(api.sim) if args["paused"] is None else args["paused"]
    playback = _play(api, scenario, paused=paused, speed=args["speed"], loop=args["loop"])
    return playback.status()


def scenario_pause(api: AdminAPI, args: dict[str, Any]) -> dict[str, Any]:
    api.playback().pause()
    return api.playback().status()


def scenario_resume(api: AdminAPI, args: dict[str, Any]) -> dict[str, Any]:
    api.playback().resume()
    return api.playback().status()


def scenario_step(api: AdminAPI, args: dict[str, Any]) -> dict[str, Any]:
    playback = api.playback()
    if playback.step() is None:
        raise BadRequest("the scenario has no step left (seek, or load it again)")
    return playback.status()


def scenario_speed(api: AdminAPI, args: dict[str, Any]) -> dict[str, Any]:
    api.playback().set_speed(args["speed"])
    return api.playback().status()


def scenario_seek(api: AdminAPI, args: dict[str, Any]) -> dict[str, Any]:
    """To an offset into the scenario; an earlier one starts it over and plays up to there."""
    playback = api.playback()
    offset = args["offset"]
    if isinstance(offset, str):
        try:
            offset = parse_duration(offset)
        except ValueError as error:
            raise BadRequest(f"POST /simnode/scenario/seek: 'offset': {error}") from None
    if offset < 0 or offset > playback.scenario.end_seconds:
        raise BadRequest(
            f"POST /simnode/scenario/seek: 'offset' must be between 0 and the "
            f"scenario's end, {playback.scenario.end_seconds:g} s, not {offset:g}"
        )
    playback.tick()
    if offset < playback.offset_seconds:
        api.sim.reset()  # the model only moves forward: start over (the factory is playback's)
    playback.seek_forward(offset)
    return playback.status()
