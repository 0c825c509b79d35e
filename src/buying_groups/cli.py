"""buying-groups: turn Marketo extracts into scored buying groups, LinkedIn audience files
and a sales hand-off.

Commands: generate (sample extracts), run (ingest new drops and rebuild every output),
replay (read drops again on the next run), explain (why a group or person is where it is),
diff (what a configuration change would change). Every option also reads its BG_*
environment variable; a command-line value wins.

Exit codes: 0 success, 1 the run failed, 2 a bad argument, path or configuration (nothing
was touched), 3 another run still held the warehouse after --lock-timeout seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import fcntl
import json
import logging
import os
import re
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dagster as dg

from buying_groups.console.inputs import (
    OneLineArgumentParser,
    iso_date,
    output_folder_problem,
    positive_int,
    report_problems,
    run_path_problems,
    seconds,
    warehouse_problem,
    whole_number,
)
from buying_groups.console.progress import GenerateProgress, RunConsole, progress_logger
from buying_groups.console.runlog import file_logger, logs_dir_for, prune_run_logs, run_log_path
from buying_groups.console.summary import plain_metadata, summary_lines
from buying_groups.model.entities import ENTITIES
from buying_groups.settings import (
    ENV_AS_OF,
    ENV_CONFIG,
    ENV_LANDING,
    ENV_OUTPUT,
    ENV_WAREHOUSE,
    Settings,
    parse_as_of,
)

ENTITY_NAMES = frozenset(spec.entity for spec in ENTITIES)

if TYPE_CHECKING:
    import duckdb
    from dagster._utils.error import SerializableErrorInfo


def _generate(args: argparse.Namespace) -> int:
    from buying_groups.sample_data import generate_landing, profile_named

    out = Path(args.out)
    problem = output_folder_problem(out, "output folder", f"--out or {ENV_LANDING}")
    if problem:
        report_problems([problem])
        return EXIT_BAD_INPUT
    end_date = dt.date.fromisoformat(args.end_date) if args.end_date else None
    progress = GenerateProgress(live=sys.stdout.isatty())
    try:
        summary = generate_landing(
            out=out,
            leads=args.leads,
            seed=args.seed,
            drops=args.drops,
            end_date=end_date,
            split_rows=args.split_rows,
            profile=profile_named(args.profile),
            progress=progress,
        )
    except ValueError as exc:  # checked before anything is written
        report_problems([str(exc)])
        return EXIT_BAD_INPUT
    finally:
        progress.close()
    print(summary.describe())
    print(f"generated in {summary.seconds:.1f}s under {out}")
    return 0


def _instance() -> dg.DagsterInstance:
    # With DAGSTER_HOME set, runs land in that instance (and so in `dagster dev`'s UI).
    if os.environ.get("DAGSTER_HOME"):
        return dg.DagsterInstance.get()
    return dg.DagsterInstance.ephemeral()


class InstanceUnavailable(Exception):
    """The Dagster instance of ``DAGSTER_HOME`` cannot be opened (its storage is unreachable)."""


class _DropConnectionRetries(logging.Filter):
    """dagster-postgres logs each failed connection attempt, traceback text and all; the run
    says the reason once instead (see :func:`_open_instance`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Retrying failed database connection")


def _open_instance() -> dg.DagsterInstance:
    """:func:`_instance`, with a storage that cannot be reached (PostgreSQL down, wrong host
    or credentials) as one line naming ``DAGSTER_HOME`` and the database's own reason."""
    retries = _DropConnectionRetries()
    logging.getLogger().addFilter(retries)
    try:
        return _instance()
    except Exception as exc:
        root = exc
        while root.__cause__ is not None or root.__context__ is not None:
            root = root.__cause__ or root.__context__  # type: ignore[assignment]
        reason = next((line.strip() for line in str(root).splitlines() if line.strip()), type(root).__name__)
        raise InstanceUnavailable(
            f"cannot open the Dagster instance of DAGSTER_HOME={os.environ.get('DAGSTER_HOME')}: {reason}; "
            "nothing was done (is its database running and reachable?)"
        ) from exc
    finally:
        logging.getLogger().removeFilter(retries)


EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_LOCKED = 0, 1, 2, 3
DEFAULT_LOCK_TIMEOUT = 3600.0
_LOCK_POLL_SECONDS = 0.2


class WarehouseLockTimeout(Exception):
    """Another process held the warehouse lock for longer than the caller would wait."""


def lock_path_for(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".lock")


def _lock_holder(fd: int) -> str:
    with contextlib.suppress(OSError, ValueError):
        text = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
        if text:
            return text
    return "unknown"


# `run` and `replay` hold an exclusive flock on <warehouse>.lock for their whole duration:
# DuckDB allows one writer process per file, and two runs interleaving their steps would each
# see a half-updated warehouse. A second invocation waits (and says so) instead of failing on
# DuckDB's lock error half-way through.
@contextlib.contextmanager
def warehouse_lock(warehouse: Path, timeout: float = DEFAULT_LOCK_TIMEOUT) -> Iterator[None]:
    """Hold an exclusive lock on ``<warehouse>.lock`` (waiting up to ``timeout`` seconds).

    ``flock`` rather than a pid file: the kernel drops the lock when the holder dies, even on
    SIGKILL, so a crashed run never leaves a stale lock behind. The lock file itself is never
    deleted (unlinking a locked file lets a third process lock a new inode next to it); it only
    carries the holder's pid for the waiting message."""
    lock_path = lock_path_for(warehouse)
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _lock_holder(fd)
            print(
                f"waiting for another buying-groups run on {warehouse} (pid {holder}) "
                f"to finish; giving up after {timeout:g}s ...",
                file=sys.stderr,
                flush=True,
            )
            # Poll instead of a blocking flock so the timeout needs no signal handler.
            deadline = time.monotonic() + timeout
            while True:
                time.sleep(_LOCK_POLL_SECONDS)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise WarehouseLockTimeout(
                            f"another buying-groups run (pid {_lock_holder(fd)}) still holds {lock_path} "
                            f"after {timeout:g}s; nothing was done. Wait for it, or raise --lock-timeout"
                        ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the flock


# Exceptions whose message already is the whole story (file:line: reason, or the config path).
_CLEAN_ERRORS = {
    "UnusableFileError",
    "RejectedShareError",
    "ConfigError",
    "WarehouseLockTimeout",
    "LandingZoneError",
    "EarlierAsOfError",
}
_FRAME = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+)')


def _code_location(cause: SerializableErrorInfo) -> str | None:
    """``buying_groups/<module>.py:<line>``: where in our code an unexpected error was raised
    (the innermost frame of the package), for an error whose message names no file."""
    frames = [_FRAME.search(frame) for frame in cause.stack]
    ours = [m for m in frames if m and f"{os.sep}buying_groups{os.sep}" in m["file"]]
    if not ours:
        return None
    file = ours[-1]["file"]
    return f"{file[file.rindex(f'{os.sep}buying_groups{os.sep}') + 1 :]}:{ours[-1]['line']}"


def _user_error(error: SerializableErrorInfo | None) -> SerializableErrorInfo | None:
    """The exception the user should read: one of ours if any is in the chain (an
    UnusableFileError raised *from* a UnicodeDecodeError must win over it), else the first
    cause under Dagster's step wrapper."""
    chain = []
    while error is not None:
        chain.append(error)
        error = error.cause
    ours = [e for e in chain if e.cls_name in _CLEAN_ERRORS]
    return ours[0] if ours else (chain[1] if len(chain) > 1 else chain[0] if chain else None)


# DuckDB's and the OS's words for a full disk, and the file they could not write.
_DISK_FULL = re.compile(
    r'(?:Could not write file "(?P<file>[^"]+)": )?No space left on device(?:: \'(?P<path>[^\']+)\')?'
)


def _one_line(cause: SerializableErrorInfo | None) -> str:
    """The user's error as one line: the message without the module-qualified class prefix
    Dagster adds, first line only (DuckDB messages go on with hints over several lines). A
    full disk is said as such, with the file that could not be written."""
    if cause is None:
        return "unknown error"
    text = cause.message.strip()
    text = re.sub(rf"^[\w.]*{re.escape(cause.cls_name or '')}: ", "", text) if cause.cls_name else text
    first = text.splitlines()[0] if text else ""
    disk_full = _DISK_FULL.search(text)
    if disk_full:
        where = disk_full["file"] or disk_full["path"]
        target = f"cannot write {where}" if where else "cannot write"
        return f"disk full: {target} (No space left on device); free space there and run again"
    if cause.cls_name and cause.cls_name not in _CLEAN_ERRORS:
        first = f"{cause.cls_name}: {first}"
        location = _code_location(cause)
        if location:
            first += f" (raised at {location})"
    return first or cause.cls_name or "unknown error"


def _check_problem(metadata: Mapping[str, Any]) -> str:
    """What a failed check found, in one line: its first problem (our output checks list
    them, each naming the file), else its non-zero counts (the table checks)."""
    problems = metadata.get("problems")
    if problems is not None:
        lines = [line.removeprefix("- ") for line in str(problems.value).splitlines() if line.strip()]
        more = f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""
        return f"{lines[0]}{more}" if lines else "no detail"
    counts = [
        f"{name}={value.value}"
        for name, value in metadata.items()
        if isinstance(value.value, int) and not isinstance(value.value, bool) and value.value
    ]
    return ", ".join(counts) or "see the check's metadata in the Dagster UI"


def _failure_messages(result: dg.ExecuteInProcessResult) -> list[str]:
    """One line per failure: each failed blocking check by name with the problem it found
    (which names the file), and each failed step with its reason."""
    failed_checks = []
    for event in result.all_events:
        if event.event_type != dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            continue
        evaluation = event.asset_check_evaluation_data
        if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR:
            failed_checks.append(
                f"check {evaluation.check_name} on {evaluation.asset_key.to_user_string()} failed: "
                f"{_check_problem(evaluation.metadata)}"
            )
    messages = list(failed_checks)
    for event in result.all_events:
        if event.event_type == dg.DagsterEventType.STEP_FAILURE and event.step_failure_data:
            cause = _user_error(event.step_failure_data.error)
            if failed_checks and cause is not None and cause.cls_name == "DagsterAssetCheckFailedError":
                continue  # said better by the check's own line above
            messages.append(f"{event.step_key}: {_one_line(cause)}")
    return messages


def _run_input_problems(settings: Settings) -> list[str]:
    """Everything wrong with the run's paths, date and configuration, found before any data
    is touched (the configuration only when its folder exists)."""
    from buying_groups.config import ConfigError, load_config

    problems = run_path_problems(settings)
    try:
        parse_as_of(settings.as_of)
    except ValueError as exc:
        problems.append(f"{exc} (--as-of or {ENV_AS_OF})")
    if settings.config_dir.is_dir():
        try:
            load_config(settings.config_dir)
        except ConfigError as exc:
            problems.extend(str(problem) for problem in exc.problems)
    return problems


def _run(args: argparse.Namespace) -> int:
    settings = _command_settings(args)
    problems = _run_input_problems(settings)
    if problems:
        report_problems(problems)
        return EXIT_BAD_INPUT
    as_of = parse_as_of(settings.as_of)
    settings = dataclasses.replace(settings, as_of=as_of.isoformat())
    print(
        f"buying-groups run: landing={settings.landing_dir} warehouse={settings.warehouse} "
        f"output={settings.output_dir} config={settings.config_dir} as_of={as_of}",
        flush=True,
    )
    try:
        with warehouse_lock(settings.warehouse, args.lock_timeout):
            try:
                _refuse_earlier_as_of(settings.warehouse, as_of)
            except ValueError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return EXIT_BAD_INPUT
            return _run_locked(args, settings)
    except WarehouseLockTimeout as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_LOCKED


def _refuse_earlier_as_of(warehouse: Path, as_of: dt.date) -> None:
    """Refuse (``EarlierAsOfError``) an ``as_of`` before the latest scored one before any
    step runs, so nothing is touched: not even new drops are ingested. The scoring assets
    refuse it too (a run from the UI or the schedule); this is the CLI's early answer."""
    import duckdb

    from buying_groups.buying_groups import refuse_earlier_as_of

    if not warehouse.is_file():
        return
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error:
        return  # held by a daemon run right now: the scoring assets will refuse instead
    with con:
        refuse_earlier_as_of(con, as_of)


def run_tags(settings: Settings) -> dict[str, str]:
    """Tags of a CLI run, so runs of several landing zones or warehouses in one Dagster
    instance can be told apart (and filtered) in the UI."""
    return {
        "buying_groups/trigger": "cli",
        "buying_groups/landing": str(settings.landing_dir.resolve()),
        "buying_groups/warehouse": str(settings.warehouse.resolve()),
        "buying_groups/output": str(settings.output_dir.resolve()),
        "buying_groups/as_of": str(settings.as_of),
    }


def _run_loggers(console: RunConsole, logs_dir: Path, log_level: str) -> tuple[dict[str, dg.LoggerDefinition], dict]:
    """The run's loggers and their run config: the full log file always; at DEBUG Dagster's
    own console logger (every event, stack traces), else the progress display."""
    loggers = {
        "console": dg.colored_console_logger,
        "progress": progress_logger(console),
        "run_log": file_logger(logs_dir),
    }
    config: dict[str, dict] = {"run_log": {}, "progress": {}}
    if log_level == "DEBUG":
        config["console"] = {"config": {"log_level": "DEBUG"}}
    return loggers, {"loggers": config}


def _run_locked(args: argparse.Namespace, settings: Settings) -> int:
    from buying_groups.assets.keys import b2b_key
    from buying_groups.definitions import build_definitions
    from buying_groups.model.entities import ENTITIES
    from buying_groups.resources import warehouse_pool_limited

    try:
        instance = _open_instance()
    except InstanceUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    logs_dir = logs_dir_for(settings.warehouse)
    console = RunConsole(
        live=args.log_level == "INFO" and sys.stdout.isatty(),
        warnings=args.log_level in ("INFO", "WARNING"),
    )
    loggers, run_config = _run_loggers(console, logs_dir, args.log_level)
    # The lock file keeps other CLI runs off this warehouse, so the run may hold its DuckDB
    # connection from the first step to the last (faster; see WarehouseResource) - unless the
    # instance's pool lets runs of the daemon take turns with this one step by step.
    defs = build_definitions(settings, hold_run_connection=not warehouse_pool_limited(instance), loggers=loggers)
    if args.full_checks:
        run_config["ops"] = {
            defs.resolve_assets_def(b2b_key(spec.table)).node_def.name: {"config": {"full_check": True}}
            for spec in ENTITIES
            if spec.mode == "append"
        }
    started = time.perf_counter()
    job = defs.resolve_implicit_global_asset_job_def()
    try:
        result = job.execute_in_process(
            run_config=run_config, instance=instance, raise_on_error=False, tags=run_tags(settings)
        )
    finally:
        console.close()
    elapsed = time.perf_counter() - started
    prune_run_logs(logs_dir)
    log_pointer = f"full log: {run_log_path(logs_dir, result.run_id)}"
    if os.environ.get("DAGSTER_HOME"):
        log_pointer += f", and run {result.run_id} in the Dagster UI"
    if not result.success:
        # One line per failure an operator (or a log alert) can act on: step, file, line and
        # reason; the stack traces are in the log file.
        for message in _failure_messages(result) or ["see the run log"]:
            print(f"error: {message}", file=sys.stderr)
        print(f"run FAILED after {elapsed:.1f}s (run id {result.run_id}); {log_pointer}", file=sys.stderr)
        return EXIT_FAILED
    print(f"run succeeded in {elapsed:.1f}s, as of {settings.as_of} (run id {result.run_id})")
    for line in summary_lines(plain_metadata(result), warehouse=str(settings.warehouse)):
        print(line)
    print(f"  {log_pointer}")
    return EXIT_OK


REPLAY_HELP = """Forget drops in the warehouse's ledger (meta.landing_files) so that the next run
reads their files again.

Safe because ingestion is idempotent: upserts keep the newest updatedAt, activities are
de-duplicated on marketoGUID, and the files' quarantined rows are replaced on the re-read."""


def _replay(args: argparse.Namespace) -> int:
    import duckdb

    from buying_groups.ingest.landing import ensure_ledger

    settings = Settings.from_env(warehouse=args.warehouse)
    if not settings.warehouse.exists():
        print(f"error: warehouse {settings.warehouse} does not exist; nothing to replay", file=sys.stderr)
        return EXIT_BAD_INPUT
    problem = warehouse_problem(settings.warehouse, f"--warehouse or {ENV_WAREHOUSE}")
    if problem:
        report_problems([problem])
        return EXIT_BAD_INPUT
    try:
        with warehouse_lock(settings.warehouse, args.lock_timeout), duckdb.connect(str(settings.warehouse)) as con:
            ensure_ledger(con)
            known = {drop for (drop,) in con.execute('SELECT DISTINCT "drop" FROM meta.landing_files').fetchall()}
            unknown = sorted(set(args.drop) - known)
            if unknown:
                print(
                    f"error: drop(s) {', '.join(unknown)} not in the ledger meta.landing_files; "
                    f"known drops: {', '.join(sorted(known)) or '(none)'}",
                    file=sys.stderr,
                )
                return EXIT_BAD_INPUT
            params: dict[str, object] = {"drops": list(args.drop)}
            where = '"drop" IN (SELECT unnest($drops::VARCHAR[]))'
            if args.entity:
                where += " AND entity = $entity"
                params["entity"] = args.entity
            files = con.execute(
                f'SELECT "drop", source_file, status FROM meta.landing_files WHERE {where} ORDER BY ALL', params
            ).fetchall()
            con.execute(f"DELETE FROM meta.landing_files WHERE {where}", params)
    except WarehouseLockTimeout as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    for drop, source_file, status in files:
        print(f"replay: {drop}/{source_file} ({status}) will be read again by the next run")
    print(f"{len(files)} file(s) forgotten; run `buying-groups run` to ingest them again")
    return EXIT_OK


def _explain(args: argparse.Namespace) -> int:
    """Why a buying group or a person is where it is: membership with reasons, role
    completeness, the engagement derivation, the stage thresholds, journeys, output files."""
    from buying_groups.config import ConfigError, load_config
    from buying_groups.explain import (
        UnknownSubject,
        WarehouseNotReady,
        group_text,
        latest_as_of,
        person_text,
        read_only,
        score_all,
        scratch,
        to_json,
    )

    settings = _command_settings(args)
    try:
        requested = parse_as_of(settings.as_of) if settings.as_of else None
        with read_only(settings.warehouse) as con:
            stored = latest_as_of(con)
            if requested is None or requested == stored:
                explanation = _explain_on(con, args, settings.output_dir)
        if requested is not None and requested != stored:
            # Another day: re-score it in a scratch database under the current configuration.
            config = load_config(settings.config_dir)
            with scratch(settings.warehouse) as con:
                score_all(con, config, requested)
                explanation = _explain_on(con, args, settings.output_dir)
                explanation["recomputed"] = True
    except (UnknownSubject, WarehouseNotReady, ConfigError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.json:
        print(to_json(explanation))
    else:
        if explanation.get("recomputed"):
            print(f"(re-scored for {requested} in memory under {settings.config_dir}; the warehouse holds {stored})\n")
        print(group_text(explanation) if args.group else person_text(explanation), end="")
    return EXIT_OK


def _explain_on(con: duckdb.DuckDBPyConnection, args: argparse.Namespace, output_dir: Path) -> dict[str, Any]:
    from buying_groups.explain import explain_group, explain_person

    if args.group:
        return explain_group(con, args.group, output_dir)
    return explain_person(con, args.person, output_dir)


def _diff(args: argparse.Namespace) -> int:
    """What would change under another configuration: scores the current warehouse with the
    configuration in NEWDIR in memory; the warehouse and the output files are never written."""
    from buying_groups.config import ConfigError, load_config
    from buying_groups.explain import WarehouseNotReady
    from buying_groups.explain.diff import diff_config, diff_text

    if not args.config:
        print("error: diff needs --config NEWDIR (the changed configuration to preview)", file=sys.stderr)
        return EXIT_BAD_INPUT
    settings = Settings.from_env(
        warehouse=args.warehouse, output_dir=args.output, config_dir=args.base_config, as_of=args.as_of
    )
    try:
        new_config = load_config(Path(args.config))
        requested = parse_as_of(settings.as_of) if settings.as_of else None
        result = diff_config(
            settings.warehouse, settings.output_dir, new_config, as_of=requested, current_config_dir=settings.config_dir
        )
    except (WarehouseNotReady, ConfigError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print(diff_text(result), end="")
    return EXIT_OK


def _command_settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env(
        landing_dir=args.landing,
        warehouse=args.warehouse,
        output_dir=args.output,
        config_dir=args.config,
        as_of=args.as_of,
    )


def _add_paths(command: argparse.ArgumentParser, *, config_help: str) -> None:
    command.add_argument("--landing", metavar="DIR", help=f"landing zone ({ENV_LANDING}, default data/landing)")
    command.add_argument(
        "--warehouse", metavar="FILE", help=f"DuckDB file ({ENV_WAREHOUSE}, default data/warehouse.duckdb)"
    )
    command.add_argument("--output", metavar="DIR", help=f"output folder ({ENV_OUTPUT}, default output)")
    command.add_argument("--config", metavar="DIR", help=config_help)
    command.add_argument(
        "--as-of", type=iso_date, metavar="YYYY-MM-DD", help=f"day ({ENV_AS_OF}, default the latest scored day)"
    )
    command.add_argument("--json", action="store_true", help="one JSON object instead of text")


RUN_HELP = """Ingest every new drop of the landing zone, then rebuild the validated tables,
engagement, audiences, buying groups and every output (LinkedIn files, sales hand-off, Parquet
marts) through Dagster, as of one date.

At a terminal it shows each step's progress; it ends with a summary of what was produced
where, or with one error line per failure. The full log of every run, stack traces included,
is kept in <warehouse folder>/logs/. With DAGSTER_HOME set the run is recorded in that Dagster
instance too, and shows in `dagster dev`."""

GENERATE_HELP = """Write realistic synthetic Marketo extracts (companies, leads, opportunities,
contact roles, activities, with realistic dirt) as a landing zone: a full load and, with
--drops, daily incremental drops. Same arguments, same bytes."""


def _add_lock_timeout(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lock-timeout",
        type=seconds,
        default=DEFAULT_LOCK_TIMEOUT,
        metavar="SECONDS",
        help=f"seconds to wait while another run holds the same warehouse (default {DEFAULT_LOCK_TIMEOUT:g}); "
        "exit 3 after",
    )


def _add_generate(commands: argparse._SubParsersAction) -> None:
    generate = commands.add_parser("generate", help="write synthetic Marketo extracts", description=GENERATE_HELP)
    generate.add_argument(
        "--out",
        default=os.environ.get(ENV_LANDING, "data/landing"),
        metavar="DIR",
        help=f"landing zone to write the drops into ({ENV_LANDING}, default data/landing)",
    )
    generate.add_argument(
        "--leads", type=positive_int, default=10_000, metavar="N", help="leads in the full load (default 10000)"
    )
    generate.add_argument(
        "--seed", type=whole_number, default=7, metavar="S", help="random seed: same seed, same files (default 7)"
    )
    generate.add_argument(
        "--drops", type=positive_int, default=1, metavar="D", help="full load + (D-1) daily incremental drops"
    )
    generate.add_argument(
        "--end-date", type=iso_date, metavar="YYYY-MM-DD", help="date of the last drop (default today, UTC)"
    )
    generate.add_argument(
        "--split-rows",
        type=positive_int,
        default=None,
        metavar="N",
        help="split each entity file into parts of at most N rows",
    )
    generate.add_argument(
        "--profile",
        choices=("realistic", "plain"),
        default="realistic",
        help="how values look: realistic (Marketo as exported: Z timestamps, mixed booleans, null literals, "
        "long attribute JSON) or plain (zone-less timestamps, true/false, empty cells, short JSON, other "
        "industry, title and activity mixes); both carry the same dirt",
    )
    generate.set_defaults(handler=_generate)


def _add_run(commands: argparse._SubParsersAction) -> None:
    run = commands.add_parser(
        "run",
        help="ingest new drops and rebuild every output",
        description=RUN_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("--landing", metavar="DIR", help=f"landing zone ({ENV_LANDING}, default data/landing)")
    run.add_argument(
        "--warehouse",
        metavar="FILE",
        help=f"DuckDB file, created when missing ({ENV_WAREHOUSE}, default data/warehouse.duckdb)",
    )
    run.add_argument(
        "--output", metavar="DIR", help=f"output folder, created when missing ({ENV_OUTPUT}, default output)"
    )
    run.add_argument("--config", metavar="DIR", help=f"config folder ({ENV_CONFIG}, default config)")
    run.add_argument(
        "--as-of", type=iso_date, metavar="YYYY-MM-DD", help=f"scoring date ({ENV_AS_OF}, default today UTC)"
    )
    _add_lock_timeout(run)
    run.add_argument(
        "--full-checks",
        action="store_true",
        help="check every row of the append-only events table against its model (default: the rows this run "
        "appended, their keys against every row)",
    )
    run.add_argument(
        "--log-level",
        default="INFO",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="INFO (default): progress at a terminal and warnings; WARNING: warnings only; ERROR: only the "
        "result; DEBUG: every Dagster event with stack traces",
    )
    run.set_defaults(handler=_run)


def _add_replay(commands: argparse._SubParsersAction) -> None:
    replay = commands.add_parser(
        "replay",
        help="forget drops in the ledger so the next run reads them again",
        description=REPLAY_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    replay.add_argument("--drop", action="append", required=True, metavar="NAME", help="drop folder name (repeatable)")
    replay.add_argument(
        "--entity", choices=sorted(ENTITY_NAMES), help="only this entity's files (default: every entity)"
    )
    replay.add_argument(
        "--warehouse", metavar="FILE", help=f"DuckDB file ({ENV_WAREHOUSE}, default data/warehouse.duckdb)"
    )
    _add_lock_timeout(replay)
    replay.set_defaults(handler=_replay)


def _add_explain(commands: argparse._SubParsersAction) -> None:
    explain = commands.add_parser("explain", help="explain a buying group or a person", description=_explain.__doc__)
    subject = explain.add_mutually_exclusive_group(required=True)
    subject.add_argument("--group", metavar="ID", help="buying group id (<solution interest id>:<account key>)")
    subject.add_argument("--person", metavar="KEY", help="person key (<lead id>@<munchkin>.Marketo)")
    _add_paths(explain, config_help=f"config folder, used only to re-score another day ({ENV_CONFIG}, default config)")
    explain.set_defaults(handler=_explain)


def _add_diff(commands: argparse._SubParsersAction) -> None:
    diff = commands.add_parser(
        "diff", help="preview what a configuration change would change", description=_diff.__doc__
    )
    _add_paths(diff, config_help="NEWDIR: the changed config folder to preview (required)")
    diff.add_argument(
        "--base-config",
        metavar="DIR",
        help="the current config folder, used only to re-score an --as-of other than the latest scored day "
        f"({ENV_CONFIG}, default config)",
    )
    diff.set_defaults(handler=_diff)


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineArgumentParser(
        prog="buying-groups", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="{generate,run,replay,explain,diff}")
    _add_generate(commands)
    _add_run(commands)
    _add_replay(commands)
    _add_explain(commands)
    _add_diff(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    raise SystemExit(main())
