"""Strategy benchmark (issue 6): getpeerinfo results generated per second by
``simnode.strategies.getpeerinfo_results`` for 8 and 125 peers, as a ratio to
hypothesis-jsonschema generating from the same JSON Schema (pai, strict; items fixed to 8 or 125).

hypothesis-jsonschema 0.23.1 fails on current hypothesis, so the baseline runs in its own virtual
environment (bench/.venv-baseline, made on first use) with hypothesis < 6.130. Each side gets
the same time budget; a side that finishes nothing in it is reported as such.

Run: .venv/bin/python bench/bench_strategies.py [--budget SECONDS] [--examples N]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings

from simnode.profiles import get_profile
from simnode.profiles.schema import getpeerinfo_schema
from simnode.testing.strategies import getpeerinfo_results

BASELINE_VENV = Path(__file__).resolve().parent / ".venv-baseline"
BASELINE_PACKAGES = ["hypothesis<6.130", "hypothesis-jsonschema==0.23.1"]

BASELINE_SCRIPT = r"""
import json, sys, time
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis_jsonschema import from_schema
schema = json.load(open(sys.argv[1]))
examples, budget = int(sys.argv[2]), float(sys.argv[3])
count, started = [0], time.perf_counter()

class OutOfTime(Exception):
    pass

@settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
          suppress_health_check=list(HealthCheck))
@given(from_schema(schema))
def generate(result):
    count[0] += 1
    if time.perf_counter() - started > budget:
        raise OutOfTime

try:
    generate()
except OutOfTime:
    pass
except Exception as error:
    print(json.dumps({"count": count[0], "seconds": time.perf_counter() - started,
                      "error": repr(error)[:200]}))
    sys.exit(0)
print(json.dumps({"count": count[0], "seconds": time.perf_counter() - started}))
"""


def ours(peers: int, examples: int, budget: float) -> tuple[int, float]:
    count, started = [0], time.perf_counter()

    @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
    @given(getpeerinfo_results(min_peers=peers, max_peers=peers))
    def generate(result: list) -> None:
        assert len(result) == peers
        count[0] += 1

    generate()
    return count[0], time.perf_counter() - started


def baseline(peers: int, examples: int, budget: float) -> dict:
    if not BASELINE_VENV.exists():
        subprocess.run([sys.executable, "-m", "venv", str(BASELINE_VENV)], check=True)
        subprocess.run([str(BASELINE_VENV / "bin" / "python"), "-m", "pip", "install", "-q",
                        *BASELINE_PACKAGES], check=True)  # fmt: skip
    schema = getpeerinfo_schema(get_profile("pai"), "strict")
    schema.update(minItems=peers, maxItems=peers)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(schema, handle)
    try:
        output = subprocess.run(
            [str(BASELINE_VENV / "bin" / "python"), "-c", BASELINE_SCRIPT, handle.name,
             str(examples), str(budget)],
            capture_output=True, text=True, timeout=budget + 120,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return {"count": 0, "seconds": budget + 120, "error": "timed out"}
    finally:
        Path(handle.name).unlink()
    lines = output.stdout.strip().splitlines()
    if not lines:
        return {"count": 0, "seconds": budget, "error": output.stderr.strip()[-200:]}
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per measurement")
    parser.add_argument("--examples", type=int, default=100)
    options = parser.parse_args()
    for peers in (8, 125):
        count, seconds = ours(peers, options.examples, options.budget)
        our_rate = count / seconds
        base = baseline(peers, options.examples, options.budget)
        base_rate = base["count"] / base["seconds"] if base["count"] else 0.0
        note = f" ({base['error']})" if "error" in base else ""
        ratio = f"{our_rate / base_rate:.1f}x" if base_rate else "baseline made none"
        print(f"{peers:>4} peers: simnode {our_rate:8.1f} results/s ({count} in {seconds:.1f} s); "
              f"hypothesis-jsonschema {base_rate:6.2f} results/s ({base['count']} in "
              f"{base['seconds']:.1f} s){note}; ratio {ratio}")  # fmt: skip


if __name__ == "__main__":
    main()
