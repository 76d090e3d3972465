"""Generated documentation stays in step with the tables it is generated from."""

from pathlib import Path

from simnode.profiles.doc import fields_markdown
from simnode.rpc.doc import methods_markdown

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_field_reference_matches_the_field_table():
    assert (DOCS / "fields.md").read_text() == fields_markdown(), (
        "regenerate with: python -m simnode.profiles.doc > docs/fields.md"
    )


def test_shipped_schemas_match_the_field_tables():
    from simnode.profiles.schema import SHIPPED, shipped_schemas

    expected = shipped_schemas()
    assert sorted(p.name for p in SHIPPED.glob("*.json")) == sorted(expected)
    for name, text in expected.items():
        assert (SHIPPED / name).read_text() == text, (
            f"{name} is stale: regenerate with python -m simnode.profiles.schema"
        )


def test_method_reference_matches_the_method_table():
    assert (DOCS / "methods.md").read_text() == methods_markdown(), (
        "regenerate with: python -m simnode.rpc.doc > docs/methods.md"
    )
