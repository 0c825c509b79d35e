"""The scoring marts and their DDL (``sql/scoring_marts_ddl.sql``)."""

from __future__ import annotations

import duckdb

from buying_groups.sql_files import run_sql

PERSON_ENGAGEMENT = "marts.person_engagement"
BUYING_GROUP_MEMBERS = "marts.buying_group_members"
BUYING_GROUP_ROLES = "marts.buying_group_roles"
BUYING_GROUPS = "marts.buying_groups"
BUYING_GROUP_HISTORY = "marts.buying_group_history"

SCORING_TABLES: tuple[str, ...] = (
    PERSON_ENGAGEMENT,
    BUYING_GROUP_MEMBERS,
    BUYING_GROUP_ROLES,
    BUYING_GROUPS,
    BUYING_GROUP_HISTORY,
)


def ensure_marts_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create schema ``marts`` and the scoring tables if absent (idempotent)."""
    run_sql(con, "scoring_marts_ddl")
