"""docs/tables.md documents every column, in sync with the Pandera models of b2b and marts."""

from __future__ import annotations

from pathlib import Path

from buying_groups.docs import GENERATED, generated_blocks, rewrite_generated

TABLES_DOC = Path(__file__).resolve().parents[1] / "docs" / "tables.md"


def test_tables_doc_holds_every_generated_block_as_the_models_give_it():
    text = TABLES_DOC.read_text(encoding="utf-8")
    assert set(generated_blocks(text)) == set(GENERATED)
    assert text == rewrite_generated(text), (
        "docs/tables.md is out of date: run `python -m buying_groups.docs --write docs/tables.md`"
    )
