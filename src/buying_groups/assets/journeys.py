"""Group ``journeys``: account journeys and the buying-group stage model, after scoring.

Thin wiring over :mod:`buying_groups.journeys`, one step: a multi-asset moves the accounts
and writes the journey marts in one transaction, runs the blocking checks (they re-derive what
must hold from the warehouse and the configuration) and, when they pass, writes the day's
files.
"""

# No ``from __future__ import annotations``: Dagster inspects the ``context`` annotation.
import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

import dagster as dg
import duckdb

from buying_groups.assets.activation import linkedin_options
from buying_groups.assets.keys import (
    ACCOUNTS,
    BUYING_GROUP_MEMBERS,
    BUYING_GROUP_STAGE_HISTORY,
    BUYING_GROUPS,
    EXPERIENCE_EVENTS,
    JOURNEY_ACTIONS,
    JOURNEY_FILES,
    JOURNEY_LOG,
    JOURNEY_NODE_COUNTS,
    JOURNEY_STATE,
    OPPORTUNITIES,
    PERSONS,
    table_of,
)
from buying_groups.assets.metadata import markdown_table, table_metadata
from buying_groups.journeys import run_journeys
from buying_groups.journeys.files import SALES_ALERTS_DIR, JourneyFiles, write_journey_files
from buying_groups.resources import WAREHOUSE_POOL, OutputResource, ProjectConfigResource, WarehouseResource
from buying_groups.sql_files import load_sql

if TYPE_CHECKING:
    from buying_groups.config import ProjectConfig

GROUP = "journeys"
OWNERS = ["team:marketing-ops"]

_DESCRIPTIONS = {
    BUYING_GROUP_STAGE_HISTORY: "Every lifecycle-stage move of every buying group: one `entry` row when a group is "
    "created (the stage model's entry stage), then each `update_stage` of a journey with `accepted` and, "
    "for a move the stage model does not allow, the `reason`. The group's current stage is "
    "`marts.buying_groups.lifecycle_stage`.",
    JOURNEY_STATE: "Position of each account in each journey, one row per (journey, account, entry): "
    "node, the day it reached it, status (active / completed / exited), entered and left dates.",
    JOURNEY_LOG: "Every step of every account through the journeys, per `as_of` in order (`seq`): "
    "entered, path, action, ignored, waiting, timeout, completed, exited, with details as JSON.",
    JOURNEY_ACTIONS: "Actions the journeys took per `as_of`: stage updates, sales alerts, Marketo list "
    "and LinkedIn contact adds (one row per person, never a suppressed one), LinkedIn company audience "
    "joins and leaves. `action_id` is stable, so re-running a day never duplicates an action.",
    JOURNEY_NODE_COUNTS: "The journey dashboard per `as_of`: accounts waiting on each node after the run "
    "and accounts that reached it that day.",
}


def _journeys_markdown(con: duckdb.DuckDBPyConnection, config: "ProjectConfig", as_of: dt.date) -> str:
    counts = {
        (journey_id, node_id): (waiting, passed)
        for journey_id, node_id, waiting, passed in con.execute(
            "SELECT journey_id, node_id, accounts_waiting, accounts_passed FROM marts.journey_node_counts "
            "WHERE as_of = $as_of",
            {"as_of": as_of},
        ).fetchall()
    }
    sections = []
    for journey in config.journeys.journeys:
        rows = []
        for node in journey.nodes:
            waiting, passed = counts.get((journey.id, node.id), (0, 0))
            rows.append((node.id, node.type, waiting, passed))
        sections.append(
            f"**{journey.name}** (`{journey.id}`, {journey.solution_interest})\n\n"
            + markdown_table(["node", "type", "accounts waiting", "reached today"], rows)
        )
    return "\n\n".join(sections) or "no journeys configured"


# --------------------------------------------------------------------------- asset checks


def _count(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object] | None = None) -> int:
    (value,) = con.execute(sql, params or {}).fetchone()  # type: ignore[misc]
    return int(value)


