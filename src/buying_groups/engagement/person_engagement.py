"""Person engagement: capped, weighted activity counts per day in the window, normalised to the top person.

The per-type contributions are written first and the raw score is their sum, so the
explanation of a score (``marts.person_engagement_contributions``) is the score's own input.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from buying_groups.config import ProjectConfig
from buying_groups.model.marts import (
    PERSON_ENGAGEMENT,
    PERSON_ENGAGEMENT_CONTRIBUTIONS,
    ensure_marts_tables,
    replace_snapshot_table,
)
from buying_groups.model.validation import count_duplicate_keys
from buying_groups.sql_files import replace_rows, run_sql, transaction

WEIGHTS = "work.engagement_weights"


@dataclass(frozen=True)
class PersonEngagementResult:
    """Outcome of :func:`compute_person_engagement`."""

    as_of: dt.date
    persons: int
    persons_with_activity: int
    max_raw_score: float

    def as_metadata(self) -> dict[str, object]:
        return {
            "as_of": self.as_of.isoformat(),
            "persons": self.persons,
            "persons_with_activity": self.persons_with_activity,
            "max_raw_score": self.max_raw_score,
        }


def load_engagement_weights(con: duckdb.DuckDBPyConnection, config: ProjectConfig) -> int:
    """Replace ``work.engagement_weights`` with ``engagement.yaml``'s weights; returns the row count."""
    counts = replace_rows(con, "engagement/weights_table", {WEIGHTS: list(config.engagement.weights.items())})
    return counts[WEIGHTS]


def compute_person_engagement(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, window_days: int, daily_cap: int
) -> PersonEngagementResult:
    """(Re)write ``marts.person_engagement_contributions`` and ``marts.person_engagement`` as of
    ``as_of`` for every current person.

    Reads ``b2b.persons``, ``b2b.experience_events`` and ``work.engagement_weights``. The
    window is the UTC dates ``(as_of - window_days, as_of]``. Runs in one transaction.
    """
    if window_days < 1:
        raise ValueError(f"window_days must be >= 1, got {window_days}")
    if daily_cap < 1:
        raise ValueError(f"daily_cap must be >= 1, got {daily_cap}")
    with transaction(con):
        ensure_marts_tables(con)
        params = {"as_of": as_of, "window_days": window_days, "daily_cap": daily_cap}
        for table, statement in (
            (PERSON_ENGAGEMENT_CONTRIBUTIONS, "engagement/person_engagement_contributions_insert"),
            (PERSON_ENGAGEMENT, "engagement/person_engagement_insert"),  # sums the contributions
        ):
            replace_snapshot_table(con, table)  # a snapshot for one as_of
            run_sql(con, statement, params)
        duplicates = count_duplicate_keys(con, PERSON_ENGAGEMENT, ["person_key"])
        if duplicates:  # only if b2b.persons repeats a key, which its blocking check reports first
            raise ValueError(f"{PERSON_ENGAGEMENT} would hold {duplicates} duplicate person_key rows; nothing written")
    persons, with_activity, max_raw = run_sql(con, "engagement/person_engagement_summary").fetchone()
    return PersonEngagementResult(
        as_of=as_of,
        persons=persons,
        persons_with_activity=with_activity,
        max_raw_score=float(max_raw),
    )


def contribution_mismatches(con: duckdb.DuckDBPyConnection) -> tuple[int, int, int]:
    """(persons whose ``raw_score`` differs from the sum of their contributions, contribution
    rows' persons without a score row, persons with contributions): the first two must be 0."""
    mismatched, orphaned, persons = run_sql(con, "engagement/contributions_mismatch").fetchone()  # type: ignore[misc]
    return int(mismatched), int(orphaned), int(persons)
