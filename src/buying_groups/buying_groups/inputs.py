"""What membership is computed from, as ``work.*`` tables of the scoring step.

``load_scoring_config`` -> ``build_rule_matches`` (reads the published
``marts.account_audience_members`` and, when a role condition names ``person_engagement_score``,
``marts.person_engagement`` for ``as_of``) and ``build_interest``. Each builder replaces its table
in one transaction: the DDL comes from ``sql/buying_groups/*_table.sql``, the rows from one
``INSERT ... SELECT`` that is the ``UNION ALL`` of one branch per configured item (role, interest
signal), so the data is scanned once whatever the size of the configuration. Every value is a
bound parameter, every identifier a whitelisted column (see :mod:`buying_groups.conditions`).
The builders open their own transaction, so call them outside one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from buying_groups.conditions import (
    PERSON_ENGAGEMENT_FIELD,
    CompileContext,
    SqlParams,
    compile_condition,
    condition_text,
    condition_text_sql,
    event_scope,
    referenced_fields,
    role_person_scope,
    window_bounds,
)
from buying_groups.config import ProjectConfig
from buying_groups.sql_files import insert_union, replace_rows, row_count, run_sql, transaction


def load_scoring_config(con: duckdb.DuckDBPyConnection, config: ProjectConfig) -> dict[str, int]:
    """Replace ``work.solution_interests``, ``work.si_roles``, ``work.crm_role_map``,
    ``work.overrides`` and ``work.role_rules`` with the configuration's rows; returns the row
    count of each table."""
    interests: list[tuple[Any, ...]] = []
    roles: list[tuple[Any, ...]] = []
    rules: list[tuple[Any, ...]] = []
    role_map: list[tuple[Any, ...]] = []
    for interest in config.interests:
        qualification = config.qualification_for(interest)
        interests.append(
            (
                interest.id,
                interest.name,
                interest.roles_template,
                interest.account_audience,
                qualification.min_completeness,
                qualification.min_engagement,
                interest.require_interest,
            )
        )
        for order, role in enumerate(config.template_for(interest).roles):
            roles.append((interest.id, role.role, order, float(role.weight), role.required, role.members_required))
            if role.conditions is not None:
                rules.append((interest.id, role.role, condition_text(role.conditions)))
        role_map.extend((interest.id, crm_role, role) for crm_role, role in interest.crm_role_map.items())
    overrides = [
        (o.solution_interest_id, o.account_key, o.person_key, o.action, o.role, order, o.line_number)
        for order, o in enumerate(config.membership_overrides)
    ]
    return replace_rows(
        con,
        "buying_groups/config_tables",
        {
            "work.solution_interests": interests,
            "work.si_roles": roles,
            "work.crm_role_map": role_map,
            "work.overrides": overrides,
            "work.role_rules": rules,
        },
    )


def build_rule_matches(con: duckdb.DuckDBPyConnection, config: ProjectConfig, as_of: dt.date) -> int:
    """Replace ``work.rule_matches(solution_interest_id, person_key, role, role_order, reason)``.

    For each solution interest and each role of its template that has conditions: the current
    persons matching them whose account is in the solution interest's audience (from
    ``work.audience_members``), with the conditions in words and the person's values
    (``job_title 'VP Sales' matches ...``) as ``reason``. ``person_engagement_score`` reads
    ``marts.person_engagement`` for ``as_of`` (LEFT JOIN: no row = 0). A person may match
    several roles; the first in ``role_order`` wins later, in membership.
    """
    params = SqlParams()
    branches = []
    engagement_sql = f"COALESCE(pe.{PERSON_ENGAGEMENT_FIELD}, 0)"
    for interest in config.interests:
        for order, role in enumerate(config.template_for(interest).roles):
            if role.conditions is None:
                continue
            uses_engagement = PERSON_ENGAGEMENT_FIELD in referenced_fields(role.conditions)
            context = CompileContext(
                role_person_scope(),
                "p",
                column_sql={PERSON_ENGAGEMENT_FIELD: engagement_sql} if uses_engagement else {},
            )
            condition_sql = compile_condition(role.conditions, context, params)
            reason_sql = condition_text_sql(role.conditions, context, params)
            engagement_join = (
                "LEFT JOIN marts.person_engagement AS pe ON pe.person_key = p.person_key "
                f"AND pe.as_of = {params.bind_named('as_of', as_of)} "
                if uses_engagement
                else ""
            )
            branches.append(
                f"SELECT CAST({params.bind(interest.id)} AS VARCHAR), p.person_key, "
                f"CAST({params.bind(role.role)} AS VARCHAR), "
                f"CAST({params.bind(order)} AS INTEGER), {reason_sql} "
                f"FROM b2b.persons AS p "
                f"JOIN marts.account_audience_members AS am ON am.account_key = p.account_key "
                f"AND am.audience = {params.bind(interest.account_audience)} "
                f"{engagement_join}"
                # The CASE on the audience row keeps DuckDB from pushing the condition into
                # the scan of every person: it is evaluated only for persons of the audience.
                f"WHERE NOT p.is_deleted AND CASE WHEN am.account_key IS NOT NULL THEN {condition_sql} END"
            )
    with transaction(con):
        run_sql(con, "buying_groups/rule_matches_table")
        insert_union(
            con, "work.rule_matches", "solution_interest_id, person_key, role, role_order, reason", branches, params
        )
    return row_count(con, "work.rule_matches")


def build_interest(con: duckdb.DuckDBPyConnection, config: ProjectConfig, as_of: dt.date) -> int:
    """Replace ``work.interest_persons(solution_interest_id, person_key)`` (distinct): persons
    with an event matching any of the solution interest's ``interest_signals`` (activity type
    in the list, ``where`` over event fields) dated in ``(as_of - within_days, as_of]``
    (``within_days`` defaults to the engagement window). Events of unknown or deleted persons
    are kept here; membership only considers current persons."""
    params = SqlParams()
    branches = []
    for interest in config.interests:
        for signal in interest.interest_signals:
            start, end = window_bounds(as_of, config.signal_within_days(signal))
            types = ", ".join(params.bind(t) for t in signal.activity_types)
            where = ""
            if signal.where is not None:
                where = " AND " + compile_condition(signal.where, CompileContext(event_scope(), "e"), params)
            branches.append(
                f"SELECT CAST({params.bind(interest.id)} AS VARCHAR) AS solution_interest_id, "
                f"e.person_key FROM b2b.experience_events AS e "
                f"WHERE e.activity_type_id IN ({types}) "
                f'AND e."timestamp" >= {params.bind(start)} '
                f'AND e."timestamp" < {params.bind(end)}{where}'
            )
    if branches:
        branches = [
            "SELECT DISTINCT solution_interest_id, person_key FROM (\n" + "\nUNION ALL\n".join(branches) + "\n)"
        ]
    with transaction(con):
        run_sql(con, "buying_groups/interest_persons_table")
        insert_union(con, "work.interest_persons", "solution_interest_id, person_key", branches, params)
    return row_count(con, "work.interest_persons")
