"""Group ``ingest``: discover new drops in the landing zone and check their files."""

import dagster as dg

from buying_groups.assets.keys import LANDING_DROPS
from buying_groups.assets.metadata import markdown_table
from buying_groups.ingest import register_landing_files
from buying_groups.resources import WAREHOUSE_POOL, LandingZoneResource, WarehouseResource


@dg.asset(
    key=LANDING_DROPS,
    group_name="ingest",
    kinds={"csv", "duckdb"},
    owners=["team:data-engineering"],
    tags={"stage": "ingest"},
    pool=WAREHOUSE_POOL,
)
def landing_drops(
    context: dg.AssetExecutionContext, landing: LandingZoneResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """New files of the landing zone (``<landing>/<drop>/<entity>[-<part>].csv``), in drop
    order, registered as *pending* in ``meta.landing_files`` once their header is usable.

    A file that cannot be used as a whole (empty, not CSV, not UTF-8, required column missing,
    duplicated column) fails the run here, before any data is touched, naming file, line and
    reason. Files already registered are skipped, so re-running changes nothing."""
    with warehouse.connect() as con:
        registered = register_landing_files(con, landing.root)
        pending = con.execute(
            "SELECT entity, count(*), sum(byte_size) FROM meta.landing_files "
            "WHERE status = 'pending' GROUP BY entity ORDER BY entity"
        ).fetchall()
    for warning in registered.scan.warnings:
        context.log.warning(warning)
    for path, why in registered.scan.ignored:
        context.log.warning(f"ignored {path}: {why}")
    new_files = registered.new_files
    return dg.MaterializeResult(
        metadata={
            "landing_zone": dg.MetadataValue.path(str(landing.root)),
            "new_files": len(new_files),
            "new_drops": len({f.drop for f in new_files}),
            "dagster/row_count": len(new_files),
            "pending_by_entity": dg.MetadataValue.md(
                markdown_table(["entity", "files", "bytes"], pending) if pending else "nothing pending"
            ),
            "new_files_list": dg.MetadataValue.md(
                markdown_table(
                    ["drop", "file", "entity", "bytes"], [(f.drop, f.name, f.entity, f.size) for f in new_files]
                )
                if new_files
                else "no new files"
            ),
            "ignored": dg.MetadataValue.md(
                markdown_table(["path", "why"], registered.scan.ignored) if registered.scan.ignored else "none"
            ),
            "warnings": dg.MetadataValue.md("\n".join(f"- {w}" for w in registered.scan.warnings) or "none"),
        }
    )
