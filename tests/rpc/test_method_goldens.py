"""The golden answers of every monitor method in every profile stay as committed (issue 10)."""

from pathlib import Path

import pytest

from simnode.profiles import PROFILES
from simnode.scenarios.goldens import golden_lines

GOLDENS = Path(__file__).resolve().parents[2] / "fixtures" / "methods"


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_method_goldens_are_current(profile):
    assert golden_lines(profile) == (GOLDENS / f"{profile}.jsonl").read_text(), (
        "regenerate with: python -m simnode.scenarios.goldens"
    )


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_the_same_seed_gives_byte_identical_answers(profile):
    assert golden_lines(profile) == golden_lines(profile)
