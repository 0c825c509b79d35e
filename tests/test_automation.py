"""The daily schedule and the new-drop sensor: evaluated with Dagster's test contexts, then for
real: the run the sensor requests is executed over a generated landing zone."""

import datetime as dt
import json
import os
import subprocess
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster._core.definitions.sensor_definition import SensorExecutionData

from buying_groups.automation import (
    DAILY_GROUPS,
    DROP_QUIET_SECONDS,
    daily_scoring_schedule,
    dump_cursor,
    new_drop_sensor,
    parse_cursor,
    ready_drops,
)
from buying_groups.definitions import build_definitions, defs
from buying_groups.resources import LandingZoneResource, ProjectConfigResource, WarehouseResource, build_resources
from buying_groups.sample_data import generate_landing
from buying_groups.settings import Settings
from tests.conftest import LEAD_HEADER, lead, run_command, write_csv

REPO = Path(__file__).resolve().parents[1]
END = dt.date(2026, 11, 20)


def age(folder: Path, seconds: float = DROP_QUIET_SECONDS + 5) -> None:
    """Make every file under ``folder`` look settled (copied more than the quiet period ago)."""
    old = time.time() - seconds
    for path in folder.rglob("*"):
        os.utime(path, (old, old))


def add_drop(landing: Path, name: str, *, settled: bool = True) -> Path:
    drop = landing / name
    write_csv(drop / "leads.csv", LEAD_HEADER, [lead(1)])
    if settled:
        age(drop)
    return drop


def sensor_resources(landing: Path, warehouse: Path | None = None, as_of: str | None = None) -> dict[str, object]:
    """The sensor's resources: the landing zone, the warehouse whose ledger it reads (none
    yet: a fresh deployment) and the project config whose as_of it pins on the run."""
    return {
        "landing": LandingZoneResource(path=str(landing)),
        "warehouse": WarehouseResource(database=str(warehouse or landing.parent / "no-warehouse-yet.duckdb")),
        "project_config": ProjectConfigResource(config_dir=str(REPO / "config"), as_of=as_of),
    }


def evaluate(
    landing: Path, cursor: str | None, instance: dg.DagsterInstance, **resources: object
) -> SensorExecutionData:
    # The warehouse has setup/teardown hooks, so Dagster wants the context entered.
    with dg.build_sensor_context(
        cursor=cursor,
        instance=instance,
        resources=sensor_resources(landing, **resources),  # type: ignore[arg-type]
    ) as context:
        return new_drop_sensor.evaluate_tick(context)


def test_ready_drops_lists_settled_drop_folders_only(landing):
    add_drop(landing, "2026-11-02")
    add_drop(landing, "2026-11-01T0600")
    add_drop(landing, "2026-11-03", settled=False)  # still being copied
    (landing / "2026-11-04").mkdir()  # empty
    write_csv(landing / "archive" / "leads.csv", LEAD_HEADER, [lead(1)])  # not a drop name
    age(landing / "archive")
    assert ready_drops(landing) == ["2026-11-01T0600", "2026-11-02"]
    assert ready_drops(landing, quiet_seconds=0, now=time.time() + 1) == ["2026-11-01T0600", "2026-11-02", "2026-11-03"]
    assert ready_drops(landing / "missing") == []


def test_cursor_round_trip():
    assert parse_cursor(None) == set() == parse_cursor("")
    assert parse_cursor(dump_cursor(["b", "a", "a"])) == {"a", "b"}
    assert json.loads(dump_cursor(["b", "a"])) == {"seen": ["a", "b"]}


