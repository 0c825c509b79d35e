"""The shipped ``deploy/dagster.yaml`` against a real PostgreSQL server (``pg_database``, see
tests/postgres.py), and the embedded default."""

import datetime as dt
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import yaml

from buying_groups.definitions import build_definitions
from buying_groups.resources import WAREHOUSE_POOL
from buying_groups.sample_data import generate_landing
from buying_groups.settings import Settings
from tests.postgres import DEPLOY_YAML, REPO, deploy_dagster_home

END = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def small_landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    landing = tmp_path_factory.mktemp("pg") / "landing"
    generate_landing(out=landing, leads=200, seed=9, drops=2, end_date=END)
    return landing


def run_everything(tmp_path: Path, landing: Path, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    settings = Settings(
        landing_dir=landing,
        warehouse=tmp_path / "warehouse.duckdb",
        output_dir=tmp_path / "output",
        config_dir=REPO / "config",
        as_of=END.isoformat(),
    )
    job = build_definitions(settings).resolve_implicit_global_asset_job_def()
    return job.execute_in_process(instance=instance, raise_on_error=False)


def test_deploy_yaml_reads_every_credential_from_the_environment():
    storage = yaml.safe_load(DEPLOY_YAML.read_text())["storage"]["postgres"]["postgres_db"]
    assert {key: value for key, value in storage.items() if key != "scheme"} == {
        "username": {"env": "DAGSTER_PG_USERNAME"},
        "password": {"env": "DAGSTER_PG_PASSWORD"},
        "hostname": {"env": "DAGSTER_PG_HOST"},
        "db_name": {"env": "DAGSTER_PG_DB"},
        "port": {"env": "DAGSTER_PG_PORT"},
    }


@pytest.mark.postgres
def test_deploy_dagster_yaml_stores_runs_and_events_in_postgres(tmp_path, monkeypatch, pg_database, small_landing):
    server, db_name = pg_database
    for key, value in deploy_dagster_home(tmp_path / "dagster_home", server, db_name).items():
        monkeypatch.setenv(key, value)

    instance = dg.DagsterInstance.get()
    try:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        assert type(instance.schedule_storage).__name__ == "PostgresScheduleStorage"
        pools = instance.get_concurrency_config().pool_config
        assert pools.default_pool_limit == 1 and pools.pool_granularity.value == "op"

        result = run_everything(tmp_path, small_landing, instance)
        assert result.success
        materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    finally:
        instance.dispose()

    with server.connect(db_name) as con, con.cursor() as cur:
        cur.execute("SELECT status FROM runs WHERE run_id = %s", (result.run_id,))
        assert cur.fetchall() == [("SUCCESS",)]
        cur.execute(
            "SELECT asset_key FROM event_logs WHERE run_id = %s AND dagster_event_type = 'ASSET_MATERIALIZATION'",
            (result.run_id,),
        )
        stored = {dg.AssetKey.from_db_string(row[0]) for row in cur.fetchall()}
        assert stored == materialized and len(stored) >= 15
        # The warehouse pool was created at its default limit, in Postgres too.
        cur.execute("SELECT concurrency_key, count(*) FROM concurrency_slots GROUP BY 1")
        assert dict(cur.fetchall()) == {WAREHOUSE_POOL: 1}
        cur.execute("SELECT count(*) FROM information_schema.tables WHERE table_name IN ('instigators', 'jobs')")
        assert cur.fetchone() == (2,)  # schedule storage lives in Postgres as well


def test_embedded_default_instance_still_works(tmp_path, monkeypatch, small_landing):
    # A DAGSTER_HOME without dagster.yaml is Dagster's SQLite default; no Postgres involved.
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with dg.DagsterInstance.get() as instance:
        assert type(instance.run_storage).__name__ == "SqliteRunStorage"
        result = run_everything(tmp_path, small_landing, instance)
        assert result.success
        assert instance.get_run_by_id(result.run_id).status == dg.DagsterRunStatus.SUCCESS
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM marts.buying_groups").fetchone()[0] > 0
