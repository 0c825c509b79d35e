"""Benchmark ``buying-groups run`` against the CSV-read floor (method: docs/performance.md).

For each ``--leads`` size:

1. generate the extracts (two drops: a full load and a ~1 % incremental drop; not timed);
2. **floor**: DuckDB reads every CSV of the full-load drop into a typed table with all columns
   (``CREATE TABLE t AS SELECT * FROM read_csv(file)``, auto-detected types, one fresh file);
   the fastest of two reads, after flushing the freshly written extracts to disk;
3. **cold run**: ``buying-groups run`` end to end as a subprocess on a fresh warehouse and output,
   the incremental drop moved aside; wall time, peak RSS of the process tree, and per-step wall
   time and rows/s read back from the run's Dagster event log (``DAGSTER_HOME`` = a temp dir);
4. **incremental run**: the second drop moved back in, ``buying-groups run`` again on the same
   warehouse and output.

Prints a summary table and a per-step table, and writes a small JSON file under
``bench/results/`` (created when missing; not committed). The extracts are read from the OS
page cache in every measurement (they were just written), so the floor and the pipeline are
compared on equal terms.

    python bench/run.py --leads 1000000
    python bench/run.py --leads 100000 1000000 --workdir /tmp/bench --keep
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

REPO = Path(__file__).resolve().parents[1]
RESULTS_DIR = Path(__file__).resolve().parent / "results"
BIN = Path(sys.executable).parent
SAMPLE_SECONDS = 0.1
FLOOR_REPEATS = 2
_RUN_ID = re.compile(r"run id ([0-9a-f-]{36})")


# --------------------------------------------------------------------------- measurements


@dataclass
class StepTiming:
    step: str
    seconds: float
    rows: int | None
    rows_per_second: float | None


@dataclass
class RunMeasurement:
    seconds: float
    peak_rss_bytes: int
    peak_rss_method: str
    exit_code: int
    run_id: str | None
    steps: list[StepTiming] = field(default_factory=list)


@dataclass
class SizeResult:
    leads: int
    input_rows: dict[str, int]
    input_bytes: int
    floor_seconds: float
    full: RunMeasurement
    incremental: RunMeasurement

    @property
    def ratio(self) -> float:
        return self.full.seconds / self.floor_seconds

    @property
    def incremental_share(self) -> float:
        return self.incremental.seconds / self.full.seconds


def _tree_rss_bytes(root: int) -> int:
    """Sum of VmRSS over ``root`` and all its descendants (read from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                # "pid (comm) state ppid ...": comm may hold spaces, so split after the ')'.
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        pending.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
        except OSError:
            continue
    return total


def run_pipeline(args: list[str], env: dict[str, str], log_path: Path) -> RunMeasurement:
    """Run ``buying-groups run`` as a subprocess; sample the tree's RSS every 100 ms."""
    peak = 0
    started = time.perf_counter()
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.wait(SAMPLE_SECONDS):
                peak = max(peak, _tree_rss_bytes(process.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        exit_code = process.wait()
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
    # ru_maxrss (KiB on Linux) is the largest single descendant's peak; the run is in-process,
    # so it should match the sampled tree peak and also catches a spike between two samples.
    rusage_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    output = log_path.read_text(encoding="utf-8", errors="replace")
    match = _RUN_ID.search(output)
    method = "max(/proc VmRSS sum over the process tree every 100 ms, getrusage(RUSAGE_CHILDREN).ru_maxrss)"
    return RunMeasurement(
        seconds=seconds,
        peak_rss_bytes=max(peak, rusage_peak),
        peak_rss_method=method,
        exit_code=exit_code,
        run_id=match.group(1) if match else None,
    )


def step_timings(dagster_home: Path, run_id: str) -> list[StepTiming]:
    """Wall time per step (STEP_START -> STEP_SUCCESS/FAILURE) and the materialised rows."""
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    from dagster import DagsterEventType, DagsterInstance

    instance = DagsterInstance.get()
    try:
        starts: dict[str, float] = {}
        ends: dict[str, float] = {}
        rows: dict[str, int] = {}
        for entry in instance.all_logs(run_id):
            event = entry.dagster_event
            if event is None or event.step_key is None:
                continue
            if event.event_type == DagsterEventType.STEP_START:
                starts[event.step_key] = entry.timestamp
            elif event.event_type in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE):
                ends[event.step_key] = entry.timestamp
            elif event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
                count = event.step_materialization_data.materialization.metadata.get("dagster/row_count")
                if count is not None:
                    rows[event.step_key] = rows.get(event.step_key, 0) + int(count.value)
    finally:
        instance.dispose()
    timings = []
    for step, start in sorted(starts.items(), key=lambda item: item[1]):
        seconds = ends.get(step, start) - start
        count = rows.get(step)
        rate = count / seconds if count is not None and seconds > 0 else None
        timings.append(StepTiming(step, seconds, count, rate))
    return timings


def measure_floor(drop: Path, database: Path) -> tuple[float, dict[str, int]]:
    """DuckDB reading every CSV of ``drop`` into typed tables: the time no pipeline can beat."""
    database.unlink(missing_ok=True)
    files = sorted(drop.glob("*.csv"))
    rows: dict[str, int] = {}
    con = duckdb.connect(str(database))
    con.execute("SET enable_progress_bar = false")
    try:
        started = time.perf_counter()
        for path in files:
            con.execute(f'CREATE TABLE "{path.stem}" AS SELECT * FROM read_csv(?)', [str(path)])
        con.execute("CHECKPOINT")
        seconds = time.perf_counter() - started
        for path in files:
            (rows[path.stem],) = con.execute(f'SELECT count(*) FROM "{path.stem}"').fetchone()  # type: ignore[misc]
    finally:
        con.close()
        database.unlink(missing_ok=True)
    return seconds, rows


# --------------------------------------------------------------------------- one size


def generate(landing: Path, leads: int, seed: int, end_date: str) -> None:
    """Generate the extracts unless ``landing`` already holds these (``--workdir`` reuse)."""
    marker = landing.parent / "landing.json"
    wanted = {"leads": leads, "seed": seed, "end_date": end_date, "drops": 2}
    if marker.is_file() and json.loads(marker.read_text()) == wanted and landing.is_dir():
        print(f"  reusing extracts in {landing}")
        return
    shutil.rmtree(landing, ignore_errors=True)
    command = [
        str(BIN / "buying-groups"),
        "generate",
        "--out",
        str(landing),
        "--leads",
        str(leads),
        "--seed",
        str(seed),
        "--drops",
        "2",
        "--end-date",
        end_date,
    ]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    marker.write_text(json.dumps(wanted))


def bench_size(leads: int, workdir: Path, options: argparse.Namespace) -> SizeResult:
    base = workdir / str(leads)
    landing, held = base / "landing", base / "held"
    base.mkdir(parents=True, exist_ok=True)
    print(f"[{leads:,} leads] generating extracts under {landing} (not timed)")
    # A previous interrupted run may have left the incremental drop aside.
    for drop in held.glob("*") if held.is_dir() else []:
        drop.rename(landing / drop.name)
    generate(landing, leads, options.seed, options.end_date)
    full_drop, incremental_drop = sorted(p for p in landing.iterdir() if p.is_dir())[:2]
    input_bytes = sum(p.stat().st_size for p in full_drop.glob("*.csv"))

    print(f"[{leads:,} leads] floor: read_csv of {full_drop.name} into DuckDB (best of {FLOOR_REPEATS})")
    # Written-back pages of the freshly generated extracts would slow the first read down and
    # flatter the ratio: flush them first and keep the fastest of a few reads.
    os.sync()
    floors = [measure_floor(full_drop, base / "floor.duckdb") for _ in range(FLOOR_REPEATS)]
    floor_seconds, input_rows = min(floors, key=lambda floor: floor[0])
    print(f"  floor {floor_seconds:.1f}s, rows {input_rows}")

    warehouse, output, dagster_home = base / "warehouse.duckdb", base / "output", base / "dagster_home"
    for path in (warehouse, Path(f"{warehouse}.wal")):
        path.unlink(missing_ok=True)
    for path in (output, dagster_home, base / "warehouse.tmp"):
        shutil.rmtree(path, ignore_errors=True)
    dagster_home.mkdir()
    env = {**os.environ, "DAGSTER_HOME": str(dagster_home)}
    command = [
        str(BIN / "buying-groups"),
        "run",
        "--landing",
        str(landing),
        "--warehouse",
        str(warehouse),
        "--output",
        str(output),
        "--config",
        str(options.config),
        "--as-of",
        options.as_of or options.end_date,
    ]

    held.mkdir(exist_ok=True)
    incremental_drop.rename(held / incremental_drop.name)
    try:
        print(f"[{leads:,} leads] cold run (full load {full_drop.name})")
        os.sync()
        full = run_pipeline(command, env, base / "full_run.log")
    finally:
        (held / incremental_drop.name).rename(incremental_drop)
    _require_success(full, base / "full_run.log")
    full.steps = step_timings(dagster_home, full.run_id or "")
    print(f"  full {full.seconds:.1f}s, peak RSS {full.peak_rss_bytes / 1e9:.2f} GB")

    print(f"[{leads:,} leads] incremental run (drop {incremental_drop.name})")
    incremental = run_pipeline(command, env, base / "incremental_run.log")
    _require_success(incremental, base / "incremental_run.log")
    incremental.steps = step_timings(dagster_home, incremental.run_id or "")
    print(f"  incremental {incremental.seconds:.1f}s, peak RSS {incremental.peak_rss_bytes / 1e9:.2f} GB")
    return SizeResult(leads, input_rows, input_bytes, floor_seconds, full, incremental)


def _require_success(measurement: RunMeasurement, log: Path) -> None:
    if measurement.exit_code != 0 or measurement.run_id is None:
        tail = "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-30:])
        raise SystemExit(f"buying-groups run failed (exit {measurement.exit_code}); log {log}:\n{tail}")


# --------------------------------------------------------------------------- reporting


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    lines = [
        "| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |",
        "|" + "|".join("-" * (w + 2) for w in widths) + "|",
    ]
    lines += ["| " + " | ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows]
    return "\n".join(lines)


def summary_table(results: list[SizeResult]) -> str:
    header = [
        "leads",
        "activities",
        "floor s",
        "pipeline s",
        "pipeline/floor",
        "peak RSS GB",
        "incremental s",
        "incremental/full %",
    ]
    rows = [
        [
            f"{r.leads:,}",
            f"{r.input_rows.get('activities', 0):,}",
            f"{r.floor_seconds:.1f}",
            f"{r.full.seconds:.1f}",
            f"{r.ratio:.2f}x",
            f"{max(r.full.peak_rss_bytes, r.incremental.peak_rss_bytes) / 1e9:.2f}",
            f"{r.incremental.seconds:.1f}",
            f"{100 * r.incremental_share:.1f}",
        ]
        for r in results
    ]
    return _table(header, rows)


def steps_table(result: SizeResult) -> str:
    incremental = {s.step: s for s in result.incremental.steps}
    rows = []
    for step in result.full.steps:
        again = incremental.get(step.step)
        rows.append(
            [
                step.step,
                f"{step.seconds:.2f}",
                f"{step.rows:,}" if step.rows is not None else "",
                f"{step.rows_per_second:,.0f}" if step.rows_per_second else "",
                f"{again.seconds:.2f}" if again else "",
            ]
        )
    return _table(["step", "full s", "rows", "rows/s", "incremental s"], rows)


def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {
        "cpu": model or platform.processor(),
        "cores": os.cpu_count(),
        "memory_gb": round(memory / 2**30, 1),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
    }


def write_json(result: SizeResult, info: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"{stamp}-{result.leads}.json"
    payload = {
        "machine": info,
        "leads": result.leads,
        "input_rows": result.input_rows,
        "input_bytes": result.input_bytes,
        "floor_seconds": round(result.floor_seconds, 2),
        "pipeline_seconds": round(result.full.seconds, 2),
        "ratio_pipeline_to_floor": round(result.ratio, 3),
        "incremental_seconds": round(result.incremental.seconds, 2),
        "incremental_share_of_full": round(result.incremental_share, 4),
        "full": _rounded(asdict(result.full)),
        "incremental": _rounded(asdict(result.incremental)),
    }
    path.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    return path


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, nargs="+", default=[1_000_000], help="sizes to run (leads)")
    parser.add_argument("--workdir", type=Path, help="where extracts and warehouses go (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the work dir (extracts are reused next time)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--end-date", default="2025-06-30", help="date of the incremental drop")
    parser.add_argument("--as-of", help="scoring date of both runs (default --end-date)")
    parser.add_argument("--config", type=Path, default=REPO / "config")
    options = parser.parse_args(argv)

    workdir = options.workdir or Path(tempfile.mkdtemp(prefix="bg-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    info = machine()
    results: list[SizeResult] = []
    try:
        for leads in options.leads:
            result = bench_size(leads, workdir, options)
            results.append(result)
            print(f"  wrote {write_json(result, info).relative_to(REPO)}")
    finally:
        if not options.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print()
    print(f"machine: {info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB RAM, duckdb {info['duckdb']}")
    print(summary_table(results))
    for result in results:
        print()
        print(f"steps at {result.leads:,} leads (full load, then the incremental drop):")
        print(steps_table(result))
    print()
    print(f"peak RSS method: {results[0].full.peak_rss_method}" if results else "no results")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
