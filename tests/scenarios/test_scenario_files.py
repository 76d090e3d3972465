"""Bad scenario files fail with the file, the line and column, and what was expected."""

import re
import textwrap

import pytest

from simnode.scenarios import ScenarioError, ScenarioRunner, load_scenario, loads_scenario

HEADER = "name: t\ndescription: a test\n"


def error_for(text: str, tmp_path) -> ScenarioError:
    path = tmp_path / "bad.yaml"
    path.write_text(textwrap.dedent(text))
    with pytest.raises(ScenarioError) as raised:
        ScenarioRunner(load_scenario(path)).run_to_end()
    return raised.value


@pytest.mark.parametrize(
    ("text", "line", "column", "problem"),
    [
        (HEADER + "colour: blue\n", 3, 1, "unknown key 'colour' in the scenario"),
        (HEADER + "seed: lots\n", 3, 7, "expected an integer, got 'lots'"),
        (HEADER + "settings:\n  ban_threshold: 100\n  bantime: 10\n", 5, 3,
         "unknown key 'bantime' in settings"),
        (HEADER + "peers:\n  - name: a\n    addr: 192.0.2.1:1\n    inbound: maybe\n", 6, 14,
         "expected true or false, got 'maybe'"),
        (HEADER + "peers:\n  - addr: 192.0.2.1:1\n", 4, 5, "peer needs 'name'"),
        (HEADER + "timeline:\n  - at: 1m\n    ping: ghost\n", 4, 9,
         "at 1m: no peer named 'ghost' is connected by then"),
        (HEADER + "peers:\n  - {name: a, addr: '192.0.2.1:1'}\ntimeline:\n  - at: 1m\n"
         "    disconnect: a\n  - at: 2m\n    ping: a\n", 8, 9, "no peer named 'a'"),
        (HEADER + "timeline:\n  - at: 2m\n    ping: all\n  - at: 90s\n    ping: all\n", 6, 9,
         "time goes backwards: 1m30s after 2m"),
        (HEADER + "timeline:\n  - at: soon\n    ping: all\n", 4, 9,
         "expected a duration such as 90, 90s, 2m or 1h, got 'soon'"),
        (HEADER + "timeline:\n  - at: 1m\n", 4, 5, "needs exactly one action (found none)"),
        (HEADER + "timeline:\n  - at: 1m\n    ping: all\n    flush: all\n", 4, 5,
         "needs exactly one action (found ping, flush)"),
        (HEADER + "timeline:\n  - at: 1m\n    every: 30s\n    ping: all\n", 5, 12,
         "'every' needs 'until' or 'times'"),
        (HEADER + "timeline:\n  - at: 1m\n    traffic: {peer: all, type: tx, direction: up, "
         "bytes: 5}\n", 5, 47, "expected 'send' or 'recv', got 'up'"),
        (HEADER + "profile: bitcoin-99\n", 3, 10, "unknown profile 'bitcoin-99'"),
        (HEADER + "timeline:\n  - at: 0\n    every: 1ms\n    until: 30d\n    ping: all\n", 4, 9,
         "the timeline grows past 10,000,000 steps here (2,592,000,001 from this entry)"),
        (HEADER + "peers:\n  - name: a\n    addr: 192.0.2.1:1\n    version: {height: 5}\n", 6, 15,
         "unknown key 'height' in version (expected: version, subver, services, startingheight"),
        (HEADER + "seed: !!python/object/apply:os.system ['true']\n", 3, 7,
         "tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed"),
        (HEADER + "peers:\n  - {name: a, addr: '192.0.2.1:1'}\n  - {name: a, addr: "
         "'192.0.2.2:1'}\n", 5, 5, "peer name 'a' is used twice"),
        (HEADER + "name: again\n", 3, 1, "duplicate key 'name'"),
        (HEADER + "peers: [\n", 4, 1, "not valid YAML"),
        ("- just\n- a list\n", 1, 1, "expected a mapping for the scenario"),
        ("", 1, 1, "the file is empty"),
        (HEADER + "end: 1m\ntimeline:\n  - at: 2m\n    ping: all\n", 3, 6,
         "'end' (1m) comes before the last entry (2m)"),
        (HEADER + "peers:\n  - {name: a, addr: '192.0.2.1:1'}\ntimeline:\n  - at: 1m\n"
         "    misbehave: {peer: a, score: 100}\n  - at: 2m\n    ping: a\n", 8, 9,
         "at 2m: peer 'a' (id 0) is no longer connected"),
    ],
)  # fmt: skip
def test_bad_files_name_file_line_column_and_problem(tmp_path, text, line, column, problem):
    error = error_for(text, tmp_path)
    message = str(error)
    assert re.match(rf"{re.escape(str(tmp_path / 'bad.yaml'))}:{line}:{column}: ", message), message
    assert problem in message


