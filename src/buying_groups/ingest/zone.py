"""Is the landing zone what it should be, and which of its drops are not ingested yet?

Both questions are asked before a run touches anything: by the CLI (a mistyped ``--landing``
is an error, not an empty run), by the ``landing/drops`` asset, and by the new-drop sensor,
which reads the warehouse's ledger ``meta.landing_files`` so that a drop the CLI ingested
is not ingested again by ``dagster dev``.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from buying_groups.ingest.landing import FILE_PATTERN, printable, scan_landing
from buying_groups.model.entities import ENTITIES
from buying_groups.sql_files import load_sql

_ENTITY_NAMES = frozenset(spec.entity for spec in ENTITIES)
_SHOWN_FILES = 3


class LandingZoneError(Exception):
    """The landing zone is missing or is not a folder of drop folders; nothing was read."""


class WarehouseBusyError(Exception):
    """Another process holds the warehouse for writing, so its ledger cannot be read now."""


def _entity_files(root: Path) -> list[str]:
    """Names of entity CSV files lying directly in ``root`` (where drop folders belong)."""
    names = []
    for path in root.iterdir():
        match = FILE_PATTERN.match(path.name)
        if match and match["entity"] in _ENTITY_NAMES and path.is_file():
            names.append(path.name)
    return sorted(names)


def landing_zone_problem(root: Path) -> str | None:
    """Why ``root`` cannot be the landing zone, or None when it can. An existing folder
    without any drop is fine (a run over it has nothing to ingest); a folder that holds entity
    files itself is a drop folder given in place of the landing zone."""
    name = printable(root)  # a path with a line break must not forge a log line
    if not root.exists():
        return f"landing zone {name} does not exist"
    if not root.is_dir():
        return f"landing zone {name} is a file, not a folder of drop folders"
    try:
        entity_files = _entity_files(root)
    except OSError as exc:
        return f"landing zone {name} cannot be read: {exc.strerror or exc}"
    if entity_files:
        shown = ", ".join(entity_files[:_SHOWN_FILES]) + (", ..." if len(entity_files) > _SHOWN_FILES else "")
        return (
            f"landing zone {name} holds entity files itself ({shown}): it looks like a drop folder; "
            f"give the folder that holds the drop folders (here {printable(root.resolve().parent)}), with "
            "each drop in a folder named by its date (YYYY-MM-DD)"
        )
    return None


def check_landing_zone(root: Path) -> None:
    """Raise :class:`LandingZoneError` when ``root`` cannot be the landing zone."""
    problem = landing_zone_problem(root)
    if problem:
        raise LandingZoneError(problem)


def ingested_files(warehouse: Path) -> set[tuple[str, str]]:
    """``(drop, file)`` of every file the warehouse's ledger records as ingested; empty when
    the warehouse or its ledger does not exist yet. Opened read-only, so reading the ledger
    never creates or changes the warehouse; raises :class:`WarehouseBusyError` while another
    process writes it."""
    if not warehouse.is_file():
        return set()
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            (has_ledger,) = con.execute(
                "SELECT count(*) FROM information_schema.tables "
                "WHERE table_schema = 'meta' AND table_name = 'landing_files'"
            ).fetchone()  # type: ignore[misc]
            if not has_ledger:
                return set()
            return {(drop, name) for drop, name in con.execute(load_sql("ingest/ingested_files")).fetchall()}
    except (duckdb.IOException, duckdb.ConnectionException) as exc:
        # Another process holds the write lock (IOException), or this process has the file
        # open read-write (a read-only connection may not join it: ConnectionException).
        raise WarehouseBusyError(f"warehouse {warehouse} is in use by another process: {exc}") from exc


def drops_with_new_files(root: Path, ingested: set[tuple[str, str]]) -> set[str]:
    """Drops under ``root`` holding an entity file the ledger does not record as ingested:
    the same files a run would register (:func:`~buying_groups.ingest.landing.scan_landing`)."""
    return {f.drop for f in scan_landing(root).files if (f.drop, f.name) not in ingested}
