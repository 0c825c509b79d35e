"""Account audiences: the current accounts satisfying each audience's conditions as of ``as_of``.

Conditions compile to DuckDB SQL with every value bound as a parameter and every identifier a
whitelisted column (see :mod:`buying_groups.conditions`); ``has_people``, ``has_activity`` and
``has_opportunity`` look across persons, events and opportunities. All audiences are computed
by one ``INSERT ... SELECT``, the ``UNION ALL`` of one branch per audience.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from buying_groups.conditions import CompileContext, SqlParams, account_scope, compile_condition
from buying_groups.config import ProjectConfig
from buying_groups.model.marts import ACCOUNT_AUDIENCE_MEMBERS, ensure_marts_tables, replace_snapshot_table
from buying_groups.sql_files import insert_union, row_count, run_sql, transaction


def build_audience_members(con: duckdb.DuckDBPyConnection, config: ProjectConfig, as_of: dt.date) -> int:
    """Replace ``marts.account_audience_members(audience, account_key, as_of)``: the current
    accounts (``is_deleted = false``) satisfying each audience's conditions (all current accounts
    when an audience has none), in one transaction. Returns the row count."""
    params = SqlParams()
    branches = []
    for audience in config.audiences:
        where = ""
        if audience.conditions is not None:
            context = CompileContext(
                account_scope(), "a", as_of=as_of, default_within_days=config.engagement.window_days
            )
            where = f" AND {compile_condition(audience.conditions, context, params)}"
        branches.append(
            f"SELECT CAST({params.bind(audience.id)} AS VARCHAR), a.account_key "
            f"FROM b2b.accounts AS a WHERE NOT a.is_deleted{where}"
        )
    run_sql(con, "audiences/members")
    insert_union(con, "audience_members", "audience_id, account_key", branches, params)
    with transaction(con):
        ensure_marts_tables(con)
        replace_snapshot_table(con, ACCOUNT_AUDIENCE_MEMBERS)
        run_sql(con, "audiences/publish_members", {"as_of": as_of})
    return row_count(con, ACCOUNT_AUDIENCE_MEMBERS)
