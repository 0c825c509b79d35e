"""The journey marts (declared in :mod:`buying_groups.model.marts`) and the engine's
bookkeeping (``sql/journeys/tables.sql``)."""

from __future__ import annotations

import duckdb

from buying_groups.model.marts import (
    BUYING_GROUP_STAGE_HISTORY,
    JOURNEY_ACTIONS,
    JOURNEY_LOG,
    JOURNEY_NODE_COUNTS,
    JOURNEY_STATE,
    ensure_marts_tables,
)
from buying_groups.sql_files import run_sql

STAGE_HISTORY = BUYING_GROUP_STAGE_HISTORY
JOURNEY_TABLES: tuple[str, ...] = (STAGE_HISTORY, JOURNEY_STATE, JOURNEY_LOG, JOURNEY_ACTIONS, JOURNEY_NODE_COUNTS)


def ensure_journey_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the marts (journey marts included) and the engine's bookkeeping if absent."""
    ensure_marts_tables(con)
    run_sql(con, "journeys/tables")
