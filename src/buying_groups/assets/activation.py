"""Group ``activation``: LinkedIn matched-audience files, the sales hand-off, Parquet marts.

Thin wiring over :mod:`buying_groups.activation`; the blocking checks below read the files
back through :mod:`buying_groups.activation.verify`, which shares no code with the writers.
"""

# No ``from __future__ import annotations`` here: Dagster inspects the ``context`` annotation
# of asset functions and rejects it when it is a string.
from typing import Any

import dagster as dg

from buying_groups.activation import (
    LinkedInExport,
    build_linkedin_audiences,
    build_sales_handoff,
    export_marts_parquet,
    write_sales_handoff_csv,
)
from buying_groups.activation.dimensions import build_bi_dimensions
from buying_groups.activation.emptied import EmptiedFile, csv_data_rows, emptied, list_rows, published_list_rows
from buying_groups.activation.linkedin import LINKEDIN_DIR
from buying_groups.activation.options import linkedin_options
from buying_groups.activation.sales_handoff import SALES_HANDOFF_FILE, SALES_HANDOFF_TABLE
from buying_groups.activation.verify import (
    Verification,
    linkedin_csv_files,
    verify_headers,
    verify_injection_safe,
    verify_manifest,
    verify_no_suppressed_contacts,
    verify_sales_handoff_csv,
    verify_size_limits,
)
from buying_groups.assets.keys import (
    ACCOUNT_AUDIENCE_MEMBERS,
    ACCOUNTS,
    BI_ACCOUNTS,
    BI_PERSONS,
    BUYING_GROUP_HISTORY,
    BUYING_GROUP_MEMBER_REASONS,
    BUYING_GROUP_MEMBERS,
    BUYING_GROUP_ROLES,
    BUYING_GROUP_STAGE_HISTORY,
    BUYING_GROUPS,
    JOURNEY_ACTIONS,
    JOURNEY_LOG,
    JOURNEY_NODE_COUNTS,
    JOURNEY_STATE,
    LINKEDIN_AUDIENCES,
    MARTS_PARQUET,
    PERSON_ENGAGEMENT,
    PERSON_ENGAGEMENT_CONTRIBUTIONS,
    PERSONS,
    SALES_HANDOFF,
)
from buying_groups.assets.metadata import markdown_table, table_metadata
from buying_groups.model.marts import mart
from buying_groups.resources import WAREHOUSE_POOL, OutputResource, ProjectConfigResource, WarehouseResource

GROUP = "activation"
OWNERS = ["team:data-engineering"]


def _manifest_markdown(export: LinkedInExport) -> str:
    if not export.files:
        return "no files"
    return markdown_table(
        ["path", "rule", "rows", "bytes", "part", "flags", "sha256"],
        [
            (f.path, f.rule, f.row_count, f.byte_size, f"{f.part}/{f.part_count}", ", ".join(f.flags), f.sha256[:12])
            for f in export.files
        ],
    )


def _report_emptied(context: dg.AssetExecutionContext, files: list[EmptiedFile]) -> dict[str, Any]:
    """Warn about every published file a run emptied, and say so in the metadata (the rule
    is in :mod:`buying_groups.activation.emptied`)."""
    for file in files:
        context.log.warning(file.warning())
    table = markdown_table(["file", "rows before", "rows now"], [(f.name, f.rows_before, 0) for f in files])
    return {"emptied_files": len(files), "emptied": dg.MetadataValue.md(table if files else "none")}


