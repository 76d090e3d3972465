"""The spec page's example, read from ../shared/spec/getpeerinfo.md (never copied by hand)."""

import json
import re
from pathlib import Path

SPEC_PAGE = Path(__file__).resolve().parents[2] / "shared" / "spec" / "getpeerinfo.md"


def spec_example_entry() -> dict:
    text = SPEC_PAGE.read_text()
    blocks = re.findall(r"```\n(.*?)```", text, flags=re.S)
    result = next(b for b in blocks if b.lstrip().startswith("["))
    (entry,) = json.loads(result)
    return entry