def _no_suppressed_person(con: duckdb.DuckDBPyConnection) -> dg.AssetCheckResult:
    # The LinkedIn check's own list of suppressed addresses, written apart from the export SQL.
    suppressed_sql = load_sql("activation/check_suppressed_emails").rstrip().rstrip(";")
    bad = _count(
        con,
        f"""
        WITH suppressed AS (SELECT * FROM ({suppressed_sql}) AS s(email))
        SELECT count(*) FROM marts.journey_actions AS x
        JOIN b2b.persons AS p ON p.person_key = x.person_key
        WHERE x.person_key IS NOT NULL AND (
            p.is_unsubscribed IS NOT false OR p.is_marketing_suspended IS NOT false
            OR p.is_email_invalid IS NOT false OR p.is_deleted IS NOT false
            OR lower(trim(p.work_email, ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)))
               IN (SELECT lower(trim(email)) FROM suppressed))
        """,
    )
    return dg.AssetCheckResult(
        check_name="journey_actions_never_suppressed",
        asset_key=JOURNEY_ACTIONS,
        passed=bad == 0,
        metadata={"suppressed_person_actions": bad},
    )


def _unique_action_ids(con: duckdb.DuckDBPyConnection) -> dg.AssetCheckResult:
    duplicates = _count(
        con, "SELECT count(*) FROM (SELECT action_id FROM marts.journey_actions GROUP BY 1 HAVING count(*) > 1)"
    )
    return dg.AssetCheckResult(
        check_name="journey_action_ids_unique",
        asset_key=JOURNEY_ACTIONS,
        passed=duplicates == 0,
        metadata={"duplicate_action_ids": duplicates},
    )


def _active_accounts_on_existing_nodes(con: duckdb.DuckDBPyConnection, config: "ProjectConfig") -> dg.AssetCheckResult:
    nodes = [(j.id, n.id) for j in config.journeys.journeys for n in j.nodes] or [("", "")]
    stray = _count(
        con,
        "SELECT count(*) FROM marts.journey_state AS s WHERE s.status = 'active' "
        "AND NOT list_contains($nodes, {'journey_id': s.journey_id, 'node_id': s.node_id})",
        {"nodes": [{"journey_id": j, "node_id": n} for j, n in nodes]},
    )
    doubled = _count(
        con,
        "SELECT count(*) FROM (SELECT journey_id, account_key FROM marts.journey_state "
        "WHERE status = 'active' GROUP BY ALL HAVING count(*) > 1)",
    )
    return dg.AssetCheckResult(
        check_name="active_accounts_on_existing_nodes",
        asset_key=JOURNEY_STATE,
        passed=stray == 0 and doubled == 0,
        metadata={"active_on_unknown_node": stray, "accounts_active_twice": doubled},
    )


def _stage_history_follows_the_model(con: duckdb.DuckDBPyConnection, config: "ProjectConfig") -> dg.AssetCheckResult:
    model = config.journeys.stage_model
    if model is None:
        return dg.AssetCheckResult(
            check_name="stage_history_follows_the_model",
            asset_key=BUYING_GROUP_STAGE_HISTORY,
            passed=True,
            metadata={"stage_model": "none"},
        )
    allowed = [{"from_stage": s, "to_stage": t} for s, targets in model.transitions.items() for t in targets]
    (wrong_entry, disallowed_accepted, allowed_ignored, broken_chain) = con.execute(  # type: ignore[misc]
        """
        WITH accepted AS (
            SELECT *, lag(to_stage) OVER (PARTITION BY buying_group_id ORDER BY as_of, seq) AS previous
            FROM marts.buying_group_stage_history WHERE accepted
        )
        SELECT
            (SELECT count(*) FROM marts.buying_group_stage_history
             WHERE source = 'entry' AND (to_stage <> $entry OR from_stage IS NOT NULL)),
            (SELECT count(*) FROM marts.buying_group_stage_history
             WHERE source = 'journey' AND accepted
               AND NOT list_contains($allowed, {'from_stage': from_stage, 'to_stage': to_stage})),
            (SELECT count(*) FROM marts.buying_group_stage_history
             WHERE source = 'journey' AND NOT accepted
               AND list_contains($allowed, {'from_stage': from_stage, 'to_stage': to_stage})),
            (SELECT count(*) FROM accepted WHERE source = 'journey' AND from_stage IS DISTINCT FROM previous)
        """,
        {"entry": model.entry, "allowed": allowed or [{"from_stage": "", "to_stage": ""}]},
    ).fetchone()
    return dg.AssetCheckResult(
        check_name="stage_history_follows_the_model",
        asset_key=BUYING_GROUP_STAGE_HISTORY,
        passed=wrong_entry == disallowed_accepted == allowed_ignored == broken_chain == 0,
        metadata={
            "entry_rows_not_in_entry_stage": wrong_entry,
            "accepted_moves_not_allowed": disallowed_accepted,
            "ignored_moves_that_were_allowed": allowed_ignored,
            "moves_not_from_previous_stage": broken_chain,
        },
    )


