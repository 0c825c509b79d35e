"""Benchmark ``buying-groups run`` against the CSV-read floors, paired (method: docs/performance.md).

For each ``--leads`` size and each ``--profile`` of the generator:

1. generate the extracts (two drops: a full load and a ~1 % incremental drop; not timed);
2. run *pairs*, after one warm-up pair that is reported but not counted (``--no-warm-up``: the
   first pair counts, for a size where one pair takes half an hour). A pair is, in turn:
   - **floor in memory**: DuckDB reads every CSV of the full-load drop into typed tables of an
     in-memory database (``bench/floor.py``, a child process); ``--no-memory-floor`` skips it
     where those tables do not fit in RAM (~2.7 GB per 1M leads), and the table says "not run";
   - **floor into a file**: the same into a fresh database file, then a checkpoint (what a
     pipeline that persists its tables cannot beat);
   - **cold run**: ``buying-groups run`` end to end on a fresh warehouse, output and Dagster
     instance, the incremental drop moved aside;
   - **incremental run** (counted pairs only): the second drop moved back in, ``buying-groups
     run`` again on the same warehouse;
   - **explain and diff** (counted pairs only) on that warehouse (``bench/explain_diff.py``).
   Wall time of each and peak memory (RSS of the child's process tree), and per step of the
   runs, wall time and rows/s from the run's Dagster event log.
3. report medians and spread (min-max) of each, the ratios of the medians (pipeline to each
   floor, incremental to full), the median seconds and share of the run of each stage (asset
   group, its checks included), explain and diff against the scoring steps they re-do, and
   the median per-step times.

Running the floor and the pipeline in turn, several times, is what makes the ratio mean
something on a shared or noisy machine: a slow minute hits both sides of a pair. Prints one
Markdown table (a row per size and profile), the stage, explain/diff and per-step tables, and writes the samples
to ``bench/results/<timestamp>.json`` (created when missing; not committed).

    python bench/run.py --leads 1000000
    python bench/run.py --leads 1000000 --profile plain --pairs 5
    python bench/run.py --leads 20000 --pairs 1 --workdir /tmp/bench --keep
    python bench/run.py --leads 10000000 --profile realistic --pairs 1 --no-warm-up --no-memory-floor
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from buying_groups.assets.keys import GROUPS
from buying_groups.sample_data.profiles import PROFILES

REPO = Path(__file__).resolve().parents[1]
RESULTS_DIR = Path(__file__).resolve().parent / "results"
FLOOR_SCRIPT = Path(__file__).resolve().parent / "floor.py"
EXPLAIN_DIFF_SCRIPT = Path(__file__).resolve().parent / "explain_diff.py"
BIN = Path(sys.executable).parent
SAMPLE_SECONDS = 0.1
PEAK_RSS_METHOD = (
    "max(sum of /proc VmRSS over the child's process tree every 100 ms, ru_maxrss of the child from wait4)"
)
_RUN_ID = re.compile(r"run id ([0-9a-f-]{36})")


# --------------------------------------------------------------------------- measurements


@dataclass
class StepTiming:
    step: str
    seconds: float
    rows: int | None


@dataclass
class Measurement:
    """One timed child process: a floor read or a pipeline run."""

    seconds: float
    peak_rss_bytes: int
    wall_seconds: float  # the child's whole life; for a floor, ``seconds`` is its reads only
    run_id: str | None = None
    steps: list[StepTiming] = field(default_factory=list)


@dataclass
class Pair:
    """One round: both floors, then the cold run (and, counted pairs only, the incremental run)."""

    warm_up: bool
    memory_floor: Measurement | None  # None under --no-memory-floor (it would not fit in RAM)
    file_floor: Measurement
    full: Measurement
    incremental: Measurement | None
    explain_diff: dict[str, Any] | None = None  # bench/explain_diff.py's report, counted pairs


@dataclass
class Spread:
    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: list[float]) -> Spread:
        return cls(statistics.median(values), min(values), max(values))

    def text(self, digits: int = 1) -> str:
        return f"{self.median:.{digits}f} ({self.low:.{digits}f}-{self.high:.{digits}f})"


@dataclass
class ProfileResult:
    """Every pair measured for one size and profile."""

    leads: int
    profile: str
    input_rows: dict[str, int]
    input_bytes: int
    floor_types: dict[str, dict[str, str]]
    pairs: list[Pair] = field(default_factory=list)

    @property
    def counted(self) -> list[Pair]:
        return [pair for pair in self.pairs if not pair.warm_up]

    @property
    def memory_floor_ran(self) -> bool:
        """False under ``--no-memory-floor``: that floor runs in every pair or in none."""
        return all(pair.memory_floor is not None for pair in self.pairs)

    def spread(self, pick: Callable[[Pair], Measurement | None]) -> Spread:
        return Spread.of([m.seconds for m in map(pick, self.counted) if m is not None])

    def peak_bytes(self, pick: Callable[[Pair], Measurement | None]) -> int:
        return max((m.peak_rss_bytes for m in map(pick, self.counted) if m is not None), default=0)

    def summary(self) -> dict[str, Any]:
        """Spreads, ratios of the medians and peaks; the in-memory floor's are None when it did
        not run (a number there would read as a measurement)."""
        memory_floor = self.spread(lambda p: p.memory_floor) if self.memory_floor_ran else None
        file_floor = self.spread(lambda p: p.file_floor)
        full = self.spread(lambda p: p.full)
        incremental = self.spread(lambda p: p.incremental)
        return {
            "pairs": len(self.counted),
            "memory_floor_seconds": asdict(memory_floor) if memory_floor is not None else None,
            "file_floor_seconds": asdict(file_floor),
            "pipeline_seconds": asdict(full),
            "incremental_seconds": asdict(incremental),
            "pipeline_to_memory_floor": full.median / memory_floor.median if memory_floor is not None else None,
            "pipeline_to_file_floor": full.median / file_floor.median,
            "incremental_to_full": incremental.median / full.median,
            "peak_rss_bytes": {
                "memory_floor": self.peak_bytes(lambda p: p.memory_floor) if memory_floor is not None else None,
                "file_floor": self.peak_bytes(lambda p: p.file_floor),
                "pipeline": self.peak_bytes(lambda p: p.full),
                "incremental": self.peak_bytes(lambda p: p.incremental),
            },
        }


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


def measure_process(args: list[str], env: dict[str, str], log_path: Path) -> tuple[float, int, str]:
    """Run ``args`` to the end, output to ``log_path``; sample the tree's RSS every 100 ms.

    Returns wall seconds, peak RSS and the output. A failing child stops the bench with the
    tail of its output."""
    peak = 0
    with log_path.open("w", encoding="utf-8") as log:
        started = time.perf_counter()
        process = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.wait(SAMPLE_SECONDS):
                peak = max(peak, _tree_rss_bytes(process.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        # wait4 rather than wait(): its ru_maxrss is this child's (catching a spike between two
        # samples), where getrusage(RUSAGE_CHILDREN) keeps the largest child of the whole bench.
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    output = log_path.read_text(encoding="utf-8", errors="replace")
    if process.returncode != 0:
        tail = "\n".join(output.splitlines()[-30:])
        raise SystemExit(f"{' '.join(args[:3])} ... failed (exit {process.returncode}); log {log_path}:\n{tail}")
    return seconds, max(peak, usage.ru_maxrss * 1024), output


def measure_floor(drop: Path, database: Path | None, log_path: Path) -> tuple[Measurement, dict[str, Any]]:
    """The floor as a child process (bench/floor.py): its own timing of the reads, its peak RSS."""
    args = [sys.executable, str(FLOOR_SCRIPT), str(drop)]
    if database is not None:
        args += ["--database", str(database)]
    os.sync()
    wall, peak, output = measure_process(args, dict(os.environ), log_path)
    report = json.loads(output.strip().splitlines()[-1])
    return Measurement(seconds=report["seconds"], peak_rss_bytes=peak, wall_seconds=wall), report["tables"]


def measure_run(command: list[str], dagster_home: Path, log_path: Path) -> Measurement:
    """``buying-groups run`` as a child process, with its steps read back from the event log."""
    os.sync()
    seconds, peak, output = measure_process(command, {**os.environ, "DAGSTER_HOME": str(dagster_home)}, log_path)
    match = _RUN_ID.search(output)
    if match is None:
        raise SystemExit(f"no run id in {log_path}")
    run_id = match.group(1)
    return Measurement(seconds, peak, seconds, run_id, step_timings(dagster_home, run_id))


def measure_explain_diff(space: Workspace, pair: int, config: Path, log_path: Path) -> dict[str, Any]:
    """``explain`` and ``diff`` on the warehouse the pair's runs just left (bench/explain_diff.py)."""
    args = [sys.executable, str(EXPLAIN_DIFF_SCRIPT), "--warehouse", str(space.warehouse)]
    args += ["--output", str(space.output(pair)), "--config", str(config)]
    _, peak, output = measure_process(args, dict(os.environ), log_path)
    return {**json.loads(output.strip().splitlines()[-1]), "peak_rss_bytes": peak}


