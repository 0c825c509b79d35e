"""Reference documentation generated from the Pandera models (the README embeds it).

``python -m buying_groups.docs`` prints the validated-table reference; a test keeps the
README's copy identical, so the column list is written once, in ``model/schemas.py``.
"""

from __future__ import annotations

from buying_groups.model import ENTITIES
from buying_groups.model.entities import ColumnSpec
from buying_groups.model.marts import MARTS

_ON_INVALID = {"reject": "row quarantined", "nullify": "emptied, flagged", "suppress": "read as true, flagged"}


def _bad_value(column: ColumnSpec) -> str:
    if not column.source:
        return "—"
    text = _ON_INVALID[column.on_invalid]
    if not column.nullable and column.duckdb_type != "BOOLEAN" and column.on_invalid != "reject":
        text += "; empty quarantines"
    if column.sets_flag:
        text += f"; sets `{column.sets_flag}`"
    return text


def b2b_tables_markdown() -> str:
    lines: list[str] = []
    for spec in ENTITIES:
        lines += [
            f"#### `{spec.qualified_table}` — from `{spec.entity}` files, {spec.mode} on `{spec.key_column}`",
            "",
            "| column | type | from | on a bad value | meaning |",
            "|---|---|---|---|---|",
        ]
        for column in spec.columns:
            source = f"`{column.source}`" if column.source else "derived"
            meaning = column.description.replace("<", "&lt;").replace(">", "&gt;")
            lines.append(f"| `{column.name}` | {column.duckdb_type} | {source} | {_bad_value(column)} | {meaning} |")
        lines.append("")
    return "\n".join(lines)


def _escape(text: str) -> str:
    return text.replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def marts_tables_markdown() -> str:
    lines: list[str] = []
    for spec in MARTS:
        key = f", key ({', '.join(spec.primary_key)})" if spec.primary_key else ""
        lines += [
            f"#### `{spec.qualified_table}`{key}",
            "",
            _escape(spec.description),
            "",
            "| column | type | meaning |",
            "|---|---|---|",
        ]
        for column in spec.columns:
            meaning = _escape(column.description)
            if column.allowed:
                meaning += " (one of " + ", ".join(f"`{value}`" for value in column.allowed) + ")"
            lines.append(
                f"| `{column.name}` | {column.duckdb_type}{'' if column.nullable else ' not null'} | {meaning} |"
            )
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(b2b_tables_markdown())
    print(marts_tables_markdown())
