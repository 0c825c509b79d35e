"""BI dimensions ``marts.accounts`` and ``marts.persons``: the current accounts and persons
with the attributes reports need, so every mart (and its Parquet copy) joins to names,
titles, industry and country without opening the validated tables."""

from __future__ import annotations

import duckdb

from buying_groups.activation.linkedin import prepare_session
from buying_groups.model.marts import ACCOUNTS, PERSONS, ensure_marts_tables, replace_snapshot_table
from buying_groups.sql_files import row_count, run_sql, transaction

BI_DIMENSIONS: dict[str, str] = {ACCOUNTS: "activation/bi_accounts", PERSONS: "activation/bi_persons"}


def build_bi_dimensions(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """(Re)build both dimensions in one transaction; returns the rows of each table."""
    prepare_session(con)
    with transaction(con):
        ensure_marts_tables(con)
        for table, sql in BI_DIMENSIONS.items():
            replace_snapshot_table(con, table)
            run_sql(con, sql)
    return {table: row_count(con, table) for table in BI_DIMENSIONS}
