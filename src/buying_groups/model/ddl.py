"""DuckDB DDL for the validated tables, derived from the Pandera models."""

from __future__ import annotations

import duckdb

from buying_groups.model.entities import ENTITIES, EntitySpec
from buying_groups.sql_files import quote_identifier

REJECTED_ROWS_DDL = """
CREATE TABLE IF NOT EXISTS b2b.rejected_rows (
    entity VARCHAR NOT NULL,
    "drop" VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    line_number BIGINT,
    "column" VARCHAR,
    "check" VARCHAR NOT NULL,
    "value" VARCHAR,
    disposition VARCHAR NOT NULL,      -- 'quarantined' (row left out) or 'flagged' (row kept)
    raw_record VARCHAR,
    rejected_at TIMESTAMP NOT NULL
)
"""


def create_table_sql(spec: EntitySpec) -> str:
    columns = ",\n    ".join(
        f"{quote_identifier(c.name)} {c.ddl_type}{'' if c.nullable else ' NOT NULL'}" for c in spec.columns
    )
    # No PRIMARY KEY: DuckDB's ART index would cost memory and insert time on 10M events;
    # uniqueness is guaranteed by the merge statements and verified by the asset checks.
    return f"CREATE TABLE IF NOT EXISTS {spec.qualified_table} (\n    {columns}\n)"


def ensure_b2b_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create schema ``b2b``, the five validated tables and ``b2b.rejected_rows`` if absent, and
    bring a table written by an earlier version up to its model (see :func:`evolve_table`)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS b2b")
    for spec in ENTITIES:
        con.execute(create_table_sql(spec))
        evolve_table(con, spec)
    con.execute(REJECTED_ROWS_DDL)


def evolve_table(con: duckdb.DuckDBPyConnection, spec: EntitySpec) -> None:
    """Add the model's new nullable columns (empty = unknown for the rows already stored) and
    drop NOT NULL where the model now allows empty values. Nothing else changes shape here: a
    new NOT NULL column or a type change would need a decision about the stored rows."""
    stored = dict(
        con.execute(
            "SELECT column_name, is_nullable FROM duckdb_columns() "
            "WHERE database_name = current_database() AND schema_name = 'b2b' AND table_name = $table",
            {"table": spec.table},
        ).fetchall()
    )
    for column in spec.columns:
        name = quote_identifier(column.name)
        if column.name not in stored and column.nullable:
            con.execute(f"ALTER TABLE {spec.qualified_table} ADD COLUMN {name} {column.duckdb_type}")
        elif column.name in stored and column.nullable and not stored[column.name]:
            con.execute(f"ALTER TABLE {spec.qualified_table} ALTER COLUMN {name} DROP NOT NULL")
