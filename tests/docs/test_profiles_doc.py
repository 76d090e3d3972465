"""docs/profiles.md stays in step with the release, field-history and bitcoin-cli tables."""

from pathlib import Path

from simnode.conformance.profiledoc import profiles_markdown

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_profiles_doc_matches_the_tables():
    assert (DOCS / "profiles.md").read_text() == profiles_markdown(), (
        "regenerate with: python -m simnode.conformance.profiledoc > docs/profiles.md"
    )


def test_the_field_table_shows_the_deprecations():
    rows = {line.split(" | ")[0]: line.split(" | ") for line in profiles_markdown().splitlines()}
    assert rows["| `startingheight`"][-2] == "`startingheight`"  # 31: only with the switch
    assert "`banscore`" in rows["| `banscore`"]  # 0.21
