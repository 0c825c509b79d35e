"""Crash safety: ``kill -9`` a ``buying-groups run`` at several points, run it again, and the
warehouse and the files equal those of an uninterrupted run.

The kill points are found from Dagster's own event log (``STEP_START`` lines at DEBUG level),
so no test hook is compiled into the product. A short delay after the step starts lands the
kill inside the step's work (ingest transaction, scoring transaction, file writing).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import pytest

from buying_groups.sample_data import generate_landing
from tests.conftest import run_command

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 11, 20)
# Wall-clock columns: the only ones allowed to differ between two runs over the same inputs.
WALL_CLOCK = {"rejected_at", "ingested_at", "discovered_at"}


def run_args(landing: Path, root: Path) -> list[str]:
    return run_command(landing, root / "warehouse.duckdb", root / "output", "--log-level", "DEBUG",
                       as_of=AS_OF.isoformat())  # fmt: skip


ENV = {**os.environ, "DAGSTER_HOME": "", "PYTHONUNBUFFERED": "1"}


def run_and_kill_at(args: list[str], step: str, delay: float) -> str:
    """Start the run, SIGKILL it ``delay`` seconds after ``step`` starts; return its log."""
    marker = re.compile(rf" - {re.escape(step)} - STEP_START - ")
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=REPO, env=ENV)
    assert process.stdout is not None
    log = []
    for line in process.stdout:
        log.append(line)
        if marker.search(line):
            time.sleep(delay)
            process.send_signal(signal.SIGKILL)
            break
    log.append(process.communicate(timeout=120)[0])
    text = "".join(log)
    assert process.returncode == -signal.SIGKILL, f"run ended before the kill at {step}:\n{text[-3000:]}"
    return text


def warehouse_content(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables "
            "WHERE table_schema IN ('b2b', 'marts', 'meta') ORDER BY 1"
        ).fetchall()
        content = {}
        for (table,) in tables:
            columns = [row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()]
            kept = ", ".join(f'"{c}"' for c in columns if c not in WALL_CLOCK)
            content[table] = con.execute(f"SELECT {kept} FROM {table} ORDER BY ALL").fetchall()
        return content


def output_files(root: Path) -> dict[str, object]:
    """Every output file by relative path: bytes for CSV, rows for Parquet, the manifest
    without its generation time."""
    files: dict[str, object] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        name = str(path.relative_to(root))
        if path.suffix == ".parquet":
            with duckdb.connect() as con:
                files[name] = con.execute("SELECT * FROM read_parquet($p) ORDER BY ALL", {"p": str(path)}).fetchall()
        elif path.name == "manifest.json":
            manifest = json.loads(path.read_text())
            manifest.pop("generated_at", None)
            files[name] = manifest
        else:
            files[name] = path.read_bytes()
    return files


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("crash") / "landing"
    generate_landing(out=root, leads=2000, seed=3, drops=2, end_date=AS_OF)
    return root


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, landing: Path) -> tuple[dict, dict]:
    root = tmp_path_factory.mktemp("reference")
    done = subprocess.run(run_args(landing, root), capture_output=True, text=True, cwd=REPO, env=ENV, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:]
    return warehouse_content(root / "warehouse.duckdb"), output_files(root / "output")


@pytest.mark.parametrize(
    ("step", "delay"),
    [
        pytest.param("landing__drops", 0.0, id="registering-drops"),
        pytest.param("b2b__experience_events", 0.05, id="ingesting-activities"),
        pytest.param("score_buying_groups", 0.05, id="scoring"),
        pytest.param("activation__linkedin_audiences", 0.02, id="writing-linkedin-files"),
        pytest.param("activation__marts_parquet", 0.02, id="writing-parquet"),
    ],
)
def test_killed_run_then_rerun_equals_an_uninterrupted_run(tmp_path, landing, reference, step, delay):
    expected_warehouse, expected_files = reference
    run_and_kill_at(run_args(landing, tmp_path), step, delay)

    # Right after the crash: a file under its final name is never a half file.
    output = tmp_path / "output"
    if output.exists():
        for name, data in output_files(output).items():
            if Path(name).suffix == ".tmp" or Path(name).name.startswith("."):
                continue  # a temp file left by the kill: never read, swept by the next run
            assert data == expected_files[name], f"{name} under its final name differs after the crash"

    rerun = subprocess.run(run_args(landing, tmp_path), capture_output=True, text=True, cwd=REPO, env=ENV, timeout=300)
    assert rerun.returncode == 0, rerun.stdout[-3000:]

    actual = warehouse_content(tmp_path / "warehouse.duckdb")
    assert actual.keys() == expected_warehouse.keys()
    for table, rows in expected_warehouse.items():
        if table == "meta.landing_files":  # absolute paths differ by design only in the tmp dir name
            continue
        assert actual[table] == rows, f"{table} differs from the uninterrupted run"
    ledger = {(row[0], row[1], row[6], row[8]) for row in actual["meta.landing_files"]}  # drop, file, sha, status
    assert ledger == {(row[0], row[1], row[6], row[8]) for row in expected_warehouse["meta.landing_files"]}
    assert {status for *_, status in ledger} == {"ingested"}  # no drop lost, none left pending

    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) - count(DISTINCT event_id) FROM b2b.experience_events").fetchone() == (0,)
    files = output_files(output)
    assert [name for name in files if name.endswith(".tmp") or Path(name).name.startswith(".")] == []
    assert files == expected_files
