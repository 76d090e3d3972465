"""User-facing errors name what was wrong, where, and what is allowed (issue 14, defect 4)."""

import pytest

from simnode.local import NodeConfig
from simnode.profiles import get_profile
from simnode.profiles.releases import UnknownProfile
from simnode.scenarios import ScenarioError, loads_scenario

HEADER = "name: t\ndescription: a test\n"


def test_a_misspelled_action_is_named_with_the_closest_one():
    text = HEADER + "timeline:\n  - at: 1m\n    disconect: all\n"
    with pytest.raises(ScenarioError, match=r"did you mean 'disconnect' for 'disconect'\?"):
        loads_scenario(text, "t.yaml")


def test_messages_show_the_files_values_not_internal_objects():
    with pytest.raises(ScenarioError) as raised:
        loads_scenario(HEADER + "seed: [1, {a: 2}]\n", "t.yaml")
    assert "Located" not in str(raised.value)
    assert "got [1, {'a': 2}]" in str(raised.value)


def test_an_unknown_profile_is_a_value_error_naming_the_known_ones_and_the_closest():
    with pytest.raises(UnknownProfile, match=r"unknown profile 'bitcion-28'.*did you mean"):
        get_profile("bitcion-28")
    with pytest.raises(ValueError, match="unknown profile 'nope'"):
        NodeConfig(profile="nope")
    with pytest.raises(ScenarioError, match=r"t.yaml:3:10: unknown profile 'nope'"):
        loads_scenario(HEADER + "profile: nope\n", "t.yaml")


@pytest.mark.parametrize("peers", ["x", -1, True, 1.5])
def test_a_bad_peer_count_names_itself(peers):
    with pytest.raises(ValueError, match=f"peers must be a non-negative integer, not {peers!r}"):
        NodeConfig(peers=peers)


BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}' if prev else 'x'] * 10)}]\n"
    for prev, name in zip(["", *"abcdefg"], "abcdefgh", strict=True)
)  # eight levels of ten: 10^8 values from eight lines


@pytest.mark.parametrize(("text", "line", "problem"), [
    ("end: 100000000000000000000d\n", 3, "a duration of at most 100 years"),
    ("timeline:\n  - at: 1000000000d\n    ping: all\n", 4, "a duration of at most 100 years"),
    ("peers:\n  - count: 1000000\n", 4, "1,000,000 peers: a scenario connects at most 10,000"),
    ("peers:\n  - count: 6000\n  - count: 6000\n    prefix: b\n", 4, "12,000 peers"),
    (BOMB, 3, "YAML aliases expand past 100,000 repeated values here"),
])  # fmt: skip
def test_hostile_files_get_a_located_error_not_a_hang_or_traceback(text, line, problem):
    """issue 16, defects 5 and 6: a huge peer count or an alias bomb hung the tools (> 60 s,
    532 MB); a huge duration ended in a traceback when run."""
    with pytest.raises(ScenarioError) as raised:
        loads_scenario(HEADER + text, "t.yaml")
    assert str(raised.value).startswith(f"t.yaml:{line}:")
    assert problem in str(raised.value)
