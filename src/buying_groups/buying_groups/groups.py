"""Buying groups (SPEC §5): membership with history, role coverage, scores, stage."""

from __future__ import annotations

import datetime as dt

import duckdb

from buying_groups.buying_groups.results import BuyingGroupScoringResult
from buying_groups.model.marts import (
    BUYING_GROUP_MEMBER_REASONS,
    BUYING_GROUP_MEMBERS,
    BUYING_GROUP_ROLES,
    BUYING_GROUPS,
    STAGES,
    ensure_marts_tables,
    replace_snapshot_table,
)
from buying_groups.model.validation import count_duplicate_keys
from buying_groups.sql_files import run_sql, transaction

# Statements of one run, in order. Temp tables (scoring_*) are per connection and rebuilt
# each run; the marts are changed only inside the run's transaction.
_RUN_STEPS: tuple[str, ...] = (
    "buying_groups/groups",  # temp: groups existing as of this run
    "buying_groups/overrides",  # temp: latest manual override per person, or why ignored
    "buying_groups/assignments",  # temp: one role per person per group, by precedence
    "buying_groups/members_refresh",  # members: update / re-activate assigned members
    "buying_groups/members_mark_removed",  # members: keep the no-longer-assigned as removed
    "buying_groups/members_insert_new",  # members: first-time members
    "buying_groups/member_reasons_previous",  # temp: removal reasons recorded by earlier runs
    "buying_groups/member_reasons_insert",  # reasons: why each member holds / left its role
    "buying_groups/roles_insert",  # roles: coverage per group and template role
    "buying_groups/group_scores",  # temp: completeness, engagement, stage
    "buying_groups/history_delete",
    "buying_groups/history_insert",  # history: this as_of's row per group
    "buying_groups/buying_groups_insert",  # groups: snapshot with created_at / qualified_at
)


# Snapshot marts emptied (re-created, see replace_snapshot_table) right before their insert.
_REPLACED_BEFORE: dict[str, str] = {
    "buying_groups/member_reasons_insert": BUYING_GROUP_MEMBER_REASONS,
    "buying_groups/roles_insert": BUYING_GROUP_ROLES,
    "buying_groups/buying_groups_insert": BUYING_GROUPS,
}


class StaleInputsError(RuntimeError):
    """The published engagement or audiences were not computed for the as_of being scored."""


def score_buying_groups(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> BuyingGroupScoringResult:
    """(Re)build the buying-group marts as of ``as_of`` in one transaction.

    Inputs: ``b2b.*``, ``marts.account_audience_members`` and ``marts.person_engagement``
    published for the same ``as_of``, and the ``work`` tables this step built before
    (:mod:`buying_groups.buying_groups.inputs`). Re-running with the
    same inputs and ``as_of`` changes nothing.
    """
    ensure_marts_tables(con)
    _check_inputs_are_current(con, as_of)
    with transaction(con):
        for step in _RUN_STEPS:
            if step in _REPLACED_BEFORE:
                replace_snapshot_table(con, _REPLACED_BEFORE[step])
            run_sql(con, step, {"as_of": as_of})
        return _summarise(con, as_of)


def _check_inputs_are_current(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> None:
    # Scoring on stale or missing engagement or audiences would silently mis-stage groups.
    engagement_dates, audience_dates, current_persons = run_sql(con, "buying_groups/inputs_as_of").fetchone()
    for table, dates, missing in (
        ("marts.person_engagement", engagement_dates or [], bool(current_persons)),
        ("marts.account_audience_members", audience_dates or [], False),
    ):
        if any(day != as_of for day in dates) or (missing and not dates):
            found = ", ".join(day.isoformat() for day in dates) or "nothing"
            raise StaleInputsError(
                f"{table} holds {found}, scoring needs as_of {as_of.isoformat()}: materialize it for this as_of first"
            )


def _summarise(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> BuyingGroupScoringResult:
    groups_by_stage = dict.fromkeys(STAGES, 0)
    newly_qualified = 0
    for stage, groups, newly in run_sql(con, "buying_groups/summary_groups").fetchall():
        groups_by_stage[stage] = groups
        newly_qualified += newly
    active, removed, added_now, removed_now = run_sql(con, "buying_groups/summary_members", {"as_of": as_of}).fetchone()
    ignored = dict(run_sql(con, "buying_groups/summary_ignored_overrides").fetchall())
    return BuyingGroupScoringResult(
        as_of=as_of,
        groups_by_stage=groups_by_stage,
        newly_qualified=newly_qualified,
        members_active=active,
        members_removed=removed,
        members_added_this_run=added_now,
        members_removed_this_run=removed_now,
        ignored_overrides_by_reason=ignored,
    )


def member_problems(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """What must never be true of ``marts.buying_group_members``: (active members who are not
    current persons, rows repeating a (group, person) pair)."""
    (not_current,) = con.execute(
        """
        SELECT count(*) FROM marts.buying_group_members m
        LEFT JOIN b2b.persons p USING (person_key)
        WHERE NOT m.is_removed AND (p.person_key IS NULL OR p.is_deleted)
        """
    ).fetchone()  # type: ignore[misc]
    duplicates = count_duplicate_keys(con, BUYING_GROUP_MEMBERS, ["buying_group_id", "person_key"])
    return int(not_current), duplicates
