"""The code in docs/pytest.md runs as written, in a fresh project with no conftest."""

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "pytest.md"


def labelled_blocks() -> dict[str, str]:
    text = DOC.read_text()
    return dict(re.findall(r"<!-- file: (\S+) -->\n```python\n(.*?)```", text, flags=re.S))


def test_the_worked_example_and_the_hypothesis_recipe_pass(pytester):
    blocks = labelled_blocks()
    assert set(blocks) == {"monitor.py", "test_monitor.py", "test_with_hypothesis.py"}
    for name, code in blocks.items():
        pytester.makepyfile(**{name.removesuffix(".py"): code})
    pytester.syspathinsert()
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=7)
