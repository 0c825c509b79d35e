"""With ``hold_run_connection`` the warehouse resource keeps one DuckDB database open for a run
and lets go of it after; without it (the default, for runs sharing the file through the pool)
nothing is held between steps."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest
import yaml

from buying_groups.resources import WAREHOUSE_POOL, WarehouseResource, warehouse_pool_limited
from tests.postgres import DEPLOY_YAML


def _read_only_open_fails(database: Path) -> bool:
    """DuckDB refuses a read-only connection to a file this process already has open for
    writing, which makes "is the run's connection still held?" observable."""
    try:
        duckdb.connect(str(database), read_only=True).close()
    except duckdb.ConnectionException:
        return True
    return False


@pytest.mark.parametrize("hold", [True, False])
def test_run_holds_the_database_between_steps_only_when_asked(tmp_path: Path, hold: bool) -> None:
    database = tmp_path / "warehouse.duckdb"
    observed: dict[str, bool] = {}

    @dg.asset
    def first(warehouse: WarehouseResource) -> None:
        with warehouse.connect() as con:
            con.execute("CREATE TABLE t AS SELECT 1 AS x")

    @dg.asset(deps=[first])
    def second(warehouse: WarehouseResource) -> None:
        # No connection of this step is open here: only the run's own connection can hold the file.
        observed["held_between_steps"] = _read_only_open_fails(database)
        with warehouse.connect() as con:
            observed["rows"] = con.execute("SELECT count(*) FROM t").fetchone()[0] == 1  # type: ignore[index]

    warehouse = WarehouseResource(database=str(database), hold_run_connection=hold)
    result = dg.materialize([first, second], resources={"warehouse": warehouse})

    assert result.success
    assert observed == {"held_between_steps": hold, "rows": True}
    assert not _read_only_open_fails(database)  # released when the run ended
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("SELECT x FROM t").fetchall() == [(1,)]


def test_failed_run_releases_the_database(tmp_path: Path) -> None:
    database = tmp_path / "warehouse.duckdb"

    @dg.asset
    def broken(warehouse: WarehouseResource) -> None:
        with warehouse.connect() as con:
            con.execute("CREATE TABLE t AS SELECT 1 AS x")
        raise RuntimeError("boom")

    warehouse = WarehouseResource(database=str(database), hold_run_connection=True)
    result = dg.materialize([broken], resources={"warehouse": warehouse}, raise_on_error=False)

    assert not result.success
    assert not _read_only_open_fails(database)


def test_in_memory_warehouse_holds_nothing() -> None:
    # Each ":memory:" connection is a separate database, so a held one would only waste memory.
    warehouse = WarehouseResource(database=":memory:", hold_run_connection=True)
    with dg.build_resources({"warehouse": warehouse}) as resources:
        assert resources.warehouse._run_connection is None
        with resources.warehouse.connect() as con:
            assert con.execute("SELECT 42").fetchone() == (42,)


def test_cli_holds_the_warehouse_only_where_no_pool_shares_it(tmp_path: Path) -> None:
    # No pool limit: nothing else can take turns with the run, holding the file costs nothing.
    assert not warehouse_pool_limited(dg.DagsterInstance.ephemeral())
    for home in ("plain", "deployed"):
        (tmp_path / home).mkdir()
    with dg.instance_for_test(temp_dir=str(tmp_path / "plain")) as instance:
        assert not warehouse_pool_limited(instance)
        # A limit set for the pool later (the UI's concurrency page) counts too.
        instance.event_log_storage.set_concurrency_slots(WAREHOUSE_POOL, 1)
        assert warehouse_pool_limited(instance)
    # The deployment's dagster.yaml: runs of the daemon share the warehouse step by step.
    concurrency = yaml.safe_load(DEPLOY_YAML.read_text())["concurrency"]
    with dg.instance_for_test(temp_dir=str(tmp_path / "deployed"), overrides={"concurrency": concurrency}) as instance:
        assert warehouse_pool_limited(instance)


def test_steps_after_a_spill_reuse_the_held_database(tmp_path: Path) -> None:
    # DuckDB refuses to set its temp directory again once it has spilled there (even to the
    # same path); the first 5M-lead run failed on exactly that in its second step.
    database = tmp_path / "warehouse.duckdb"

    @dg.asset
    def spills(warehouse: WarehouseResource) -> None:
        with warehouse.connect() as con:
            con.execute("CREATE TABLE t AS SELECT range AS x, md5(range::VARCHAR) AS h FROM range(3000000) ORDER BY h")

    @dg.asset(deps=[spills])
    def after(warehouse: WarehouseResource) -> None:
        with warehouse.connect() as con:
            assert con.execute("SELECT count(*) FROM t").fetchone() == (3_000_000,)

    warehouse = WarehouseResource(database=str(database), hold_run_connection=True, memory_limit="64MB", threads=1)
    result = dg.materialize([spills, after], resources={"warehouse": warehouse}, raise_on_error=False)

    assert result.success, [e.message for e in result.all_events if e.is_failure]
