"""Sales hand-off (SPEC §6): ``marts.sales_handoff`` and ``<output>/sales_handoff.csv``."""

from __future__ import annotations

import itertools
from pathlib import Path

import duckdb

from buying_groups.activation.atomic import sweep_leftover_temps
from buying_groups.activation.csv_files import WrittenFile, query_chunks, write_csv
from buying_groups.activation.linkedin import prepare_session
from buying_groups.sql_files import load_sql

SALES_HANDOFF_TABLE = "marts.sales_handoff"
SALES_HANDOFF_FILE = "sales_handoff.csv"
# The table's own order: group, then its most important roles first.
SALES_HANDOFF_ORDER = "buying_group_id, role_weight DESC NULLS LAST, role NULLS LAST, person_key"


def build_sales_handoff(con: duckdb.DuckDBPyConnection) -> int:
    """(Re)build ``marts.sales_handoff``; returns its row count."""
    prepare_session(con)
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    con.execute(load_sql("activation_sales_handoff"))
    (count,) = con.execute(f"SELECT count(*) FROM {SALES_HANDOFF_TABLE}").fetchone()  # type: ignore[misc]
    return int(count)


def write_sales_handoff_csv(con: duckdb.DuckDBPyConnection, output_root: Path) -> WrittenFile:
    """``<output>/sales_handoff.csv`` from the table, atomically, injection safe, ordered.
    A temp file of it that a killed run left behind (names and emails) is removed first."""
    sweep_leftover_temps(output_root, lambda name: name == SALES_HANDOFF_FILE)
    chunks = query_chunks(con, f"SELECT * FROM {SALES_HANDOFF_TABLE} ORDER BY {SALES_HANDOFF_ORDER}")
    first = next(chunks)
    return write_csv(output_root / SALES_HANDOFF_FILE, first.columns, itertools.chain([first], chunks))
