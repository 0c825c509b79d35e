"""Sales hand-off: ``marts.sales_handoff`` and ``<output>/sales_handoff.csv``."""

from __future__ import annotations

import itertools
from pathlib import Path

import duckdb

from buying_groups.activation.csv_files import WrittenFile, query_chunks, write_csv
from buying_groups.activation.linkedin import prepare_session
from buying_groups.model.marts import SALES_HANDOFF, ensure_marts_tables, replace_snapshot_table
from buying_groups.sql_files import run_sql, transaction

SALES_HANDOFF_TABLE = SALES_HANDOFF
SALES_HANDOFF_FILE = "sales_handoff.csv"
# The table's own order: group, then its most important roles first.
SALES_HANDOFF_ORDER = "buying_group_id, role_weight DESC NULLS LAST, role NULLS LAST, person_key"


def build_sales_handoff(con: duckdb.DuckDBPyConnection) -> int:
    """(Re)build ``marts.sales_handoff``; returns its row count."""
    prepare_session(con)
    with transaction(con):
        ensure_marts_tables(con)
        replace_snapshot_table(con, SALES_HANDOFF_TABLE)
        run_sql(con, "activation/sales_handoff")
    (count,) = con.execute(f"SELECT count(*) FROM {SALES_HANDOFF_TABLE}").fetchone()  # type: ignore[misc]
    return int(count)


def write_sales_handoff_csv(con: duckdb.DuckDBPyConnection, output_root: Path) -> WrittenFile:
    """``<output>/sales_handoff.csv`` from the table, atomically, injection safe, ordered."""
    chunks = query_chunks(con, f"SELECT * FROM {SALES_HANDOFF_TABLE} ORDER BY {SALES_HANDOFF_ORDER}")
    first = next(chunks)
    return write_csv(output_root / SALES_HANDOFF_FILE, first.columns, itertools.chain([first], chunks))
