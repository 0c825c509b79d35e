"""Two ``buying-groups`` processes on one warehouse: the second waits (or gives up cleanly with
exit 3 after ``--lock-timeout``); the warehouse is never corrupt. Plus ``buying-groups replay``."""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import subprocess
import threading
import time
from pathlib import Path

import duckdb
import pytest

from buying_groups.cli import WarehouseLockTimeout, lock_path_for, main, warehouse_lock
from buying_groups.ingest import register_landing_files
from buying_groups.model import ENTITIES
from buying_groups.sample_data import generate_landing
from buying_groups.validated import load_entity
from tests.conftest import LEAD_HEADER, MUNCHKIN, lead, run_command, write_csv

REPO = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-20"


def run_args(landing: Path, warehouse: Path, output: Path, *extra: str) -> list[str]:
    return run_command(landing, warehouse, output, *extra)


def spawn(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as handle:
        return subprocess.Popen(
            args, stdout=handle, stderr=subprocess.STDOUT, cwd=REPO, env={**os.environ, "DAGSTER_HOME": ""}
        )


def wait_for(predicate, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def lock_holder(warehouse: Path) -> str:
    path = lock_path_for(warehouse)
    return path.read_text().strip() if path.exists() else ""


def content(warehouse: Path) -> dict[str, list[tuple[object, ...]]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables "
            "WHERE table_schema IN ('b2b', 'marts') ORDER BY 1"
        ).fetchall()
        return {
            table: con.execute(f"SELECT * EXCLUDE (rejected_at) FROM {table} ORDER BY ALL").fetchall()
            if table == "b2b.rejected_rows"
            else con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
            for (table,) in tables
        }


# --- the lock itself, in-process ------------------------------------------------------------


def test_lock_is_exclusive_and_times_out_with_the_holder_pid(tmp_path, capsys):
    warehouse = tmp_path / "w.duckdb"
    with warehouse_lock(warehouse, timeout=1):
        assert lock_holder(warehouse) == str(os.getpid())
        started = time.monotonic()
        with (
            pytest.raises(WarehouseLockTimeout, match=rf"pid {os.getpid()}\) still holds .*after 0.3s"),
            warehouse_lock(warehouse, timeout=0.3),
        ):
            pass  # pragma: no cover
        assert 0.3 <= time.monotonic() - started < 3
    assert f"waiting for another buying-groups run on {warehouse} (pid {os.getpid()})" in capsys.readouterr().err
    with warehouse_lock(warehouse, timeout=0):  # released on exit
        pass


def test_second_holder_waits_until_the_first_releases(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    order: list[str] = []
    first_in = threading.Event()

    def first() -> None:
        with warehouse_lock(warehouse):
            first_in.set()
            time.sleep(0.5)
            order.append("first done")

    thread = threading.Thread(target=first)
    thread.start()
    first_in.wait(5)
    with warehouse_lock(warehouse, timeout=10):
        order.append("second in")
    thread.join()
    assert order == ["first done", "second in"]


# --- two real processes ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    landing = tmp_path_factory.mktemp("concurrency") / "landing"
    generate_landing(out=landing, leads=400, seed=5, drops=2, end_date=dt.date(2026, 11, 20))
    return landing


@pytest.mark.slow
def test_two_runs_at_once_second_waits_and_both_succeed(tmp_path, generated):
    warehouse = tmp_path / "wh" / "warehouse.duckdb"
    first = spawn(run_args(generated, warehouse, tmp_path / "out"), tmp_path / "first.log")
    # The first run holds the lock once its pid is in the lock file.
    wait_for(lambda: lock_holder(warehouse) == str(first.pid) or first.poll() is not None)
    assert first.poll() is None, (tmp_path / "first.log").read_text()[-2000:]
    second = spawn(run_args(generated, warehouse, tmp_path / "out"), tmp_path / "second.log")
    assert first.wait(300) == 0, (tmp_path / "first.log").read_text()[-3000:]
    assert second.wait(300) == 0, (tmp_path / "second.log").read_text()[-3000:]
    second_log = (tmp_path / "second.log").read_text()
    assert f"waiting for another buying-groups run on {warehouse} (pid {first.pid})" in second_log
    assert "run succeeded" in second_log

    # The warehouse is whole, and the second run (nothing new to ingest, same as_of) changed
    # nothing the first wrote: equal to one clean run.
    reference = tmp_path / "ref" / "warehouse.duckdb"
    alone = subprocess.run(
        run_args(generated, reference, tmp_path / "ref-out"), capture_output=True, cwd=REPO, timeout=300
    )
    assert alone.returncode == 0
    assert content(warehouse) == content(reference)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        ledger = con.execute('SELECT count(*), count(DISTINCT ("drop", source_file)) FROM meta.landing_files')
        delivered = len(list(generated.rglob("*.csv")))
        assert ledger.fetchone() == (delivered, delivered)


@pytest.mark.slow
def test_second_run_gives_up_after_lock_timeout_with_exit_3(tmp_path, generated):
    warehouse = tmp_path / "warehouse.duckdb"
    lock = lock_path_for(warehouse)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, b"4242\n")
        done = subprocess.run(
            run_args(generated, warehouse, tmp_path / "out", "--lock-timeout", "1"),
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=120,
        )
    finally:
        os.close(fd)
    assert done.returncode == 3, done.stderr[-2000:]
    assert f"waiting for another buying-groups run on {warehouse} (pid 4242)" in done.stderr
    error = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert error == [
        f"error: another buying-groups run (pid 4242) still holds {lock} after 1s; nothing was done. "
        "Wait for it, or raise --lock-timeout"
    ]
    assert not warehouse.exists()  # nothing was touched


# --- replay ---------------------------------------------------------------------------------


def ingest(warehouse: Path, landing: Path) -> None:
    with duckdb.connect(str(warehouse)) as con:
        con.execute("SET TimeZone = 'UTC'")
        register_landing_files(con, landing)
        for spec in ENTITIES:
            load_entity(con, spec, MUNCHKIN, 0.99)


def test_replay_forgets_a_drop_and_the_next_ingest_reads_it_again_idempotently(tmp_path, capsys):
    landing, warehouse = tmp_path / "landing", tmp_path / "w.duckdb"
    write_csv(landing / "2026-11-01" / "leads.csv", LEAD_HEADER, [lead(1), lead(2, email="bad@")])
    write_csv(landing / "2026-11-02" / "leads.csv", LEAD_HEADER, [lead(3)])
    ingest(warehouse, landing)
    before = content(warehouse)

    assert main(["replay", "--drop", "2026-11-01", "--warehouse", str(warehouse)]) == 0
    assert "2026-11-01/leads.csv (ingested) will be read again" in capsys.readouterr().out
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute('SELECT "drop" FROM meta.landing_files').fetchall() == [("2026-11-02",)]

    ingest(warehouse, landing)
    assert content(warehouse) == before  # same rows, quarantine rows replaced not duplicated
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM meta.landing_files WHERE status = 'ingested'").fetchone() == (2,)


def test_replay_of_an_unknown_drop_is_a_clear_error(tmp_path, capsys):
    landing, warehouse = tmp_path / "landing", tmp_path / "w.duckdb"
    write_csv(landing / "2026-11-01" / "leads.csv", LEAD_HEADER, [lead(1)])
    ingest(warehouse, landing)
    assert main(["replay", "--drop", "2026-12-24", "--warehouse", str(warehouse)]) == 2
    assert "drop(s) 2026-12-24 not in the ledger meta.landing_files; known drops: 2026-11-01" in capsys.readouterr().err
    assert main(["replay", "--drop", "x", "--warehouse", str(tmp_path / "missing.duckdb")]) == 2