def step_groups() -> dict[str, str]:
    """The asset group of every step of the daily job, by step key."""
    from buying_groups.definitions import build_definitions
    from buying_groups.settings import Settings

    here = Path(".")
    settings = Settings(landing_dir=here, warehouse=here / "w.duckdb", output_dir=here, config_dir=here)
    definitions = build_definitions(settings)
    group_of_asset = {spec.key: spec.group_name or "default" for spec in definitions.resolve_all_asset_specs()}
    groups = {}
    for assets in definitions.get_repository_def().assets_defs_by_key.values():
        if assets.is_executable:
            groups[assets.node_def.name] = group_of_asset[next(iter(assets.keys))]
    for checks in definitions.asset_checks or []:  # a check step counts with the asset it checks
        groups[checks.node_def.name] = group_of_asset[next(iter(checks.check_keys)).asset_key]
    return groups


def step_timings(dagster_home: Path, run_id: str) -> list[StepTiming]:
    """Wall time per step (STEP_START -> STEP_SUCCESS/FAILURE) and the materialised rows."""
    from dagster import DagsterEventType, DagsterInstance

    instance = DagsterInstance.from_config(str(dagster_home))
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
    return [
        StepTiming(step, ends.get(step, start) - start, rows.get(step))
        for step, start in sorted(starts.items(), key=lambda item: item[1])
    ]


