"""The journey marts (``sql/journeys/tables.sql``)."""

from __future__ import annotations

import duckdb

from buying_groups.sql_files import run_sql

STAGE_HISTORY = "marts.buying_group_stage_history"
JOURNEY_STATE = "marts.journey_state"
JOURNEY_LOG = "marts.journey_log"
JOURNEY_ACTIONS = "marts.journey_actions"
JOURNEY_NODE_COUNTS = "marts.journey_node_counts"

JOURNEY_TABLES: tuple[str, ...] = (STAGE_HISTORY, JOURNEY_STATE, JOURNEY_LOG, JOURNEY_ACTIONS, JOURNEY_NODE_COUNTS)


def ensure_journey_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the journey marts and the engine's bookkeeping if absent (idempotent)."""
    run_sql(con, "journeys/tables")