@dg.asset(
    key=LINKEDIN_AUDIENCES,
    group_name=GROUP,
    kinds={"duckdb", "csv"},
    owners=OWNERS,
    deps=[BUYING_GROUPS, BUYING_GROUP_MEMBERS, BUYING_GROUP_ROLES, PERSONS, ACCOUNTS],
    pool=WAREHOUSE_POOL,
)
def linkedin_audiences(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    output: OutputResource,
    project_config: ProjectConfigResource,
) -> dg.MaterializeResult:
    """LinkedIn Matched Audience files under `<output>/linkedin/<solution interest>/`:
    `companies.csv` (accounts of groups with completeness < 100),
    `companies_missing_<role>.csv` (accounts whose group misses that required role) and
    `contacts.csv` (active members of groups not sales_ready, suppressed emails never),
    split at the row/byte limits, plus `manifest.json`. The run's files are published as
    one set with their manifest (all staged first, then renamed) or not at all; cells longer
    than LinkedIn's field size (255 characters) are cut; files of earlier runs that no longer
    apply are removed after the new set is in place. A list that had rows and is now empty is
    still written, with a warning and `emptied_files` in the metadata."""
    options = linkedin_options(project_config.load())
    published = published_list_rows(output.root / LINKEDIN_DIR)
    with warehouse.connect() as con:
        export = build_linkedin_audiences(con, output.root, options, as_of=project_config.as_of_date())
    below_minimum = sorted({(f.solution_interest_id, f.list_name) for f in export.files if f.flags})
    for path in export.removed:
        context.log.info(f"removed stale file {path}")
    if export.cells_truncated:
        context.log.warning(
            f"{export.cells_truncated} cell(s) longer than {options.max_cell_chars} characters were cut to fit "
            "LinkedIn's field size"
        )
    if export.consent_unknown_persons:
        # A warning, not a note: these persons are left out of every list until their consent
        # flags are delivered, which an operator should hear about at the terminal.
        context.log.warning(f"{export.consent_unknown_persons} persons suppressed: consent unknown")
    if below_minimum:
        context.log.warning(
            f"{len(below_minimum)} list(s) under LinkedIn's minimum of {options.min_rows} rows "
            "(written, flagged below_linkedin_minimum)"
        )
    rows_by_list = list_rows(export.files)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": export.total_rows,
            "manifest": dg.MetadataValue.path(str(export.manifest_path)),
            "files": dg.MetadataValue.md(_manifest_markdown(export)),
            "files_written": len(export.files),
            "rows_by_list": dg.MetadataValue.json(rows_by_list),
            "lists_below_linkedin_minimum": len(below_minimum),
            "stale_files_removed": len(export.removed),
            "cells_truncated": export.cells_truncated,
            "suppressed_emails": export.suppressed_email_count,
            "persons_suppressed_consent_unknown": export.consent_unknown_persons,
            "hash_emails": options.hash_emails,
            **_report_emptied(context, emptied(published, rows_by_list)),
        }
    )


@dg.asset(
    key=SALES_HANDOFF,
    group_name=GROUP,
    kinds={"duckdb", "csv"},
    owners=OWNERS,
    deps=[BUYING_GROUPS, BUYING_GROUP_MEMBERS, BUYING_GROUP_ROLES, PERSONS, ACCOUNTS],
    pool=WAREHOUSE_POOL,
)
def sales_handoff(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, output: OutputResource
) -> dg.MaterializeResult:
    """`marts.sales_handoff` and `<output>/sales_handoff.csv`: one row per active member of
    each sales_ready buying group with the group's scores and missing roles, the account's
    industry, website and phone, the member's role and contact details. Deleted persons are
    left out; a member who may not be emailed keeps the row with the email blanked,
    `may_email` false and `email_status` saying why. The CSV shows scores as whole numbers.
    A hand-off that had rows and is now empty is still written, with a warning."""
    path = output.root / SALES_HANDOFF_FILE
    published = csv_data_rows(path)
    with warehouse.connect() as con:
        build_sales_handoff(con)
        written = write_sales_handoff_csv(con, output.root)
        metadata = table_metadata(
            con,
            SALES_HANDOFF_TABLE,
            extra={
                "csv": dg.MetadataValue.path(str(written.path)),
                "csv_sha256": written.sha256,
                "csv_bytes": written.byte_size,
                **_report_emptied(context, emptied({path.name: published or 0}, {path.name: written.row_count})),
            },
        )
    return dg.MaterializeResult(metadata=metadata)


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key,
            group_name=GROUP,
            description=mart(table).description,
            kinds={"duckdb"},
            owners=OWNERS,
            deps=[ACCOUNTS, PERSONS],
        )
        for key, table in ((BI_ACCOUNTS, "accounts"), (BI_PERSONS, "persons"))
    ],
    name="bi_dimensions",
    pool=WAREHOUSE_POOL,
)
def bi_dimensions(warehouse: WarehouseResource):
    """`marts.accounts` and `marts.persons`, rebuilt together from the current b2b state."""
    with warehouse.connect() as con:
        build_bi_dimensions(con)
        for key in (BI_ACCOUNTS, BI_PERSONS):
            table = f"marts.{key.path[-1]}"
            yield dg.MaterializeResult(asset_key=key, metadata=table_metadata(con, table))


