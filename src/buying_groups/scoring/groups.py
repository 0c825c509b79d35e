"""Buying groups (SPEC §5): membership with history, role coverage, scores, stage."""

from __future__ import annotations

import datetime as dt

import duckdb

from buying_groups.model.validation import count_duplicate_keys
from buying_groups.scoring.results import STAGES, BuyingGroupScoringResult
from buying_groups.scoring.tables import (
    BUYING_GROUP_MEMBERS,
    BUYING_GROUP_ROLES,
    BUYING_GROUPS,
    ensure_marts_tables,
    replace_snapshot_table,
)
from buying_groups.sql_files import run_sql, transaction

# Statements of one run, in order. Temp tables (scoring_*) are per connection and rebuilt
# each run; the marts are changed only inside the run's transaction.
_RUN_STEPS: tuple[str, ...] = (
    "scoring_groups",  # temp: groups existing as of this run
    "scoring_overrides",  # temp: latest manual override per person, or why ignored
    "scoring_assignments",  # temp: one role per person per group, by precedence
    "scoring_members_refresh",  # members: update / re-activate assigned members
    "scoring_members_mark_removed",  # members: keep the no-longer-assigned as removed
    "scoring_members_insert_new",  # members: first-time members
    "scoring_roles_insert",  # roles: coverage per group and template role
    "scoring_group_scores",  # temp: completeness, engagement, stage
    "scoring_history_delete",
    "scoring_history_insert",  # history: this as_of's row per group
    "scoring_buying_groups_insert",  # groups: snapshot with created_at / qualified_at
)


# Snapshot marts emptied (re-created, see replace_snapshot_table) right before their insert.
_REPLACED_BEFORE: dict[str, str] = {
    "scoring_roles_insert": BUYING_GROUP_ROLES,
    "scoring_buying_groups_insert": BUYING_GROUPS,
}


class StaleEngagementError(RuntimeError):
    """marts.person_engagement was not computed for the as_of being scored."""


class EarlierAsOfError(ValueError):
    """A run for an as_of before the latest one already scored in the warehouse."""


def latest_scored_as_of(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The latest as_of in ``marts.buying_group_history``; None when nothing was scored."""
    try:
        (latest,) = run_sql(con, "scoring_latest_as_of").fetchone()
    except duckdb.CatalogException:  # no marts yet: a new warehouse
        return None
    return latest


def refuse_earlier_as_of(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> None:
    """Raise :class:`EarlierAsOfError` when ``as_of`` is before the latest scored date.

    History only moves forward: scoring an earlier date over a warehouse that has seen a
    later one would give groups an earlier ``as_of``, mark them ``newly_qualified`` again
    and date members (``added_at``) after their group's ``as_of``. The same or a later date
    is fine (a re-run of a date replaces that date's rows)."""
    latest = latest_scored_as_of(con)
    if latest is not None and as_of < latest:
        raise EarlierAsOfError(
            f"as_of {as_of.isoformat()} is before {latest.isoformat()}, the latest date this warehouse has "
            f"scored; history only moves forward, so nothing was done. Run with --as-of {latest.isoformat()} "
            "or later, or rebuild into a new warehouse to score earlier dates (README: Scoring an earlier date)"
        )


def score_buying_groups(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> BuyingGroupScoringResult:
    """(Re)build the buying-group marts as of ``as_of`` in one transaction.

    Inputs: ``b2b.*`` and the ``work`` tables of the config stage (solution_interests,
    si_roles, crm_role_map, overrides, audience_members, rule_matches, interest_persons),
    plus ``marts.person_engagement`` computed for the same ``as_of``. Re-running with the
    same inputs and ``as_of`` changes nothing.
    """
    refuse_earlier_as_of(con, as_of)
    ensure_marts_tables(con)
    _check_engagement_is_current(con, as_of)
    with transaction(con):
        for step in _RUN_STEPS:
            if step in _REPLACED_BEFORE:
                replace_snapshot_table(con, _REPLACED_BEFORE[step])
            run_sql(con, step, {"as_of": as_of})
        return _summarise(con, as_of)


def _check_engagement_is_current(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> None:
    # Scoring on stale or missing engagement would silently mis-stage groups.
    engagement_dates, current_persons = run_sql(con, "scoring_engagement_as_of").fetchone()
    engagement_dates = engagement_dates or []
    if any(day != as_of for day in engagement_dates) or (current_persons and not engagement_dates):
        found = ", ".join(day.isoformat() for day in engagement_dates) or "nothing"
        raise StaleEngagementError(
            f"marts.person_engagement holds {found}, scoring needs as_of {as_of.isoformat()}: "
            "run compute_person_engagement for this as_of first"
        )


def _summarise(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> BuyingGroupScoringResult:
    groups_by_stage = dict.fromkeys(STAGES, 0)
    newly_qualified = 0
    for stage, groups, newly in run_sql(con, "scoring_summary_groups").fetchall():
        groups_by_stage[stage] = groups
        newly_qualified += newly
    active, removed, added_now, removed_now = run_sql(con, "scoring_summary_members", {"as_of": as_of}).fetchone()
    ignored = dict(run_sql(con, "scoring_summary_ignored_overrides").fetchall())
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
