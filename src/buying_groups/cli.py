"""``buying-groups generate``, ``run``, ``replay``, ``explain`` and ``diff``.

Every option also reads its ``BG_*`` environment variable (SPEC §7); a command-line value
wins. Exit codes: 0 success, 1 run failed, 2 bad configuration or arguments, 3 another run
still held the warehouse after ``--lock-timeout`` seconds.

``run`` and ``replay`` hold an exclusive ``flock`` on ``<warehouse>.lock`` for their whole
duration: DuckDB allows one writer process per file, and two runs interleaving their steps
would each see a half-updated warehouse. A second invocation waits (and says so) instead of
failing on DuckDB's lock error half-way through.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import fcntl
import json
import os
import re
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dagster as dg

from buying_groups.settings import Settings, parse_as_of

if TYPE_CHECKING:
    import duckdb
    from dagster._utils.error import SerializableErrorInfo


def _generate(args: argparse.Namespace) -> int:
    from buying_groups.sample_data import generate_landing, profile_named

    started = time.perf_counter()
    end_date = dt.date.fromisoformat(args.end_date) if args.end_date else None
    summary = generate_landing(
        out=Path(args.out),
        leads=args.leads,
        seed=args.seed,
        drops=args.drops,
        end_date=end_date,
        split_rows=args.split_rows,
        profile=profile_named(args.profile),
    )
    print(summary.describe())
    print(f"generated in {time.perf_counter() - started:.1f}s under {args.out}")
    return 0


def _instance() -> dg.DagsterInstance:
    # With DAGSTER_HOME set, runs land in that instance (and so in `dagster dev`'s UI).
    if os.environ.get("DAGSTER_HOME"):
        return dg.DagsterInstance.get()
    return dg.DagsterInstance.ephemeral()


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
_CLEAN_ERRORS = {"UnusableFileError", "RejectedShareError", "ConfigError", "WarehouseLockTimeout"}


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


def _one_line(cause: SerializableErrorInfo | None) -> str:
    """The user's error as one line: the message without the module-qualified class prefix
    Dagster adds, first line only (DuckDB messages go on with hints over several lines)."""
    if cause is None:
        return "unknown error"
    text = cause.message.strip()
    text = re.sub(rf"^[\w.]*{re.escape(cause.cls_name or '')}: ", "", text) if cause.cls_name else text
    first = text.splitlines()[0] if text else ""
    if cause.cls_name and cause.cls_name not in _CLEAN_ERRORS:
        first = f"{cause.cls_name}: {first}"
    return first or cause.cls_name or "unknown error"


def _failure_messages(result: dg.ExecuteInProcessResult) -> list[str]:
    messages = []
    for event in result.all_events:
        if event.event_type == dg.DagsterEventType.STEP_FAILURE and event.step_failure_data:
            messages.append(f"{event.step_key}: {_one_line(_user_error(event.step_failure_data.error))}")
    return messages


def _run(args: argparse.Namespace) -> int:
    from buying_groups.config import ConfigError, load_config

    settings = Settings.from_env(
        landing_dir=args.landing,
        warehouse=args.warehouse,
        output_dir=args.output,
        config_dir=args.config,
        as_of=args.as_of,
    )
    try:
        as_of = parse_as_of(settings.as_of)
        load_config(settings.config_dir)  # bad config fails before any data is touched
    except (ConfigError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    settings = Settings(**{**settings.__dict__, "as_of": as_of.isoformat()})
    print(
        f"buying-groups run: landing={settings.landing_dir} warehouse={settings.warehouse} "
        f"output={settings.output_dir} config={settings.config_dir} as_of={as_of}",
        flush=True,
    )
    try:
        with warehouse_lock(settings.warehouse, args.lock_timeout):
            return _run_locked(args, settings)
    except WarehouseLockTimeout as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_LOCKED


def _run_locked(args: argparse.Namespace, settings: Settings) -> int:
    from buying_groups.definitions import build_definitions
    from buying_groups.journeys.engine import check_run_order
    from buying_groups.resources import warehouse_pool_limited

    # Refused before any step runs, so an earlier day does not re-score the marts either.
    if problem := check_run_order(settings.warehouse, parse_as_of(settings.as_of)):
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    instance = _instance()
    # The lock file keeps other CLI runs off this warehouse, so the run may hold its DuckDB
    # connection from the first step to the last (faster; see WarehouseResource) - unless the
    # instance's pool lets runs of the daemon take turns with this one step by step.
    defs = build_definitions(settings, hold_run_connection=not warehouse_pool_limited(instance))
    started = time.perf_counter()
    job = defs.resolve_implicit_global_asset_job_def()
    # INFO keeps the progress lines each asset logs and drops Dagster's per-event debug noise.
    run_config = {"loggers": {"console": {"config": {"log_level": args.log_level}}}}
    result = job.execute_in_process(run_config=run_config, instance=instance, raise_on_error=False)
    elapsed = time.perf_counter() - started
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        rows = materialization.metadata.get("dagster/row_count")
        rows_text = f"{rows.value:,} rows" if rows is not None else ""
        print(f"  materialized {materialization.asset_key.to_user_string():40s} {rows_text}")
    if not result.success:
        # Dagster has printed the tracebacks above; end with one line per failure an operator
        # (or a log alert) can act on: file, line and reason.
        print(f"run FAILED after {elapsed:.1f}s (run id {result.run_id}):", file=sys.stderr)
        for message in _failure_messages(result) or ["see the Dagster event log"]:
            print(f"error: {message}", file=sys.stderr)
        return EXIT_FAILED
    print(f"run succeeded in {elapsed:.1f}s (run id {result.run_id})")
    return EXIT_OK


def _replay(args: argparse.Namespace) -> int:
    """Forget drops in the ledger so the next ``run`` reads their files again.

    Safe because ingest is idempotent: upserts keep the newest ``updatedAt`` and activities are
    de-duplicated on ``marketoGUID``; the files' quarantine rows are replaced on the re-read."""
    import duckdb

    from buying_groups.ingest.landing import ensure_ledger

    settings = Settings.from_env(warehouse=args.warehouse)
    if not settings.warehouse.exists():
        print(f"error: warehouse {settings.warehouse} does not exist; nothing to replay", file=sys.stderr)
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
    command.add_argument("--landing", help="landing zone (BG_LANDING_DIR, default data/landing)")
    command.add_argument("--warehouse", help="DuckDB file (BG_WAREHOUSE, default data/warehouse.duckdb)")
    command.add_argument("--output", help="output folder (BG_OUTPUT_DIR, default output)")
    command.add_argument("--config", help=config_help)
    command.add_argument("--as-of", help="day YYYY-MM-DD (BG_AS_OF, default the latest scored day)")
    command.add_argument("--json", action="store_true", help="one JSON object instead of text")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="buying-groups", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    generate = commands.add_parser("generate", help="write synthetic Marketo extracts")
    generate.add_argument("--out", default=os.environ.get("BG_LANDING_DIR", "data/landing"))
    generate.add_argument("--leads", type=int, default=10_000)
    generate.add_argument("--seed", type=int, default=7)
    generate.add_argument("--drops", type=int, default=1, help="full load + (drops-1) incremental drops")
    generate.add_argument("--end-date", help="date of the last drop (default today, UTC)")
    generate.add_argument(
        "--split-rows", type=int, default=None, help="split each entity file into parts of at most N rows"
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

    run = commands.add_parser("run", help="ingest new drops and materialize every asset")
    run.add_argument("--landing", help="landing zone (BG_LANDING_DIR, default data/landing)")
    run.add_argument("--warehouse", help="DuckDB file (BG_WAREHOUSE, default data/warehouse.duckdb)")
    run.add_argument("--output", help="output folder (BG_OUTPUT_DIR, default output)")
    run.add_argument("--config", help="config folder (BG_CONFIG_DIR, default config)")
    run.add_argument("--as-of", help="scoring date YYYY-MM-DD (BG_AS_OF, default today UTC)")
    run.add_argument(
        "--lock-timeout",
        type=float,
        default=DEFAULT_LOCK_TIMEOUT,
        help=f"seconds to wait for another run on the same warehouse (default {DEFAULT_LOCK_TIMEOUT:g}); exit 3 after",
    )
    run.add_argument(
        "--log-level",
        default="INFO",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="Dagster console log level (default INFO)",
    )
    run.set_defaults(handler=_run)

    replay = commands.add_parser(
        "replay",
        help="forget drops in the ledger so the next run reads them again",
        description=_replay.__doc__,
    )
    replay.add_argument("--drop", action="append", required=True, help="drop folder name (repeatable)")
    replay.add_argument("--entity", help="only this entity's files (leads, companies, ...)")
    replay.add_argument("--warehouse", help="DuckDB file (BG_WAREHOUSE, default data/warehouse.duckdb)")
    replay.add_argument("--lock-timeout", type=float, default=DEFAULT_LOCK_TIMEOUT)
    replay.set_defaults(handler=_replay)

    explain = commands.add_parser("explain", help="explain a buying group or a person", description=_explain.__doc__)
    subject = explain.add_mutually_exclusive_group(required=True)
    subject.add_argument("--group", help="buying group id (<solution interest id>:<account key>)")
    subject.add_argument("--person", help="person key (<lead id>@<munchkin>.Marketo)")
    _add_paths(explain, config_help="config folder, used only to re-score another day (BG_CONFIG_DIR, default config)")
    explain.set_defaults(handler=_explain)

    diff = commands.add_parser(
        "diff", help="preview what a configuration change would change", description=_diff.__doc__
    )
    _add_paths(diff, config_help="NEWDIR: the changed config folder to preview (required)")
    diff.add_argument(
        "--base-config",
        help="the current config folder, used only to re-score an --as-of other than the latest scored day "
        "(BG_CONFIG_DIR, default config)",
    )
    diff.set_defaults(handler=_diff)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    raise SystemExit(main())
