"""Every command-line input is checked before anything is touched.

Argument values (numbers, dates, entity names) are checked by ``argparse`` types; an invalid
one ends the command with exit 2 and one ``error:`` line. Paths are checked once the
``BG_*`` environment variables are merged in: inputs (landing zone, config folder) must exist
and be folders; outputs (warehouse file, output folder) are created when missing, but must be
creatable and, when they exist, be what they claim to be.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import re
import sys
from pathlib import Path
from typing import NoReturn

from buying_groups.ingest.zone import landing_zone_problem
from buying_groups.settings import ENV_CONFIG, ENV_LANDING, ENV_OUTPUT, ENV_WAREHOUSE, Settings

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Bytes 8-11 of every DuckDB database file.
_DUCKDB_MAGIC = b"DUCK"


class OneLineArgumentParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one ``error:`` line (exit 2) instead of the
    usage block: the line says what is wrong and where the help is."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message} (see `{self.prog} --help`)\n")


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not allowed; must be 1 or more")
    return value


def whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed; must be 0 or more seconds")
    return value


def iso_date(text: str) -> str:
    """A calendar date ``YYYY-MM-DD``, returned as given (the commands parse it themselves)."""
    try:
        if not _DATE.fullmatch(text):
            raise ValueError(text)
        dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None
    return text


def _blocking_ancestor(path: Path) -> str | None:
    """Why the folders leading to ``path`` cannot be created, or None."""
    ancestor = path.parent
    while not ancestor.exists():
        if ancestor == ancestor.parent:
            return None
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        return f"{ancestor} is a file"
    if not os.access(ancestor, os.W_OK | os.X_OK):
        return f"{ancestor} is not writable"
    return None


def input_folder_problem(path: Path, what: str, source: str) -> str | None:
    if not path.exists():
        return f"{what} {path} does not exist ({source})"
    if not path.is_dir():
        return f"{what} {path} is a file, not a folder ({source})"
    return None


def output_folder_problem(path: Path, what: str, source: str) -> str | None:
    if path.exists():
        return None if path.is_dir() else f"{what} {path} is a file, not a folder ({source})"
    blocked = _blocking_ancestor(path)
    return f"cannot create {what} {path}: {blocked} ({source})" if blocked else None


def warehouse_problem(path: Path, source: str) -> str | None:
    if path.is_dir():
        return f"warehouse {path} is a folder, not a DuckDB file ({source})"
    if path.is_file():
        try:
            with path.open("rb") as handle:
                head = handle.read(12)
        except OSError as exc:
            return f"warehouse {path} cannot be read: {exc.strerror or exc} ({source})"
        if head[8:12] != _DUCKDB_MAGIC:
            return f"warehouse {path} is not a DuckDB database file ({source})"
        return None
    blocked = _blocking_ancestor(path)
    return f"cannot create warehouse {path}: {blocked} ({source})" if blocked else None


def run_path_problems(settings: Settings) -> list[str]:
    """What is wrong with the paths of ``buying-groups run``, every problem at once."""
    landing_problem = landing_zone_problem(settings.landing_dir)
    problems = [
        f"{landing_problem} (--landing or {ENV_LANDING})" if landing_problem else None,
        input_folder_problem(settings.config_dir, "config folder", f"--config or {ENV_CONFIG}"),
        warehouse_problem(settings.warehouse, f"--warehouse or {ENV_WAREHOUSE}"),
        output_folder_problem(settings.output_dir, "output folder", f"--output or {ENV_OUTPUT}"),
    ]
    return [problem for problem in problems if problem]


def report_problems(problems: list[str]) -> None:
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
