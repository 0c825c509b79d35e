"""The one ``Definitions`` of the project: assets, checks, jobs, schedule, sensor, resources, executor.

``dagster dev`` (via ``workspace.yaml``) loads ``defs``; the CLI builds the same thing with
its own settings through :func:`build_definitions`.
"""

from __future__ import annotations

from collections.abc import Mapping

import dagster as dg

from buying_groups.assets.activation import ACTIVATION_ASSETS, ACTIVATION_CHECKS
from buying_groups.assets.audiences import AUDIENCE_ASSETS
from buying_groups.assets.buying_groups import BUYING_GROUP_ASSETS
from buying_groups.assets.engagement import ENGAGEMENT_ASSETS
from buying_groups.assets.ingest import landing_drops
from buying_groups.assets.journeys import JOURNEY_ASSETS
from buying_groups.assets.kpis import KPI_ASSETS
from buying_groups.assets.validated import VALIDATED_ASSETS
from buying_groups.automation import JOBS, SCHEDULES, SENSORS
from buying_groups.resources import build_resources
from buying_groups.settings import Settings

ALL_ASSETS: list[dg.AssetsDefinition] = [
    landing_drops,
    *VALIDATED_ASSETS,
    *ENGAGEMENT_ASSETS,
    *AUDIENCE_ASSETS,
    *BUYING_GROUP_ASSETS,
    *JOURNEY_ASSETS,
    *KPI_ASSETS,
    *ACTIVATION_ASSETS,
]
ALL_CHECKS: list[dg.AssetChecksDefinition] = [
    *ACTIVATION_CHECKS,
]


def build_definitions(
    settings: Settings,
    *,
    hold_run_connection: bool = False,
    loggers: Mapping[str, dg.LoggerDefinition] | None = None,
) -> dg.Definitions:
    """``hold_run_connection``: see :class:`~buying_groups.resources.WarehouseResource`; only
    for a caller that keeps other runs off the warehouse itself (the CLI's lock file).
    ``loggers``: the jobs' loggers (the CLI's progress display and run log file); Dagster's
    console logger when None."""
    return dg.Definitions(
        assets=ALL_ASSETS,
        asset_checks=ALL_CHECKS,
        jobs=JOBS,
        schedules=SCHEDULES,
        sensors=SENSORS,
        resources=build_resources(settings, hold_run_connection=hold_run_connection),
        # One process: DuckDB allows a single writer per file, and in-process steps avoid
        # re-importing the code location per step (much faster on 2 cores).
        executor=dg.in_process_executor,
        loggers=loggers,
    )


defs = build_definitions(Settings.from_env())
