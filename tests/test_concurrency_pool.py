"""Two runs started together on one DuckDB file through a real Dagster instance whose
``duckdb_warehouse`` pool holds one step at a time: both succeed, and their warehouse steps
never overlap (read off the instance's event log), so neither meets the DuckDB file lock.

The instance is the shipped ``deploy/dagster.yaml`` on a real PostgreSQL server. Dagster's slot
claim is not atomic there either: dagster-postgres runs its event log in autocommit, so the row
lock of ``SELECT ... FOR UPDATE SKIP LOCKED`` ends before the ``UPDATE`` that takes the slot,
and two runs whose *first* pool steps claim the free slot in the same instant can both get it
(seen in CI: both runs' first step overlapped by 0.1 s). The later claims queue (a freed slot is
handed to the waiting step before the freeing run asks again), so only those first steps may
overlap; the second of them then waits on DuckDB's file lock (the resource's open retries with
backoff), which is why both runs still succeed without a lock error."""

import datetime as dt
import itertools
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import dagster as dg
import pytest

from buying_groups.definitions import build_definitions
from buying_groups.resources import WAREHOUSE_POOL
from buying_groups.sample_data import generate_landing
from buying_groups.settings import Settings
from tests.postgres import REPO, deploy_dagster_home

pytestmark = pytest.mark.slow

END = dt.date(2026, 11, 20)

# One run of the whole graph in this process, on the instance in DAGSTER_HOME; it waits for
# the go file so both processes have imported everything and start their runs together.
RUNNER = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    import dagster as dg
    from buying_groups.definitions import build_definitions
    from buying_groups.settings import Settings

    settings = Settings.from_env()
    job = build_definitions(settings).resolve_implicit_global_asset_job_def()
    go = Path(sys.argv[1])
    Path(sys.argv[2]).touch()
    while not go.exists():
        time.sleep(0.02)
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(instance=instance, raise_on_error=False, tags={"runner": sys.argv[3]})
    print("RUN_ID", result.run_id)
    sys.exit(0 if result.success else 1)
    """
)


def pool_step_keys() -> set[str]:
    settings = Settings(landing_dir=Path("."), warehouse=Path("w.duckdb"), output_dir=Path("."), config_dir=Path("."))
    job = build_definitions(settings).resolve_implicit_global_asset_job_def()
    return {node.name for node in job.nodes if node.definition.pool == WAREHOUSE_POOL}


def step_intervals(instance: dg.DagsterInstance, run_id: str, steps: set[str]) -> list[tuple[float, float, str]]:
    starts: dict[str, float] = {}
    intervals = []
    records = instance.all_logs(run_id, of_type={dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS})
    for entry in records:
        if entry.step_key not in steps:
            continue
        if entry.dagster_event.event_type == dg.DagsterEventType.STEP_START:
            starts[entry.step_key] = entry.timestamp
        else:
            intervals.append((starts[entry.step_key], entry.timestamp, f"{run_id[:8]}:{entry.step_key}"))
    return intervals


@pytest.mark.postgres
def test_two_runs_on_one_warehouse_take_turns_in_the_pool(tmp_path, monkeypatch, pg_database):
    landing = tmp_path / "landing"
    generate_landing(out=landing, leads=200, seed=13, drops=2, end_date=END)
    home = tmp_path / "dagster_home"
    for key, value in deploy_dagster_home(home, *pg_database).items():
        monkeypatch.setenv(key, value)  # for this process and, through os.environ, the runners
    # The README's set-up step: it creates Dagster's tables and the pool before any run. Left
    # to the runs, both create the pool's row on their first step at the same instant and
    # Dagster fails one of them on the unique key (seen here under CPU load).
    setup = subprocess.run(
        [Path(sys.executable).parent / "dagster", "instance", "concurrency", "set", WAREHOUSE_POOL, "1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert setup.returncode == 0, setup.stdout + setup.stderr
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        assert instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL).slot_count == 1
    go = tmp_path / "go"
    env = {
        **os.environ,
        "BG_LANDING_DIR": str(landing),
        "BG_WAREHOUSE": str(tmp_path / "warehouse.duckdb"),
        "BG_OUTPUT_DIR": str(tmp_path / "output"),
        "BG_CONFIG_DIR": str(REPO / "config"),
        "BG_AS_OF": END.isoformat(),
    }
    runners = [
        subprocess.Popen(
            [sys.executable, "-c", RUNNER, str(go), str(tmp_path / f"ready-{name}"), name],
            env=env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for name in ("a", "b")
    ]
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"ready-{name}").exists() for name in ("a", "b")):
        assert time.monotonic() < deadline, "runners did not start"
        assert all(r.poll() is None for r in runners), [r.communicate()[0][-2000:] for r in runners]
        time.sleep(0.05)
    go.touch()
    outputs = [runner.communicate(timeout=120)[0] for runner in runners]
    for runner, output in zip(runners, outputs, strict=True):
        assert runner.returncode == 0, output[-4000:]
        assert "Could not set lock" not in output
    run_ids = [line.split()[1] for output in outputs for line in output.splitlines() if line.startswith("RUN_ID")]
    assert len(run_ids) == 2

    steps = pool_step_keys()
    assert len(steps) >= 10  # ingest, 5 validated, 2 audiences, scoring, 3 activation
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert instance.get_concurrency_config().pool_config.default_pool_limit == 1
        intervals = sorted(interval for run_id in run_ids for interval in step_intervals(instance, run_id, steps))
        assert len(intervals) == 2 * len(steps)
        first_steps = {min(i for i in intervals if i[2].startswith(run_id[:8]))[2] for run_id in run_ids}
        for (_, end, first), (start, _, second) in itertools.pairwise(intervals):
            if {first, second} == first_steps:
                continue  # the one claim race Dagster leaves open, see the module docstring
            assert end <= start, f"{first} and {second} held the warehouse at the same time"
        # The runs really competed: at least one step waited for the pool's slot.
        blocked = [
            entry
            for run_id in run_ids
            for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.ENGINE_EVENT)
            if f"blocked by limit for pool {WAREHOUSE_POOL}" in (entry.message or "")
        ]
        assert blocked