# The four checks are evaluated in the `run_journeys` step, right after the journeys ran (one
# connection; a step of their own spent more time starting and stopping than checking). Still
# blocking: on a failure the step writes no journey file and fails.
JOURNEY_CHECK_SPECS = [
    dg.AssetCheckSpec(
        "journey_actions_never_suppressed",
        asset=JOURNEY_ACTIONS,
        blocking=True,
        description="No person action reaches an unsubscribed, suspended, email-invalid or deleted "
        "person, nor one sharing a normalised email with such a lead (re-derived from `b2b.persons`).",
    ),
    dg.AssetCheckSpec(
        "journey_action_ids_unique",
        asset=JOURNEY_ACTIONS,
        blocking=True,
        description="No action id appears twice (re-running a day replaces its actions).",
    ),
    dg.AssetCheckSpec(
        "active_accounts_on_existing_nodes",
        asset=JOURNEY_STATE,
        blocking=True,
        description="Every active account stands on a node of its journey in `journeys.yaml`, and on "
        "at most one node of a journey at a time.",
    ),
    dg.AssetCheckSpec(
        "stage_history_follows_the_model",
        asset=BUYING_GROUP_STAGE_HISTORY,
        blocking=True,
        description="Each accepted journey move is allowed by the stage model and starts from the "
        "group's previous stage; each ignored one is not allowed; entry rows start in the entry stage.",
    ),
]


def journey_check_results(con: duckdb.DuckDBPyConnection, config: "ProjectConfig") -> Iterator[dg.AssetCheckResult]:
    """The journeys' blocking checks: re-derived from the warehouse and `journeys.yaml`, not
    from the engine's own work tables."""
    yield _no_suppressed_person(con)
    yield _unique_action_ids(con)
    yield _active_accounts_on_existing_nodes(con, config)
    yield _stage_history_follows_the_model(con, config)