# --------------------------------------------------------------------------- one size and profile


def generate(landing: Path, leads: int, profile: str, seed: int, end_date: str) -> None:
    """Generate the extracts unless ``landing`` already holds these (``--workdir`` reuse)."""
    marker = landing.parent / "landing.json"
    wanted = {"leads": leads, "profile": profile, "seed": seed, "end_date": end_date, "drops": 2}
    if marker.is_file() and json.loads(marker.read_text()) == wanted and landing.is_dir():
        print(f"  reusing extracts in {landing}")
        return
    shutil.rmtree(landing, ignore_errors=True)
    command = [str(BIN / "buying-groups"), "generate", "--out", str(landing), "--leads", str(leads)]
    command += ["--seed", str(seed), "--drops", "2", "--end-date", end_date, "--profile", profile]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    marker.write_text(json.dumps(wanted))


class Workspace:
    """The folders of one size and profile: extracts, the held-aside drop, warehouse, logs,
    and one output folder per pair."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.landing = base / "landing"
        self.held = base / "held"
        self.logs = base / "logs"
        self.warehouse = base / "warehouse.duckdb"
        self.outputs = base / "outputs"
        self.dagster_home = base / "dagster_home"
        self.floor_database = base / "floor.duckdb"

    def prepare(self) -> None:
        self.base.mkdir(parents=True, exist_ok=True)
        self.logs.mkdir(exist_ok=True)
        # A previous interrupted bench may have left the incremental drop aside, and outputs.
        for drop in self.held.glob("*") if self.held.is_dir() else []:
            drop.rename(self.landing / drop.name)
        self.remove_outputs()

    def output(self, pair: int) -> Path:
        """The output folder of one pair's runs. Each pair writes into a new folder and none is
        deleted until the last pair is done: deleting a run's ~15,000 files (the sales alerts
        at 1M leads) just before the next cold run slowed that run's file writes on our VM for
        minutes (the journeys step 6.5-7.1 s after such a deletion, 4.7 s without), which a
        scheduled daily run, writing a new day's folder, does not meet."""
        return self.outputs / f"pair-{pair}"

    def remove_outputs(self) -> None:
        for path in (self.outputs, self.base / "output"):  # `output`: the single folder of older benches
            shutil.rmtree(path, ignore_errors=True)

    def drops(self) -> tuple[Path, Path]:
        full, incremental = sorted(p for p in self.landing.iterdir() if p.is_dir())[:2]
        return full, incremental

    def reset_run(self) -> None:
        """A fresh warehouse and Dagster instance: the next run is cold (its output folder is
        new too, see :meth:`output`)."""
        for path in (self.warehouse, Path(f"{self.warehouse}.wal")):
            path.unlink(missing_ok=True)
        for path in (self.dagster_home, self.base / "warehouse.tmp"):
            shutil.rmtree(path, ignore_errors=True)
        self.dagster_home.mkdir()


