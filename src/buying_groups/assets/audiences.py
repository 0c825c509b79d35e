"""Group ``audiences``: the accounts in each account audience, from declarative rules."""

import dagster as dg

from buying_groups.assets.keys import ACCOUNT_AUDIENCE_MEMBERS, ACCOUNTS, EXPERIENCE_EVENTS, OPPORTUNITIES, PERSONS
from buying_groups.assets.metadata import markdown_table, table_metadata
from buying_groups.audiences import build_audience_members
from buying_groups.resources import WAREHOUSE_POOL, ProjectConfigResource, WarehouseResource


@dg.asset(
    key=ACCOUNT_AUDIENCE_MEMBERS,
    group_name="audiences",
    deps=[ACCOUNTS, PERSONS, EXPERIENCE_EVENTS, OPPORTUNITIES],
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
        build_audience_members(con, config, as_of)
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


AUDIENCE_ASSETS = [account_audience_members]