# --------------------------------------------------------------------------- assets


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key,
            group_name=GROUP,
            description=description,
            kinds={"duckdb"},
            owners=OWNERS,
            tags={"stage": GROUP},
            deps=[BUYING_GROUPS, BUYING_GROUP_MEMBERS, ACCOUNTS, PERSONS, OPPORTUNITIES, EXPERIENCE_EVENTS],
        )
        for key, description in _DESCRIPTIONS.items()
    ]
    + [
        dg.AssetSpec(
            JOURNEY_FILES,
            group_name=GROUP,
            description="The day's journey files under `<output>/journeys/<as_of>/` (Marketo list adds, "
            "LinkedIn contact adds, sales alerts as JSON and Markdown, stage changes, manifest with SHA-256) "
            "and the journey-managed LinkedIn company audiences under "
            "`<output>/linkedin/journeys/<audience>/companies.csv`. Written only when the journeys' "
            "blocking checks pass.",
            kinds={"duckdb", "csv", "json"},
            owners=OWNERS,
            tags={"stage": GROUP},
            deps=[
                JOURNEY_ACTIONS,
                BUYING_GROUP_STAGE_HISTORY,
                BUYING_GROUPS,
                BUYING_GROUP_MEMBERS,
                ACCOUNTS,
                PERSONS,
                EXPERIENCE_EVENTS,
            ],
            # Not written (and not materialized) when a blocking check fails; the step then fails.
            skippable=True,
        )
    ],
    check_specs=JOURNEY_CHECK_SPECS,
    name="run_journeys",
    pool=WAREHOUSE_POOL,
)
def run_journeys_asset(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    output: OutputResource,
    project_config: ProjectConfigResource,
):
    """Moves every account of every journey of `journeys.yaml` as of `as_of`, and the
    buying groups' lifecycle stages; runs the journeys' blocking checks; and, when they pass,
    writes the day's journey files. One step: the files read what the journeys just wrote,
    through the same session (macros, country map, suppressed emails)."""
    config, as_of = project_config.load(), project_config.as_of_date()
    with warehouse.connect() as con:
        result = run_journeys(con, config, as_of)
        view = _journeys_markdown(con, config, as_of)
        for key in _DESCRIPTIONS:
            extra: dict[str, object] = {"as_of": as_of.isoformat()}
            if key == JOURNEY_STATE:
                extra |= result.as_metadata() | {"journeys": dg.MetadataValue.md(view)}
            yield dg.MaterializeResult(asset_key=key, metadata=table_metadata(con, str(table_of(key)), extra=extra))
        checks = list(journey_check_results(con, config))
        yield from checks
        if all(check.passed for check in checks):
            written = write_journey_files(
                con,
                output.root,
                as_of,
                linkedin_options(config),
                journey_audiences(config),
                {s.id: s.name for s in config.interests},
                session_prepared=True,
            )
            yield _journey_files_result(written)
    context.log.info(f"journeys as of {as_of}: {result.as_metadata()}")


def journey_audiences(config: "ProjectConfig") -> list[str]:
    """The LinkedIn company audiences the journeys manage."""
    return sorted(
        {
            action.target
            for journey in config.journeys.journeys
            for node in journey.nodes
            for action in getattr(node, "actions", [])
            if action.kind in ("linkedin_audience", "linkedin_audience_remove") and action.target
        }
    )


def _journey_files_result(written: JourneyFiles) -> dg.MaterializeResult:
    # The sales alerts (one pair of files per alerted group, thousands at a million leads) are
    # one row: their list is in the day's manifest, not in the event log.
    is_alert = [f.path.startswith(f"{SALES_ALERTS_DIR}/") for f in written.files]
    alert_count = sum(is_alert) // 2  # a .json and a .md each
    alert_bytes = sum(f.byte_size for f, alert in zip(written.files, is_alert, strict=True) if alert)
    rows = [
        (f.path, f.row_count, f.byte_size, f.sha256[:12])
        for f, alert in zip(written.files, is_alert, strict=True)
        if not alert
    ]
    rows.append(
        (f"{SALES_ALERTS_DIR}/ (a .json and a .md per group; listed in manifest.json)", alert_count, alert_bytes, "")
    )
    rows += [(f"linkedin/journeys/{f.path}", f.row_count, f.byte_size, f.sha256[:12]) for f in written.audience_files]
    return dg.MaterializeResult(
        asset_key=JOURNEY_FILES,
        metadata={
            "dagster/row_count": sum(f.row_count for f in written.files if f.path.endswith(".csv")),
            "folder": dg.MetadataValue.path(str(written.day_directory)),
            "files": dg.MetadataValue.md(markdown_table(["file", "rows", "bytes", "sha256"], rows)),
            "sales_alerts": alert_count,
            "stale_files_removed": len(written.removed),
        },
    )


JOURNEY_ASSETS: list[dg.AssetsDefinition] = [run_journeys_asset]