def bench_profile(leads: int, profile: str, workdir: Path, options: argparse.Namespace) -> ProfileResult:
    space = Workspace(workdir / f"{profile}-{leads}")
    space.prepare()
    tag = f"[{leads:,} leads, {profile}]"
    print(f"{tag} generating extracts under {space.landing} (not timed)")
    generate(space.landing, leads, profile, options.seed, options.end_date)
    full_drop, incremental_drop = space.drops()
    input_bytes = sum(p.stat().st_size for p in full_drop.glob("*.csv"))
    base_command = [str(BIN / "buying-groups"), "run", "--landing", str(space.landing)]
    base_command += ["--warehouse", str(space.warehouse), "--config", str(options.config)]
    base_command += ["--as-of", options.as_of or options.end_date]

    result: ProfileResult | None = None
    # Pair 0 is the warm-up pair; without one, the counted pairs 1..N are all there is.
    for index in range(0 if options.warm_up else 1, options.pairs + 1):
        label = "warm-up pair" if index == 0 else f"pair {index}/{options.pairs}"
        logs = space.logs / f"pair-{index}"
        memory_floor: Measurement | None = None
        if options.memory_floor:
            memory_floor, _ = measure_floor(full_drop, None, Path(f"{logs}-floor-memory.log"))
        # The column types come from the file floor, which runs in every pair (DuckDB detects
        # the same types whatever database the tables go into).
        file_floor, types = measure_floor(full_drop, space.floor_database, Path(f"{logs}-floor-file.log"))
        command = [*base_command, "--output", str(space.output(index))]
        space.reset_run()
        space.held.mkdir(exist_ok=True)
        incremental_drop.rename(space.held / incremental_drop.name)
        try:
            full = measure_run(command, space.dagster_home, Path(f"{logs}-full.log"))
        finally:
            (space.held / incremental_drop.name).rename(incremental_drop)
        incremental = explain_diff = None
        if index > 0:
            incremental = measure_run(command, space.dagster_home, Path(f"{logs}-incremental.log"))
            explain_diff = measure_explain_diff(space, index, options.config, Path(f"{logs}-explain-diff.log"))
        space.reset_run()  # the warehouse's pages are not left to the next floor read
        if result is None:
            rows = {table: info["rows"] for table, info in types.items()}
            floor_types = {table: info["types"] for table, info in types.items()}
            result = ProfileResult(leads, profile, rows, input_bytes, floor_types)
        result.pairs.append(Pair(index == 0, memory_floor, file_floor, full, incremental, explain_diff))
        again = f", incremental {incremental.seconds:.1f}s" if incremental else ""
        if explain_diff:
            again += f", explain {explain_diff['explain_group_seconds']:.2f}s, diff {explain_diff['diff_seconds']:.1f}s"
        in_memory = f"{memory_floor.seconds:.1f}s" if memory_floor is not None else "not run"
        print(
            f"  {label}: floor in memory {in_memory}, into a file {file_floor.seconds:.1f}s, "
            f"run {full.seconds:.1f}s{again}"
        )
    space.remove_outputs()
    assert result is not None  # --pairs is at least 1
    return result


# --------------------------------------------------------------------------- reporting


