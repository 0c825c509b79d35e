"""``buying-groups generate`` and ``buying-groups run``.

Every option also reads its ``BG_*`` environment variable (SPEC §7); a command-line value
wins. Exit codes: 0 success, 1 run failed, 2 bad configuration or arguments.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import dagster as dg

from buying_groups.settings import Settings, parse_as_of


def _generate(args: argparse.Namespace) -> int:
    from buying_groups.sample_data import generate_landing

    started = time.perf_counter()
    end_date = dt.date.fromisoformat(args.end_date) if args.end_date else None
    summary = generate_landing(
        out=Path(args.out),
        leads=args.leads,
        seed=args.seed,
        drops=args.drops,
        end_date=end_date,
        split_rows=args.split_rows,
    )
    print(summary.describe())
    print(f"generated in {time.perf_counter() - started:.1f}s under {args.out}")
    return 0


def _instance() -> dg.DagsterInstance:
    # With DAGSTER_HOME set, runs land in that instance (and so in `dagster dev`'s UI).
    if os.environ.get("DAGSTER_HOME"):
        return dg.DagsterInstance.get()
    return dg.DagsterInstance.ephemeral()


def _failure_messages(result: dg.ExecuteInProcessResult) -> list[str]:
    messages = []
    for event in result.all_events:
        if event.event_type == dg.DagsterEventType.STEP_FAILURE and event.step_failure_data:
            error = event.step_failure_data.error
            cause = error.cause if error and error.cause else error
            text = cause.message.strip() if cause else "unknown error"
            messages.append(f"{event.step_key}: {text}")
    return messages


def _run(args: argparse.Namespace) -> int:
    from buying_groups.config import ConfigError, load_config
    from buying_groups.definitions import build_definitions

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
        return 2
    settings = Settings(**{**settings.__dict__, "as_of": as_of.isoformat()})
    print(
        f"buying-groups run: landing={settings.landing_dir} warehouse={settings.warehouse} "
        f"output={settings.output_dir} config={settings.config_dir} as_of={as_of}"
    )
    defs = build_definitions(settings)
    started = time.perf_counter()
    job = defs.resolve_implicit_global_asset_job_def()
    # INFO keeps the progress lines each asset logs and drops Dagster's per-event debug noise.
    run_config = {"loggers": {"console": {"config": {"log_level": args.log_level}}}}
    result = job.execute_in_process(run_config=run_config, instance=_instance(), raise_on_error=False)
    elapsed = time.perf_counter() - started
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        rows = materialization.metadata.get("dagster/row_count")
        rows_text = f"{rows.value:,} rows" if rows is not None else ""
        print(f"  materialized {materialization.asset_key.to_user_string():40s} {rows_text}")
    if not result.success:
        print(f"run FAILED after {elapsed:.1f}s (run id {result.run_id}):", file=sys.stderr)
        for message in _failure_messages(result) or ["see the Dagster event log"]:
            print(f"  {message}", file=sys.stderr)
        return 1
    print(f"run succeeded in {elapsed:.1f}s (run id {result.run_id})")
    return 0


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
    generate.set_defaults(handler=_generate)

    run = commands.add_parser("run", help="ingest new drops and materialize every asset")
    run.add_argument("--landing", help="landing zone (BG_LANDING_DIR, default data/landing)")
    run.add_argument("--warehouse", help="DuckDB file (BG_WAREHOUSE, default data/warehouse.duckdb)")
    run.add_argument("--output", help="output folder (BG_OUTPUT_DIR, default output)")
    run.add_argument("--config", help="config folder (BG_CONFIG_DIR, default config)")
    run.add_argument("--as-of", help="scoring date YYYY-MM-DD (BG_AS_OF, default today UTC)")
    run.add_argument(
        "--log-level",
        default="INFO",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="Dagster console log level (default INFO)",
    )
    run.set_defaults(handler=_run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    raise SystemExit(main())
