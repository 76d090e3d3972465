"""The documentation's runnable code blocks, read from the pages themselves."""

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"


def blocks_of(page: str) -> dict[str, str]:
    """A docs page's code blocks labelled ``<!-- file: NAME -->``, by name (``../README.md``
    for the README)."""
    text = (DOCS / page).read_text()
    return dict(re.findall(r"<!-- file: (\S+) -->\n```python\n(.*?)```", text, flags=re.S))