def test_sensor_requests_one_run_per_new_drop_and_never_twice(landing):
    instance = dg.DagsterInstance.ephemeral()
    assert evaluate(landing, None, instance).skip_message  # empty landing zone

    add_drop(landing, "2026-11-01")
    first = evaluate(landing, None, instance)
    assert [r.run_key for r in first.run_requests] == ["2026-11-01"]
    assert first.run_requests[0].tags["buying_groups/last_drop"] == "2026-11-01"
    assert parse_cursor(first.cursor) == {"2026-11-01"}

    # The same tick again, then a "restart" (a new context from the stored cursor): nothing.
    again = evaluate(landing, first.cursor, instance)
    assert not again.run_requests and again.skip_message
    restarted = evaluate(landing, first.cursor, dg.DagsterInstance.ephemeral())
    assert not restarted.run_requests

    # A drop still being written waits for the next tick; once settled it gets its run.
    add_drop(landing, "2026-11-02", settled=False)
    assert not evaluate(landing, first.cursor, instance).run_requests
    age(landing / "2026-11-02")
    second = evaluate(landing, first.cursor, instance)
    assert [r.run_key for r in second.run_requests] == ["2026-11-02"]
    assert parse_cursor(second.cursor) == {"2026-11-01", "2026-11-02"}

    # Several drops found in one tick share one run (each run ingests every pending file);
    # a late drop with an older name is still noticed.
    add_drop(landing, "2026-10-30")
    add_drop(landing, "2026-11-03")
    batch = evaluate(landing, second.cursor, instance)
    assert [r.run_key for r in batch.run_requests] == ["2026-11-03"]
    assert batch.run_requests[0].tags["buying_groups/new_drops"] == "2"
    assert parse_cursor(batch.cursor) == {"2026-10-30", "2026-11-01", "2026-11-02", "2026-11-03"}


def test_schedule_scores_as_of_the_scheduled_date():
    assert daily_scoring_schedule.cron_schedule == "0 6 * * *"
    assert daily_scoring_schedule.execution_timezone == "UTC"
    assert daily_scoring_schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    assert new_drop_sensor.default_status == dg.DefaultSensorStatus.RUNNING
    context = dg.build_schedule_context(
        scheduled_execution_time=dt.datetime(2026, 11, 21, 6, 0, tzinfo=dt.UTC),
        resources={"project_config": ProjectConfigResource(config_dir="/etc/bg-config")},
    )
    data = daily_scoring_schedule.evaluate_tick(context)
    (request,) = data.run_requests
    assert request.run_key == "2026-11-21"
    config = request.run_config["resources"]["project_config"]["config"]
    assert config == {"config_dir": "/etc/bg-config", "as_of": "2026-11-21"}


def test_jobs_select_the_documented_assets():
    daily = defs.resolve_job_def("daily_scoring")
    groups = {
        node.group_name
        for node in defs.resolve_asset_graph().asset_nodes
        if node.key in daily.asset_layer.executable_asset_keys
    }
    assert groups == set(DAILY_GROUPS)
    everything = defs.resolve_job_def("ingest_new_drops")
    all_keys = {node.key for node in defs.resolve_asset_graph().asset_nodes if node.is_materializable}
    assert everything.asset_layer.executable_asset_keys == all_keys


@pytest.mark.slow
def test_sensor_run_then_schedule_run_fill_the_warehouse(tmp_path):
    landing = tmp_path / "landing"
    generate_landing(out=landing, leads=200, seed=5, drops=2, end_date=END)
    age(landing)
    settings = Settings(
        landing_dir=landing,
        warehouse=tmp_path / "warehouse.duckdb",
        output_dir=tmp_path / "output",
        config_dir=REPO / "config",
        as_of=END.isoformat(),
    )
    project = build_definitions(settings)
    resources = build_resources(settings)
    instance = dg.DagsterInstance.ephemeral()

    sensor = project.resolve_sensor_def("new_drop_sensor")
    # All resources are passed (the daemon builds only the ones a sensor asks for); the
    # warehouse has setup/teardown hooks, so Dagster wants the context entered, as its daemon does.
    with dg.build_sensor_context(instance=instance, resources=resources) as context:
        tick = sensor.evaluate_tick(context)
    (request,) = tick.run_requests
    assert request.run_key == "2026-11-20"
    job = project.resolve_job_def(request.job_name or sensor.job_name)
    result = job.execute_in_process(instance=instance, run_config=request.run_config, tags=request.tags)
    assert result.success
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        for table in ["b2b.persons", "b2b.accounts", "b2b.experience_events", "marts.buying_groups"]:
            assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0, table
        assert con.execute('SELECT count(DISTINCT "drop") FROM meta.landing_files').fetchone()[0] == 2
    with dg.build_sensor_context(instance=instance, resources=resources, cursor=tick.cursor) as context:
        assert not sensor.evaluate_tick(context).run_requests

    # The next morning's schedule re-scores as of its own date, without re-ingesting.
    schedule = project.resolve_schedule_def("daily_scoring_schedule")
    next_day = dt.datetime.combine(END + dt.timedelta(days=1), dt.time(6), tzinfo=dt.UTC)
    with dg.build_schedule_context(
        instance=instance, scheduled_execution_time=next_day, resources=resources
    ) as context:
        (scheduled,) = schedule.evaluate_tick(context).run_requests
    daily = project.resolve_job_def("daily_scoring")
    assert daily.execute_in_process(instance=instance, run_config=scheduled.run_config).success
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        dates = {row[0] for row in con.execute("SELECT DISTINCT as_of FROM marts.buying_group_history").fetchall()}
    assert dates == {END, END + dt.timedelta(days=1)}


