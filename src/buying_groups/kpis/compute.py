"""The success KPIs of one ``as_of`` (``marts.kpis``, ``marts.kpi_cost_per_lead``).

The formulas are the SQL of ``sql/kpis/``; this module fills the small configuration tables they
join (with bound parameters), runs them and replaces the day's rows in one transaction, so the
history holds one set of rows per ``as_of`` and re-running a day replaces it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb

from buying_groups.config import ProjectConfig
from buying_groups.model.marts import KPI_COST_PER_LEAD, KPIS, ensure_marts_tables
from buying_groups.sql_files import run_sql, transaction
from buying_groups.validated.load import prepare_connection

JOURNEY_STATE = ("marts", "journey_state")


@dataclass
class KpiResult:
    as_of: dt.date
    period_start: dt.date
    kpis: list[tuple[str, str, float | None, int | None, int | None]] = field(default_factory=list)
    costs: list[tuple[str, str | None, float, int, float | None]] = field(default_factory=list)
    journeys: bool = False

    def values(self) -> dict[str, float]:
        """Every KPI with a value, as ``<solution interest>/<kpi>`` and
        ``cost_per_lead/<platform>/<currency>`` (numeric asset metadata, plotted over time)."""
        values = {f"{interest}/{kpi}": value for interest, kpi, value, _, _ in self.kpis if value is not None}
        values |= {
            f"cost_per_lead/{platform}/{currency or 'unknown'}": cost
            for platform, currency, _, _, cost in self.costs
            if cost is not None
        }
        return values


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    (found,) = con.execute(
        "SELECT count(*) > 0 FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = $schema AND table_name = $table",
        {"schema": schema, "table": table},
    ).fetchone()  # type: ignore[misc]
    return bool(found)


def journeys_ran(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    """Whether a journey table holds rows: the marts models create the journey tables with the
    others, so their existence alone does not mean journeys ran."""
    if not _table_exists(con, schema, table):
        return False
    # schema and table are this package's own constants, never user input.
    (found,) = con.execute(f"SELECT count(*) > 0 FROM (SELECT 1 FROM {schema}.{table} LIMIT 1)").fetchone()  # type: ignore[misc]
    return bool(found)


def load_kpi_inputs(con: duckdb.DuckDBPyConnection, config: ProjectConfig) -> bool:
    """Fill the KPI configuration tables; returns whether journeys exist in the warehouse."""
    run_sql(con, "kpis/inputs")
    targets = {s.id for s in config.linkedin_targets()}
    interests = [(s.id, s.account_audience, s.id in targets) for s in config.interests]
    if interests:
        con.executemany("INSERT INTO kpi_interests VALUES (?, ?, ?)", interests)
    weighted = [(type_id,) for type_id, weight in config.engagement.weights.items() if weight > 0]
    if weighted:
        con.executemany("INSERT INTO kpi_engagement_types VALUES (?)", weighted)
    platforms = config.kpis.platforms
    if platforms:
        con.executemany("INSERT INTO kpi_platforms VALUES (?)", [(name,) for name in platforms])
    sources = {(name, source.strip().lower()) for name, p in platforms.items() for source in p.lead_sources}
    if sources:
        con.executemany("INSERT INTO kpi_lead_sources VALUES (?, ?)", sorted(sources))
    journeys = journeys_ran(con, *JOURNEY_STATE)
    run_sql(con, "kpis/journey_groups" if journeys else "kpis/no_journey_groups")
    return journeys


def compute_kpis(con: duckdb.DuckDBPyConnection, config: ProjectConfig, as_of: dt.date) -> KpiResult:
    """Compute the KPIs of ``as_of`` and replace that day in ``marts.kpis`` and
    ``marts.kpi_cost_per_lead``."""
    prepare_connection(con)  # the validated tables (ad tables included) exist, even if empty
    ensure_marts_tables(con)
    run_sql(con, "activation/macros")  # activation_is_suppressed: the LinkedIn contact rule
    journeys = load_kpi_inputs(con, config)
    params = {"as_of": as_of, "period_days": config.kpis.period_days}
    run_sql(con, "kpis/kpis", params)
    run_sql(con, "kpis/cost_per_lead", params)
    with transaction(con):
        run_sql(con, "kpis/replace_day", {"as_of": as_of})
    result = KpiResult(as_of, as_of - dt.timedelta(days=config.kpis.period_days - 1), journeys=journeys)
    result.kpis = con.execute(
        f"SELECT solution_interest_id, kpi, value, numerator, denominator FROM {KPIS} WHERE as_of = $as_of "
        "ORDER BY solution_interest_id, kpi",
        {"as_of": as_of},
    ).fetchall()
    result.costs = con.execute(
        f"SELECT platform, currency, spend, new_leads, cost_per_lead FROM {KPI_COST_PER_LEAD} WHERE as_of = $as_of "
        "ORDER BY platform, currency NULLS LAST",
        {"as_of": as_of},
    ).fetchall()
    for table in (
        "kpi_rows",
        "kpi_cost_rows",
        "kpi_interests",
        "kpi_engagement_types",
        "kpi_platforms",
        "kpi_lead_sources",
    ):
        con.execute(f"DROP TABLE IF EXISTS temp.{table}")
    con.execute("DROP VIEW IF EXISTS temp.kpi_journey_groups")
    return result
