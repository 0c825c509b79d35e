"""Group ``audiences``: account audiences from declarative rules, and person engagement."""

import dagster as dg

from buying_groups.assets.metadata import markdown_table, table_metadata
from buying_groups.assets.validated import b2b_key
from buying_groups.audiences import build_audience_members, load_config_tables
from buying_groups.resources import WAREHOUSE_POOL, ProjectConfigResource, WarehouseResource
from buying_groups.scoring import compute_person_engagement, refuse_earlier_as_of
from buying_groups.sql_files import run_sql

PERSON_ENGAGEMENT = dg.AssetKey(["marts", "person_engagement"])
ACCOUNT_AUDIENCE_MEMBERS = dg.AssetKey(["marts", "account_audience_members"])


@dg.asset(
    key=PERSON_ENGAGEMENT,
    group_name="audiences",
    deps=[b2b_key("persons"), b2b_key("experience_events")],
    kinds={"duckdb"},
    owners=["team:marketing-ops"],
    tags={"stage": "audiences"},
    pool=WAREHOUSE_POOL,
)
def person_engagement(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, project_config: ProjectConfigResource
) -> dg.MaterializeResult:
    """Engagement of every current person as of `as_of` (SPEC §5): per activity type and UTC
    day in `(as_of - window_days, as_of]`, `min(count, daily_cap) * weight(type)` summed into
    `raw_score`; `person_engagement_score = 100 * sqrt(raw) / max sqrt(raw)`."""
    config, as_of = project_config.load(), project_config.as_of_date()
    with warehouse.connect() as con:
        refuse_earlier_as_of(con, as_of)  # before this date's marts replace a later date's
        load_config_tables(con, config)
        result = compute_person_engagement(con, as_of, config.engagement.window_days, config.engagement.daily_cap)
        distribution = con.execute(
            """
            SELECT CASE WHEN person_engagement_score = 0 THEN '0'
                        WHEN person_engagement_score < 25 THEN '1-24'
                        WHEN person_engagement_score < 50 THEN '25-49'
                        WHEN person_engagement_score < 75 THEN '50-74' ELSE '75-100' END AS band,
                   count(*) FROM marts.person_engagement GROUP BY band ORDER BY band
            """
        ).fetchall()
        metadata = table_metadata(
            con,
            "marts.person_engagement",
            extra={
                **result.as_metadata(),
                "score_distribution": dg.MetadataValue.md(markdown_table(["score band", "persons"], distribution)),
                "dagster/column_lineage": dg.TableColumnLineage(
                    deps_by_column={
                        "person_key": [dg.TableColumnDep(b2b_key("persons"), "person_key")],
                        "raw_score": [
                            dg.TableColumnDep(b2b_key("experience_events"), "timestamp"),
                            dg.TableColumnDep(b2b_key("experience_events"), "activity_type_id"),
                        ],
                    }
                ),
            },
        )
    context.log.info(f"person engagement as of {as_of}: {result.as_metadata()}")
    return dg.MaterializeResult(metadata=metadata)


@dg.asset(
    key=ACCOUNT_AUDIENCE_MEMBERS,
    group_name="audiences",
    deps=[b2b_key("accounts"), b2b_key("persons"), b2b_key("experience_events"), b2b_key("opportunities")],
    kinds={"duckdb"},
    owners=["team:marketing-ops"],
    tags={"stage": "audiences"},
    pool=WAREHOUSE_POOL,
)
def account_audience_members(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, project_config: ProjectConfigResource
) -> dg.MaterializeResult:
    """Current accounts in each account audience of `account_audiences.yaml`, as of `as_of`.
    Conditions compile to DuckDB SQL with every value bound as a parameter; `has_people`,
    `has_activity` and `has_opportunity` look across persons, events and opportunities."""
    config, as_of = project_config.load(), project_config.as_of_date()
    with warehouse.connect() as con:
        refuse_earlier_as_of(con, as_of)
        build_audience_members(con, config, as_of)
        run_sql(con, "audiences_publish_members", {"as_of": as_of})
        per_audience = con.execute(
            "SELECT audience, count(*) FROM marts.account_audience_members GROUP BY audience ORDER BY audience"
        ).fetchall()
        metadata = table_metadata(
            con,
            "marts.account_audience_members",
            extra={
                "as_of": as_of.isoformat(),
                "accounts_by_audience": dg.MetadataValue.md(markdown_table(["audience", "accounts"], per_audience)),
            },
        )
    context.log.info(f"audiences as of {as_of}: {dict(per_audience)}")
    return dg.MaterializeResult(metadata=metadata)


AUDIENCE_ASSETS = [person_engagement, account_audience_members]
