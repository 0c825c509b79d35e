"""Jobs, the daily schedule and the new-drop sensor (SPEC §7).

- ``new_drop_sensor`` watches the landing zone; when a drop folder appears (and its files have
  stopped changing) it requests one run of ``ingest_new_drops``, the whole graph: ingestion
  then everything downstream.
- ``daily_scoring_schedule`` re-scores every day at 06:00 UTC with ``as_of`` = the scheduled
  date, even without new data: engagement decays and stages move with the calendar.

Both start RUNNING (``default_status``): a deployment with the daemon should ingest and score
without someone first switching them on in the UI. Turn either off in the UI (Automation tab).
"""

import datetime as dt
import json
import time
from collections.abc import Iterable
from pathlib import Path

import dagster as dg

from buying_groups.assets.keys import SCORING_GROUPS
from buying_groups.ingest.landing import DROP_PATTERN
from buying_groups.resources import LandingZoneResource, ProjectConfigResource

DAILY_GROUPS = SCORING_GROUPS

# Everything: ingestion registers and loads only the files not seen before, so running the
# whole graph for a drop is the same as "ingest it, then recompute what depends on it".
ingest_new_drops_job = dg.define_asset_job(
    "ingest_new_drops",
    selection=dg.AssetSelection.all(),
    description="Ingest every new landing-zone drop, then rebuild audiences, buying groups and activation files.",
    tags={"buying_groups/trigger": "drop"},
)

# Scoring and activation only: ingestion is the sensor's job, and re-reading the landing zone
# every morning would add nothing (new drops are picked up within a minute by the sensor).
daily_scoring_job = dg.define_asset_job(
    "daily_scoring",
    selection=dg.AssetSelection.groups(*DAILY_GROUPS),
    description=(
        "Re-score engagement, audiences and buying groups as of the run date, measure the KPIs and "
        "rewrite the activation files."
    ),
    tags={"buying_groups/trigger": "schedule"},
)


@dg.schedule(
    job=daily_scoring_job,
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Daily at 06:00 UTC: every scoring group and activation, with as_of = the scheduled date.",
)
def daily_scoring_schedule(
    context: dg.ScheduleEvaluationContext, project_config: ProjectConfigResource
) -> dg.RunRequest:
    scheduled = context.scheduled_execution_time or dt.datetime.now(dt.UTC)
    as_of = scheduled.astimezone(dt.UTC).date().isoformat()
    # A ConfigurableResource in run config replaces the whole resource config, so keep the
    # deployment's config_dir and change only as_of.
    resource = ProjectConfigResource(config_dir=project_config.config_dir, as_of=as_of)
    return dg.RunRequest(
        run_key=as_of,
        run_config=dg.RunConfig(resources={"project_config": resource}),
        tags={"buying_groups/as_of": as_of},
    )


# A drop being copied in is not ready: wait until its newest file is this old. Marketo
# extracts are written file by file and the landing zone has no "done" marker (SPEC §2).
DROP_QUIET_SECONDS = 60.0


def ready_drops(root: Path, *, quiet_seconds: float = DROP_QUIET_SECONDS, now: float | None = None) -> list[str]:
    """Drop folders under ``root`` (named like SPEC §2) holding at least one CSV file, none of
    which changed in the last ``quiet_seconds``; sorted by name (= processing order)."""
    if not root.is_dir():
        return []
    now = time.time() if now is None else now
    drops = []
    for folder in root.iterdir():
        if not folder.is_dir() or not DROP_PATTERN.match(folder.name):
            continue
        csv_files = [p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".csv"]
        if csv_files and max(p.stat().st_mtime for p in csv_files) <= now - quiet_seconds:
            drops.append(folder.name)
    return sorted(drops)


def parse_cursor(cursor: str | None) -> set[str]:
    """The drops already handed to a run. The cursor is JSON ``{"seen": [drop, ...]}``."""
    if not cursor:
        return set()
    return set(json.loads(cursor).get("seen", []))


def dump_cursor(seen: Iterable[str]) -> str:
    return json.dumps({"seen": sorted(set(seen))})


def build_drop_sensor(quiet_seconds: float = DROP_QUIET_SECONDS, name: str = "new_drop_sensor") -> dg.SensorDefinition:
    @dg.sensor(
        name=name,
        job=ingest_new_drops_job,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=(
            "Notices new drop folders in the landing zone and runs ingestion plus everything downstream. "
            "The cursor lists the drops already handed to a run; the run key is the newest new drop."
        ),
    )
    def _sensor(context: dg.SensorEvaluationContext, landing: LandingZoneResource) -> dg.SensorResult:
        seen = parse_cursor(context.cursor)
        new = [drop for drop in ready_drops(landing.root, quiet_seconds=quiet_seconds) if drop not in seen]
        if not new:
            return dg.SensorResult(skip_reason=f"no new drop in {landing.root}")
        # One run for every drop found in this tick: each run ingests all pending files anyway,
        # so a run per drop would only repeat the downstream work. The run key makes Dagster
        # refuse a second run for the same drop even if the cursor were lost.
        context.log.info(f"new drops: {', '.join(new)}")
        return dg.SensorResult(
            run_requests=[
                dg.RunRequest(
                    run_key=new[-1],
                    tags={"buying_groups/last_drop": new[-1], "buying_groups/new_drops": str(len(new))},
                )
            ],
            cursor=dump_cursor(seen | set(new)),
        )

    return _sensor


new_drop_sensor = build_drop_sensor()

JOBS = [ingest_new_drops_job, daily_scoring_job]
SCHEDULES = [daily_scoring_schedule]
SENSORS = [new_drop_sensor]
