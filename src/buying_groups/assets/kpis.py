"""Group ``kpis``: the blueprint's four success KPIs per ``as_of`` and the visual report.

Thin wiring over :mod:`buying_groups.kpis`. The KPI values are also numeric metadata of
``marts/kpis`` (``<solution interest>/<kpi>``) and ``marts/kpi_cost_per_lead``
(``cost_per_lead/<platform>/<currency>``), so the Dagster UI plots them over the runs.

"Targeted" (engaged_targeted_share) is decided from the tables the LinkedIn files are written
from, by the files' own rules (companies: completeness below 100; contacts: not sales_ready with
a contactable active member), not from the files: this group runs before ``activation``.
"""

import datetime as dt
from collections.abc import Iterator

import dagster as dg
import duckdb

from buying_groups.assets.keys import (
    ACCOUNT_AUDIENCE_MEMBERS,
    AD_COMPANY_MATCHES,
    AD_COMPANY_REACH,
    AD_SPEND,
    BUYING_GROUP_HISTORY,
    BUYING_GROUP_MEMBERS,
    BUYING_GROUPS,
    EXPERIENCE_EVENTS,
    JOURNEY_NODE_COUNTS,
    KPI_COST_PER_LEAD,
    KPI_REPORT,
    KPIS,
    OPPORTUNITIES,
    OPPORTUNITY_PERSONS,
    PERSONS,
)
from buying_groups.assets.metadata import markdown_table, table_metadata
from buying_groups.kpis import compute_kpis, write_report
from buying_groups.model import marts
from buying_groups.resources import WAREHOUSE_POOL, OutputResource, ProjectConfigResource, WarehouseResource
from buying_groups.sql_files import run_sql

GROUP = "kpis"
OWNERS = ["team:marketing-ops"]

_KPI_DEPS = [
    ACCOUNT_AUDIENCE_MEMBERS,
    BUYING_GROUPS,
    BUYING_GROUP_MEMBERS,
    BUYING_GROUP_HISTORY,
    PERSONS,
    EXPERIENCE_EVENTS,
    OPPORTUNITIES,
    OPPORTUNITY_PERSONS,
    AD_COMPANY_REACH,
    AD_COMPANY_MATCHES,
]


# Evaluated in the `success_kpis` step, on its connection, right after the day's rows are
# written (a step of their own spent more time starting than checking). Blocking: a failure fails
# the step, so the report is not drawn from inconsistent KPIs.
KPI_CHECK_SPECS = [
    dg.AssetCheckSpec(
        "kpi_values_consistent",
        asset=KPIS,
        blocking=True,
        description="This as_of's KPIs are in range (rates 0-100, lift -100..100, counts and days >= 0), "
        "no numerator exceeds its denominator, every rate is 100 x numerator / denominator, and the "
        "denominators agree (one target-account count per interest; the targeted share is out of the "
        "engaged accounts).",
    ),
    dg.AssetCheckSpec(
        "cost_per_lead_consistent",
        asset=KPI_COST_PER_LEAD,
        blocking=True,
        description="Spend and new leads are >= 0 and cost_per_lead is spend / new_leads, empty exactly when "
        "there is no lead.",
    ),
]


