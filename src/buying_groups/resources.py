"""Dagster resources: the DuckDB warehouse, the landing zone, the output folder and the config.

Assets receive these by injection; tests swap the paths for temp dirs. Values default from
``BG_*`` environment variables through :mod:`buying_groups.settings`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
from dagster import ConfigurableResource, DagsterInstance, InitResourceContext
from dagster_duckdb import DuckDBResource
from pydantic import PrivateAttr

from buying_groups.settings import Settings, parse_as_of

if TYPE_CHECKING:
    from buying_groups.config import ProjectConfig


# Every asset that writes the warehouse runs in this Dagster pool (limit 1, see dagster.yaml
# and the README): DuckDB allows one writer process per file.
WAREHOUSE_POOL = "duckdb_warehouse"


def warehouse_pool_limited(instance: DagsterInstance) -> bool:
    """Whether ``instance`` limits the ``duckdb_warehouse`` pool (a default pool limit in its
    ``dagster.yaml``, or a limit set for the pool in the UI): then other runs may share the
    warehouse with this one step by step, and a run must not hold it between its steps."""
    if instance.get_concurrency_config().pool_config.default_pool_limit is not None:
        return True
    return any(limit.name == WAREHOUSE_POOL for limit in instance.event_log_storage.get_pool_limits())


class WarehouseResource(DuckDBResource):
    """The DuckDB warehouse file. `get_connection` retries while another process holds the
    write lock (dagster-duckdb's backoff), so a second writer waits instead of failing.

    Connection settings (a full load must stay within a fixed memory budget):

    - `memory_limit`: DuckDB's buffer-manager limit. DuckDB defaults to 80 % of RAM and
      keeps a full load's intermediate tables in memory (many times the data); with a
      limit it spills to `temp_directory` instead. The Python process (Dagster, Polars
      samples) needs a few hundred MB on top, so keep it ~1 GB under the memory you allow
      the whole run. Empty string = DuckDB's default.
    - `temp_directory`: where DuckDB spills; default `<warehouse file>.tmp/` next to the
      warehouse (same disk, removed by DuckDB when empty).
    - `threads`: DuckDB worker threads; `None` = one per core.

    Insertion order is not preserved (`preserve_insertion_order = false`): the tables are
    sets, every export orders its rows explicitly, and DuckDB then writes in parallel without
    re-sequencing (about twice as fast for wide tables). The one statement that needs file
    order, the ingest scan whose rowids become line numbers, asks for it itself
    (`validated.load`).
    """

    memory_limit: str = "3GB"
    temp_directory: str | None = None
    threads: int | None = None

    hold_run_connection: bool = False

    _run_connection: ExitStack | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        """With ``hold_run_connection``, keep one connection open for the whole run (steps
        run in this process, see the executor in ``definitions``). DuckDB shares one database
        instance between the connections of a process, so each step's ``connect`` attaches to
        the open database instead of loading the catalog again, its buffer cache survives from
        step to step, and closing a step's connection no longer checkpoints (the WAL is
        checkpointed by size as usual, and once at the end), which matters most for a run
        with little new data.

        Off by default: a held connection keeps other processes off the file for the whole
        run, so runs could no longer take turns step by step through the ``duckdb_warehouse``
        pool. ``buying-groups run`` turns it on (it holds the warehouse's lock file for the
        whole run anyway) unless its instance limits that pool, see
        :func:`warehouse_pool_limited`."""
        if not self.hold_run_connection or self.database == ":memory:":
            return  # every ":memory:" connection is a database of its own; nothing to share
        stack = ExitStack()
        Path(self.database).parent.mkdir(parents=True, exist_ok=True)
        # Nothing may run on this connection: a result left half-read keeps its transaction
        # open, and with that transaction open the bulk load of the activities in a later
        # step failed (its NOT NULL restore found NULL timestamps; tests/test_pipeline.py,
        # when this connection was opened through ``connect()`` with its temp-directory
        # lookup read by fetchone). Statements without a result, or a result read to the end,
        # did not do that.
        stack.enter_context(self.get_connection())
        self._run_connection = stack

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        if self._run_connection is not None:
            self._run_connection.close()
            self._run_connection = None

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        Path(self.database).parent.mkdir(parents=True, exist_ok=True)
        with self.get_connection() as con:
            # Timestamps are stored as UTC wall-clock TIMESTAMPs; pin the session zone so a
            # machine in another zone reads the same values.
            con.execute("SET TimeZone = 'UTC'")
            con.execute("SET preserve_insertion_order = false")
            if self.memory_limit:
                con.execute("SET memory_limit = $value", {"value": self.memory_limit})
            if self.database != ":memory:":
                temp_directory = self.temp_directory or f"{self.database}.tmp"
                # Under a held run connection the database stays open, and DuckDB refuses to
                # set the temp directory again once it has spilled there, even to the same path.
                # fetchall: a half-read result would keep a transaction open (see above).
                ((current,),) = con.execute("SELECT current_setting('temp_directory')").fetchall()
                if current != temp_directory:
                    con.execute("SET temp_directory = $value", {"value": temp_directory})
            if self.threads:
                con.execute("SET threads = $value", {"value": self.threads})
            try:
                yield con
            finally:
                # dagster-duckdb closes the connection only when the step succeeds; a failed
                # step's connection would stay open (and keep the file) until collected.
                con.close()


class LandingZoneResource(ConfigurableResource):
    """The landing zone: one folder per drop (`<landing>/<drop>/<entity>.csv`)."""

    path: str

    @property
    def root(self) -> Path:
        return Path(self.path)


class OutputResource(ConfigurableResource):
    """Where Parquet marts, LinkedIn files and the sales hand-off are written."""

    path: str

    @property
    def root(self) -> Path:
        return Path(self.path)


class ProjectConfigResource(ConfigurableResource):
    """The YAML configuration under `config_dir` and the scoring date `as_of`."""

    config_dir: str
    as_of: str | None = None

    def load(self) -> ProjectConfig:
        from buying_groups.config import load_config

        return load_config(Path(self.config_dir))

    def as_of_date(self) -> dt.date:
        return parse_as_of(self.as_of)


def build_resources(settings: Settings, *, hold_run_connection: bool = False) -> dict[str, ConfigurableResource]:
    return {
        "warehouse": WarehouseResource(database=str(settings.warehouse), hold_run_connection=hold_run_connection),
        "landing": LandingZoneResource(path=str(settings.landing_dir)),
        "output": OutputResource(path=str(settings.output_dir)),
        "project_config": ProjectConfigResource(config_dir=str(settings.config_dir), as_of=settings.as_of),
    }