def test_nothing_half_loads(tmp_path):
    # A valid start and a bad entry near the end: no Scenario object is produced at all.
    text = HEADER + "timeline:\n" + "  - at: 1m\n    ping: all\n" * 50 + "  - at: 2m\n    pong: 5\n"
    with pytest.raises(ScenarioError):
        loads_scenario(text, "bad.yaml")


def test_json_is_accepted_as_a_subset(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(
        '{"name": "j", "description": "json", "peers": [{"name": "a", '
        '"addr": "192.0.2.1:8567"}], "timeline": [{"at": "1m", "ping": "a"}]}'
    )
    runner = ScenarioRunner(load_scenario(path))
    runner.run_to_end()
    assert runner.offset_seconds == 60


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90", 90), ("90s", 90), ("2m", 120), ("1h", 3600), ("1h30m", 5400), ("250ms", 0.25),
     ("1.5s", 1.5), ("1d", 86400)],
)  # fmt: skip
def test_durations(text, seconds):
    scenario = loads_scenario(HEADER + f"end: {text}\n")
    assert scenario.end_seconds == seconds


def test_playback_follows_the_wall_clock_and_loops():
    from simnode.scenarios import library
    from simnode.scenarios.playback import Playback

    wall = [100.0]
    playback = Playback(library.load("ping-timeout"), speed=60, loop=True,
                        monotonic=lambda: wall[0])  # fmt: skip
    node = playback.new_node()
    wall[0] += 10  # 10 s of wall time are 10 virtual minutes at 60x
    playback.tick()
    assert playback.runner.offset_seconds == 600
    silent = next(p for p in node.snapshot().peers if p.addr.startswith("198.51.100.77"))
    assert silent.pingwait_us(node.snapshot().now_us) == 600_000_000
    wall[0] += 60  # past the end (25 minutes): the clock runs on with the final state
    playback.tick()
    assert playback.ended and playback.runner.offset_seconds == 70 * 60
    fresh = playback.new_node()  # what a loop does at the end: the scenario starts over
    assert playback.runner.offset_seconds == 0 and len(fresh.snapshot().peers) == 2


def test_generated_peers_take_overrides_and_keep_everything_else():
    plain = loads_scenario(HEADER + "seed: 3\npeers:\n  - count: 4\n")
    overridden = loads_scenario(
        HEADER + "seed: 3\npeers:\n  - count: 4\n    inbound: true\n"
        "    whitelisted: true\n    pong_rtt: null\n"
        "    version: {subver: /Satoshi:0.12.1/, timeoffset: -4000}\n"
    )
    base, changed = (ScenarioRunner(s).node.snapshot().peers for s in (plain, overridden))
    assert all(p.inbound and p.whitelisted for p in changed)
    assert {(p.subver, p.timeoffset) for p in changed} == {("/Satoshi:0.12.1/", -4000)}
    hosts = [p.addr.rsplit(":", 1)[0] for p in base]  # ports follow the direction
    assert [p.addr.rsplit(":", 1)[0] for p in changed] == hosts  # the rest is as generated
    assert [p.startingheight for p in changed] == [p.startingheight for p in base]