def _kpi_check_results(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> Iterator[dg.AssetCheckResult]:
    relation = run_sql(con, "kpis/check_values", {"as_of": as_of})
    names = [d[0] for d in relation.description or []]
    counts = dict(zip(names, relation.fetchone() or (), strict=True))
    cost = counts.pop("cost_rows_not_matching")
    yield dg.AssetCheckResult(
        check_name="kpi_values_consistent",
        asset_key=KPIS,
        passed=not any(counts.values()),
        metadata={"as_of": as_of.isoformat(), **counts},
    )
    yield dg.AssetCheckResult(
        check_name="cost_per_lead_consistent",
        asset_key=KPI_COST_PER_LEAD,
        passed=cost == 0,
        metadata={"as_of": as_of.isoformat(), "rows_not_matching": cost},
    )


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            KPIS,
            group_name=GROUP,
            description=marts.mart(marts.KPIS).description
            + " Awareness: reached_accounts (impressions > 0), visit_rate and baseline_visit_rate (% of target "
            "accounts with a Visit Webpage of a current person), awareness_lift (points). Engagement: "
            "engaged_accounts (an engagement-weighted activity), engaged_targeted_share (% of those in one of "
            "the interest's LinkedIn files or journeys). Time: days_to_add_contact, days_to_complete (medians).",
            kinds={"duckdb"},
            owners=OWNERS,
            tags={"stage": GROUP},
            deps=_KPI_DEPS,
        ),
        dg.AssetSpec(
            KPI_COST_PER_LEAD,
            group_name=GROUP,
            description=marts.mart(marts.KPI_COST_PER_LEAD).description,
            kinds={"duckdb"},
            owners=OWNERS,
            tags={"stage": GROUP},
            deps=[AD_SPEND, PERSONS],
        ),
    ],
    check_specs=KPI_CHECK_SPECS,
    name="success_kpis",
    pool=WAREHOUSE_POOL,
)
def success_kpis(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, project_config: ProjectConfigResource
):
    config, as_of = project_config.load(), project_config.as_of_date()
    with warehouse.connect() as con:
        result = compute_kpis(con, config, as_of)
        values = {key: dg.MetadataValue.float(float(value)) for key, value in result.values().items()}
        common = {"as_of": as_of.isoformat(), "period_start": result.period_start.isoformat()}
        kpi_table = markdown_table(["solution interest", "kpi", "value", "numerator", "denominator"], result.kpis)
        cost_table = markdown_table(["platform", "currency", "spend", "new leads", "cost per lead"], result.costs)
        yield dg.MaterializeResult(
            asset_key=KPIS,
            metadata=table_metadata(
                con,
                marts.KPIS,
                extra=common
                | {k: v for k, v in values.items() if not k.startswith("cost_per_lead/")}
                | {"kpis": dg.MetadataValue.md(kpi_table), "journeys_found": result.journeys},
            ),
        )
        yield dg.MaterializeResult(
            asset_key=KPI_COST_PER_LEAD,
            metadata=table_metadata(
                con,
                marts.KPI_COST_PER_LEAD,
                extra=common
                | {k: v for k, v in values.items() if k.startswith("cost_per_lead/")}
                | {"cost_per_lead": dg.MetadataValue.md(cost_table)},
            ),
        )
        yield from _kpi_check_results(con, as_of)
    context.log.info(f"KPIs as of {as_of}: {result.values()}")


@dg.asset(
    key=KPI_REPORT,
    group_name=GROUP,
    deps=[KPIS, KPI_COST_PER_LEAD, BUYING_GROUPS, JOURNEY_NODE_COUNTS],
    kinds={"html", "plotly"},
    owners=OWNERS,
    tags={"stage": GROUP},
    pool=WAREHOUSE_POOL,
)
def kpi_report(warehouse: WarehouseResource, output: OutputResource, project_config: ProjectConfigResource):
    """`<output>/report/index.html`: one self-contained page (opens without network) with the KPI
    trends over the `as_of` history, cost per lead, the stage funnel per solution interest, the
    completeness and engagement distributions and, when `marts.journey_node_counts` exists, the
    journey node counts. Charts by plotly.js, inlined; the file is written atomically."""
    as_of = project_config.as_of_date()
    with warehouse.connect() as con:
        result = write_report(con, output.root, as_of)
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(result.path)),
            "dagster/row_count": result.chart_count,  # one chart per row of the page
            "charts": result.chart_count,
            "kpi_history_days": result.as_of_days,
            "journey_node_counts_shown": result.journeys,
            "bytes": result.path.stat().st_size,
            "chart_titles": dg.MetadataValue.md("\n".join(f"- {title}" for title in result.charts)),
        }
    )


KPI_ASSETS = [success_kpis, kpi_report]
