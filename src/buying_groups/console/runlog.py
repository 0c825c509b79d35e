"""The full log of every CLI run, stack traces included, in ``<warehouse folder>/logs/``.

The terminal shows progress, warnings and one ``error:`` line; everything Dagster logs at
DEBUG level goes to ``<run id>.log`` next to the warehouse, which the CLI names at the end of
the run. The newest :data:`KEEP_LOGS` logs are kept; only files named like a run log are
ever removed.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import dagster as dg

LOGS_DIR = "logs"
KEEP_LOGS = 30
_RUN_LOG = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.log")
_FORMAT = "%(asctime)s - %(levelname)s - %(message)s"


def logs_dir_for(warehouse: Path) -> Path:
    return warehouse.parent / LOGS_DIR


def run_log_path(logs_dir: Path, run_id: str) -> Path:
    return logs_dir / f"{run_id}.log"


def prune_run_logs(logs_dir: Path, keep: int = KEEP_LOGS) -> list[Path]:
    """Remove all but the ``keep`` newest run logs; returns the removed paths."""
    if not logs_dir.is_dir():
        return []
    logs = sorted(
        (p for p in logs_dir.iterdir() if p.is_file() and _RUN_LOG.fullmatch(p.name)),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for path in logs[keep:]:
        path.unlink(missing_ok=True)
    return logs[keep:]


def file_logger(logs_dir: Path) -> dg.LoggerDefinition:
    """A Dagster logger writing every record of the run to ``<logs_dir>/<run id>.log``."""

    def _build(init_context: dg.InitLoggerContext) -> logging.Logger:
        logs_dir.mkdir(parents=True, exist_ok=True)
        logger = logging.Logger("buying_groups.run_log", logging.DEBUG)
        handler = logging.FileHandler(run_log_path(logs_dir, init_context.run_id or "run"), encoding="utf-8")
        handler.setFormatter(logging.Formatter(_FORMAT))
        logger.addHandler(handler)
        return logger

    return dg.LoggerDefinition(_build, description="buying-groups run log file")