def test_drop_run_as_of_is_the_day_the_drop_was_noticed_unless_pinned(landing):
    add_drop(landing, "2026-10-01")  # an old extract, delivered late: scored as of today
    today = dt.datetime.now(dt.UTC).date().isoformat()
    (request,) = evaluate(landing, None, dg.DagsterInstance.ephemeral()).run_requests
    assert request.tags["buying_groups/as_of"] == today
    config = request.run_config["resources"]["project_config"]["config"]
    assert config == {"config_dir": str(REPO / "config"), "as_of": today}
    # A deployment that pins BG_AS_OF keeps it.
    (pinned,) = evaluate(landing, None, dg.DagsterInstance.ephemeral(), as_of="2026-11-20").run_requests
    assert pinned.tags["buying_groups/as_of"] == "2026-11-20"


def test_sensor_says_why_a_landing_zone_is_not_one(landing, tmp_path):
    add_drop(landing, "2026-11-01")
    instance = dg.DagsterInstance.ephemeral()
    missing = evaluate(tmp_path / "landin", None, instance)
    assert missing.skip_message == f"landing zone {tmp_path / 'landin'} does not exist"
    drop_as_landing = evaluate(landing / "2026-11-01", None, instance)
    assert not drop_as_landing.run_requests
    assert "it looks like a drop folder" in (drop_as_landing.skip_message or "")


def test_sensor_waits_while_the_warehouse_is_being_written(landing, tmp_path):
    add_drop(landing, "2026-11-01")
    warehouse = tmp_path / "busy.duckdb"
    with duckdb.connect(str(warehouse)):  # a run holding the warehouse
        tick = evaluate(landing, None, dg.DagsterInstance.ephemeral(), warehouse=warehouse)
    assert not tick.run_requests and "busy" in (tick.skip_message or "")
    assert tick.cursor is None  # nothing remembered: the next tick looks again


@pytest.mark.slow
def test_sensor_does_not_rerun_drops_the_cli_ingested(tmp_path):
    """`dagster dev` started after `buying-groups run`: the sensor's first tick (no cursor) on a
    real instance finds every drop in the warehouse's ledger and runs nothing; a drop that
    arrives later gets its run, and only that drop."""
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    generate_landing(out=landing, leads=200, seed=5, drops=2, end_date=END)
    age(landing)
    done = subprocess.run(
        run_command(landing, warehouse, tmp_path / "output", as_of=END.isoformat()),
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "DAGSTER_HOME": ""},
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]

    (tmp_path / "dagster_home").mkdir()
    instance = dg.DagsterInstance.local_temp(str(tmp_path / "dagster_home"))
    first = evaluate(landing, None, instance, warehouse=warehouse)
    assert not first.run_requests
    assert "already ingested" in (first.skip_message or "")
    assert parse_cursor(first.cursor) == {"2026-11-19", "2026-11-20"}

    add_drop(landing, "2026-11-21")
    for cursor in (first.cursor, None):  # with the cursor, and with a lost one
        (request,) = evaluate(landing, cursor, instance, warehouse=warehouse).run_requests
        assert request.run_key == "2026-11-21"
        assert request.tags["buying_groups/new_drops"] == "1"