def _table(header: list[str], rows: list[list[str]], text_columns: int = 1) -> str:
    """A Markdown table; the first ``text_columns`` columns left-aligned, numbers right."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]

    def line(cells: list[str], numbers: bool) -> str:
        aligned = [
            cell.rjust(width) if numbers and i >= text_columns else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "| " + " | ".join(aligned) + " |"

    rule = "|" + "|".join(("-" * (w + 1) + ":") if i >= text_columns else "-" * (w + 2) for i, w in enumerate(widths))
    return "\n".join([line(header, False), rule + "|", *(line(r, True) for r in rows)])


SUMMARY_HEADER = [
    "leads",
    "profile",
    "input GB",
    "pairs",
    "floor in memory s",
    "floor into file s",
    "pipeline s",
    "pipeline / memory floor",
    "pipeline / file floor",
    "peak GB (memory floor / file floor / pipeline)",
    "incremental s",
    "incremental / full",
]


def summary_table(results: list[ProfileResult]) -> str:
    """One row per size and profile: median (min-max) seconds, ratios of the medians."""
    rows = []
    for r in results:
        s = r.summary()
        peaks = s["peak_rss_bytes"]
        memory_floor = s["memory_floor_seconds"]  # None under --no-memory-floor
        rows.append(
            [
                f"{r.leads:,}",
                r.profile,
                f"{r.input_bytes / 1e9:.2f}",
                str(s["pairs"]),
                Spread(**memory_floor).text() if memory_floor is not None else "not run",
                Spread(**s["file_floor_seconds"]).text(),
                Spread(**s["pipeline_seconds"]).text(),
                f"{s['pipeline_to_memory_floor']:.2f}x" if memory_floor is not None else "not run",
                f"{s['pipeline_to_file_floor']:.2f}x",
                " / ".join(
                    f"{peaks[k] / 1e9:.2f}" if peaks[k] is not None else "-"
                    for k in ("memory_floor", "file_floor", "pipeline")
                ),
                Spread(**s["incremental_seconds"]).text(),
                f"{100 * s['incremental_to_full']:.0f} %",
            ]
        )
    return _table(SUMMARY_HEADER, rows, text_columns=2)


def median_steps(runs: list[Measurement]) -> dict[str, tuple[float, int | None]]:
    """Per step (in the order of the first run): median seconds over ``runs``, and its rows."""
    seconds: dict[str, list[float]] = {}
    rows: dict[str, int | None] = {}
    for run in runs:
        for step in run.steps:
            seconds.setdefault(step.step, []).append(step.seconds)
            rows.setdefault(step.step, step.rows)
    return {step: (statistics.median(values), rows[step]) for step, values in seconds.items()}


def steps_table(result: ProfileResult) -> str:
    full = median_steps([pair.full for pair in result.counted])
    incremental = median_steps([pair.incremental for pair in result.counted if pair.incremental])
    rows = []
    for step, (seconds, count) in full.items():
        again = incremental.get(step)
        rows.append(
            [
                step,
                f"{seconds:.2f}",
                f"{count:,}" if count is not None else "",
                f"{count / seconds:,.0f}" if count is not None and seconds > 0 else "",
                f"{again[0]:.2f}" if again else "",
            ]
        )
    return _table(["step", "full s (median)", "rows", "rows/s", "incremental s (median)"], rows)


def groups_table(result: ProfileResult, group_of_step: dict[str, str]) -> str:
    """Per asset group (a stage of the pipeline): median seconds of its steps (checks
    included) and their share of the whole run, full and incremental; the rest of the wall
    time (interpreter start, Dagster's run set-up, between steps) as its own row."""
    rows = []
    columns = []
    for pick in (lambda p: p.full, lambda p: p.incremental):
        runs = [run for run in map(pick, result.counted) if run is not None]
        per_run = [
            {
                group: sum(s.seconds for s in run.steps if group_of_step.get(s.step, "other") == group)
                for group in GROUPS
            }
            for run in runs
        ]
        outside = [run.seconds - sum(step.seconds for step in run.steps) for run in runs]
        wall = statistics.median(run.seconds for run in runs)
        columns.append(
            ({g: statistics.median(r[g] for r in per_run) for g in GROUPS}, statistics.median(outside), wall)
        )
    for group in (*GROUPS, "outside the steps"):
        cells = [group]
        for by_group, outside, wall in columns:
            seconds = outside if group == "outside the steps" else by_group[group]
            cells += [f"{seconds:.2f}", f"{100 * seconds / wall:.1f} %"]
        rows.append(cells)
    return _table(["stage (asset group)", "full s", "share", "incremental s", "share"], rows)


def explain_diff_table(result: ProfileResult, group_of_step: dict[str, str]) -> str:
    """``explain`` and ``diff`` (bench/explain_diff.py), medians over the counted pairs, with
    the scoring part of the full run (groups engagement, audiences, buying_groups) that diff
    re-does."""
    reports = [pair.explain_diff for pair in result.counted if pair.explain_diff]
    scoring_groups = ("engagement", "audiences", "buying_groups")
    scoring = statistics.median(
        sum(step.seconds for step in pair.full.steps if group_of_step.get(step.step) in scoring_groups)
        for pair in result.counted
    )
    rows = [
        [label, Spread.of([r[key] for r in reports]).text(2)]
        for label, key in (
            ("open the warehouse read-only", "open_seconds"),
            ("explain a group (the largest), after the open", "explain_group_seconds"),
            ("explain a person, after the open", "explain_person_seconds"),
            ("`buying-groups explain --group` (whole command)", "explain_cli_seconds"),
            ("`diff`, min_engagement 10 points lower", "diff_seconds"),
        )
    ]
    rows.append(["scoring steps of the full run (engagement, audiences, buying_groups)", f"{scoring:.2f}"])
    return _table(["", "seconds: median (min-max)"], rows)


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


def write_json(path: Path, info: dict[str, Any], options: argparse.Namespace, results: list[ProfileResult]) -> None:
    payload = {
        "machine": info,
        "options": {
            "leads": options.leads,
            "profiles": options.profile,
            "pairs": options.pairs,
            "warm_up": options.warm_up,
            "memory_floor": options.memory_floor,
            "seed": options.seed,
            "end_date": options.end_date,
            "as_of": options.as_of or options.end_date,
        },
        "peak_rss_method": PEAK_RSS_METHOD,
        "results": [
            {
                "leads": r.leads,
                "profile": r.profile,
                "input_rows": r.input_rows,
                "input_bytes": r.input_bytes,
                "summary": r.summary(),
                "floor_column_types": r.floor_types,
                "pairs": [asdict(pair) for pair in r.pairs],
            }
            for r in results
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_rounded(payload), indent=1) + "\n", encoding="utf-8")


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def _profiles(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in PROFILES]
    if not names or unknown:
        raise argparse.ArgumentTypeError(f"profiles are {', '.join(PROFILES)} (comma-separated), got {text!r}")
    return names


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=_positive, nargs="+", default=[1_000_000], help="sizes to run (leads)")
    parser.add_argument(
        "--profile",
        type=_profiles,
        default=list(PROFILES),
        help=f"generator profiles, comma-separated (default {','.join(PROFILES)})",
    )
    parser.add_argument("--pairs", type=_positive, default=3, help="counted pairs (default 3)")
    parser.add_argument(
        "--warm-up",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="run one uncounted pair first (default); --no-warm-up counts the first pair, where a pair is long",
    )
    parser.add_argument(
        "--memory-floor",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="run the in-memory floor (default); --no-memory-floor skips it where its tables do not fit in RAM",
    )
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
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    json_path = RESULTS_DIR / f"{stamp}.json"
    results: list[ProfileResult] = []
    try:
        for leads in options.leads:
            for profile in options.profile:
                results.append(bench_profile(leads, profile, workdir, options))
                write_json(json_path, info, options, results)  # kept even if a later size fails
    finally:
        if not options.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"  wrote {json_path.relative_to(REPO)}")
    print()
    warm_up = " after a warm-up pair" if options.warm_up else ", no warm-up pair"
    print(
        f"{info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB RAM, Python {info['python']}, "
        f"DuckDB {info['duckdb']}; seconds: median (min-max) of {options.pairs} pairs{warm_up}"
    )
    print()
    print(summary_table(results))
    group_of_step = step_groups()
    for result in results:
        print()
        print(f"stages at {result.leads:,} leads, {result.profile}:")
        print()
        print(groups_table(result, group_of_step))
        print()
        print(f"explain and diff at {result.leads:,} leads, {result.profile}:")
        print()
        print(explain_diff_table(result, group_of_step))
        print()
        print(f"steps at {result.leads:,} leads, {result.profile} (full load, then the incremental drop):")
        print()
        print(steps_table(result))
    print()
    print(f"peak RSS: {PEAK_RSS_METHOD}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
