"""Account journeys and the buying-group stage model, evaluated as a daily batch.

Pure functions over a DuckDB connection (no Dagster imports; the wiring is
:mod:`buying_groups.assets.journeys`); every statement is a file ``sql/journeys/*.sql``.
:func:`run_journeys` moves the accounts and records state, log, actions, node counts and
stage history; :func:`write_journey_files` writes that day's files.
"""

from buying_groups.journeys.engine import JourneyOrderError, JourneyRunResult, last_run_as_of, run_journeys
from buying_groups.journeys.tables import JOURNEY_TABLES, ensure_journey_tables

__all__ = [
    "JOURNEY_TABLES",
    "JourneyOrderError",
    "JourneyRunResult",
    "ensure_journey_tables",
    "last_run_as_of",
    "run_journeys",
]
