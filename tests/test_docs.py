"""docs/tables.md documents every validated column, in sync with the Pandera models."""

from __future__ import annotations

from pathlib import Path

from buying_groups.docs import b2b_tables_markdown

TABLES_DOC = Path(__file__).resolve().parents[1] / "docs" / "tables.md"


def test_tables_doc_embeds_the_generated_b2b_reference():
    assert b2b_tables_markdown() in TABLES_DOC.read_text(encoding="utf-8"), (
        "docs/tables.md is out of date: paste the output of `python -m buying_groups.docs`"
    )
