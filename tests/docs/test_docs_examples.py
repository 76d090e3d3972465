"""The code in docs/pytest.md runs as written, in a fresh project with no conftest."""

import re

from docpages import blocks_of


def test_the_worked_example_and_the_hypothesis_recipe_pass(pytester):
    blocks = blocks_of("pytest.md")
    assert set(blocks) == {"monitor.py", "test_monitor.py", "test_with_hypothesis.py"}
    for name, code in blocks.items():
        pytester.makepyfile(**{name.removesuffix(".py"): code})
    pytester.syspathinsert()
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=7)


def test_the_readme_plugin_example_passes(pytester):
    blocks = blocks_of("../README.md")
    for name, code in blocks.items():
        pytester.makepyfile(**{name.removesuffix(".py"): code})
    result = pytester.runpytest("-p", "no:cacheprovider", "-W", "ignore::ResourceWarning")
    result.assert_outcomes(passed=1)


def test_the_stateful_example_finds_the_planted_bug_and_writes_a_minimal_reproducer(pytester):
    from simnode.local import LocalNode

    blocks = blocks_of("conformance.md")
    assert set(blocks) == {"dashboard.py", "test_dashboard.py"}
    for name, code in blocks.items():
        pytester.makepyfile(**{name.removesuffix(".py"): code})
    pytester.syspathinsert()
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    output = result.stdout.str()
    assert "TypeError" in output
    assert "Falsifying example" in output or "Failing test case" in output
    # pytest may print the failing case twice (in the traceback and in the short summary)
    failing_case = re.search(r"Failing test case.*?state\.teardown\(\)", output, flags=re.S)
    assert failing_case, output
    calls = re.findall(r"state\.(\w+)\(", failing_case.group())
    rules = [c for c in calls if c not in ("dashboard_shows_every_peer", "teardown")]
    assert rules == ["connect"], calls  # shrunk to a single step
    reproducer = pytester.path / "reproducers" / "dashboard.yaml"
    with LocalNode(scenario=str(reproducer)) as node:
        assert len(node.peers()) == 1
        assert "pingwait" in node.peers()[0]
        import dashboard  # the planted bug, replayed from the file

        try:
            dashboard.dashboard_rows(node.host, node.port, node.user, node.password)
        except TypeError:
            pass
        else:
            raise AssertionError("the reproducer did not reproduce the crash")