@dg.asset(
    key=MARTS_PARQUET,
    group_name=GROUP,
    kinds={"duckdb", "parquet"},
    owners=OWNERS,
    deps=[
        BUYING_GROUPS,
        BUYING_GROUP_MEMBERS,
        BUYING_GROUP_ROLES,
        SALES_HANDOFF,
        PERSON_ENGAGEMENT,
        PERSON_ENGAGEMENT_CONTRIBUTIONS,
        ACCOUNT_AUDIENCE_MEMBERS,
        BUYING_GROUP_HISTORY,
        BUYING_GROUP_STAGE_HISTORY,
        JOURNEY_STATE,
        JOURNEY_LOG,
        JOURNEY_ACTIONS,
        JOURNEY_NODE_COUNTS,
        BUYING_GROUP_MEMBER_REASONS,
        BI_ACCOUNTS,
        BI_PERSONS,
    ],
    pool=WAREHOUSE_POOL,
)
def marts_parquet(warehouse: WarehouseResource, output: OutputResource) -> dg.MaterializeResult:
    """Every `marts.*` table as `<output>/marts/<table>.parquet` for BI (the dimensions
    `accounts` and `persons` included, so every mart joins to names and attributes), each
    written to a temp file and renamed into place."""
    with warehouse.connect() as con:
        exported = export_marts_parquet(con, output.root)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": sum(e.row_count for e in exported),
            "folder": dg.MetadataValue.path(str(output.root / "marts")),
            "files_written": len(exported),
            "tables": dg.MetadataValue.md(
                markdown_table(
                    ["table", "file", "rows", "bytes"],
                    [(e.table, e.path.name, e.row_count, e.byte_size) for e in exported],
                )
                if exported
                else "no marts tables"
            ),
        }
    )


# --------------------------------------------------------------------------- asset checks


def _check_result(name: str, verification: Verification, **extra: Any) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        check_name=name,
        passed=verification.passed,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "checked_files": verification.checked_files,
            "problems": dg.MetadataValue.md("\n".join(f"- {p}" for p in verification.summary()) or "none"),
            "problem_count": len(verification.problems),
            **extra,
        },
    )


def _linkedin_check(name: str, description: str) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(name, asset=LINKEDIN_AUDIENCES, blocking=True, description=description)


# One step for the five checks of the LinkedIn files (one pass of the warehouse pool, one
# connection): each reads the files again, and five steps spent more in Dagster's step start
# and stop than the smaller checks themselves. Each keeps its own name and description.
@dg.multi_asset_check(
    specs=[
        _linkedin_check(
            "linkedin_headers_exact", "Every LinkedIn file's header is exactly LinkedIn's company or contact template."
        ),
        _linkedin_check(
            "linkedin_no_suppressed_contacts",
            "No contacts file holds an email (plain or SHA-256) of any unsubscribed, suspended, "
            "email-invalid, deleted or unreadable-flag lead, re-derived from `b2b.persons`.",
        ),
        _linkedin_check("linkedin_size_limits", "No LinkedIn file exceeds the configured row or byte limit."),
        _linkedin_check(
            "linkedin_manifest_checksums",
            "`manifest.json` lists every file on disk with its true SHA-256, size and row count.",
        ),
        _linkedin_check(
            "linkedin_csv_injection_safe",
            "No cell of any LinkedIn file, nor any part of a cell after a `;`, starts a formula: "
            "`= + - @`, tab, CR or a look-alike of them, after any invisible characters.",
        ),
    ],
    name="linkedin_checks",
    pool=WAREHOUSE_POOL,
)
def linkedin_checks(warehouse: WarehouseResource, output: OutputResource, project_config: ProjectConfigResource):
    """The LinkedIn files' blocking checks, re-read from disk (and `b2b.persons` for consent)."""
    root = output.root / LINKEDIN_DIR
    linkedin = project_config.load().activation.linkedin
    yield _check_result("linkedin_headers_exact", verify_headers(root))
    with warehouse.connect() as con:
        yield _check_result("linkedin_no_suppressed_contacts", verify_no_suppressed_contacts(con, root))
    yield _check_result(
        "linkedin_size_limits",
        verify_size_limits(root, linkedin.max_rows_per_file, linkedin.max_bytes_per_file),
        max_rows=linkedin.max_rows_per_file,
        max_bytes=linkedin.max_bytes_per_file,
    )
    yield _check_result("linkedin_manifest_checksums", verify_manifest(root))
    yield _check_result("linkedin_csv_injection_safe", verify_injection_safe(linkedin_csv_files(root)))


@dg.asset_check(asset=SALES_HANDOFF, blocking=True, pool=WAREHOUSE_POOL)
def sales_handoff_csv_safe(warehouse: WarehouseResource, output: OutputResource) -> dg.AssetCheckResult:
    """`sales_handoff.csv` is CSV-injection safe (the rules of the LinkedIn lists) and holds
    no suppressed email."""
    with warehouse.connect() as con:
        verification = verify_sales_handoff_csv(con, output.root / SALES_HANDOFF_FILE)
    return _check_result("sales_handoff_csv_safe", verification)


ACTIVATION_ASSETS: list[dg.AssetsDefinition] = [bi_dimensions, linkedin_audiences, sales_handoff, marts_parquet]
ACTIVATION_CHECKS: list[dg.AssetChecksDefinition] = [linkedin_checks, sales_handoff_csv_safe]
