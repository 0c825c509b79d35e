"""Metadata that makes the Dagster UI tell the story: row counts, column schemas, previews.

Column schemas (with descriptions) come from the tables' Pandera models: ``model/schemas.py``
for the validated tables, ``model/marts.py`` for the marts.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

import dagster as dg
import duckdb
import pandera.polars as pa

from buying_groups.model.entities import EntitySpec, entity_by_table
from buying_groups.model.marts import MartSpec, mart
from buying_groups.model.schemas import AdCompanyMatches
from buying_groups.validated.ad_companies import AD_COMPANY_MATCHES


def _table_schema(columns: Iterable[tuple[str, str, str, bool, bool]]) -> dg.TableSchema:
    """(name, type, description, nullable, unique) per column -> the UI's column schema."""
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name=name,
                type=kind,
                description=description,
                constraints=dg.TableColumnConstraints(nullable=nullable, unique=unique),
            )
            for name, kind, description, nullable, unique in columns
        ]
    )


def schema_from_entity(spec: EntitySpec) -> dg.TableSchema:
    return _table_schema((c.name, c.duckdb_type, c.description, c.nullable, c.unique) for c in spec.columns)


def schema_from_model(model: type[pa.DataFrameModel]) -> dg.TableSchema:
    """Column schema of a table described by a Pandera model that is not a landing entity."""
    columns = model.to_schema().columns.items()
    return _table_schema(
        (name, str(column.dtype), column.description or "", column.nullable, column.unique) for name, column in columns
    )


def schema_from_mart(spec: MartSpec) -> dg.TableSchema:
    return _table_schema(
        (c.name, c.duckdb_type, c.description, c.nullable, spec.primary_key == (c.name,)) for c in spec.columns
    )


def schema_of(table: str) -> dg.TableSchema:
    """The column schema of one of our tables (``b2b.*`` or ``marts.*``), from its model."""
    schema, name = table.split(".", 1)
    if table == AD_COMPANY_MATCHES:  # derived in the validated stage, not a landing entity
        return schema_from_model(AdCompanyMatches)
    return schema_from_entity(entity_by_table(name)) if schema == "b2b" else schema_from_mart(mart(name))


_MAX_CELL = 60


def code_span(text: str) -> str:
    """``text`` as a Markdown code span: shown as is, never read as Markdown, HTML or a link
    (the UI turns a bare ``123@456-ABC.Marketo`` into a ``mailto:`` link and swallows
    ``<lead id>`` as an HTML tag). A fence longer than any run of backticks in the text."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool | int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    text = str(value).replace("\n", " ").replace("\r", " ")
    if len(text) > _MAX_CELL:
        text = text[: _MAX_CELL - 3] + "..."
    # A pipe ends a table cell even inside a code span, unless escaped (GitHub-flavoured Markdown).
    return code_span(text).replace("|", "\\|") if text else ""


def markdown_table(columns: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    """A small Markdown table (the UI renders it); text cells are code spans, long ones cut."""
    columns = list(columns)
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def preview_markdown(con: duckdb.DuckDBPyConnection, table: str, limit: int = 5) -> str:
    # `table` is one of our own qualified table names, never user input.
    relation = con.sql(f"SELECT * FROM {table} LIMIT {int(limit)}")
    return markdown_table(relation.columns, relation.fetchall())


def table_metadata(
    con: duckdb.DuckDBPyConnection,
    table: str,
    *,
    extra: Mapping[str, Any] | None = None,
    preview_rows: int = 5,
) -> dict[str, Any]:
    """Standard metadata for a DuckDB table: row count, column schema, table name, preview."""
    (row_count,) = con.execute(f"SELECT count(*) FROM {table}").fetchone()  # type: ignore[misc]
    metadata: dict[str, Any] = {
        "dagster/row_count": int(row_count),
        "dagster/table_name": table,
        "dagster/column_schema": schema_of(table),
        "preview": dg.MetadataValue.md(preview_markdown(con, table, preview_rows)),
    }
    metadata.update(extra or {})
    return metadata
