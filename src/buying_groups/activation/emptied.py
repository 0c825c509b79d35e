"""Published files that had rows and are empty after this run: said loudly, never silently.

The rule: activation publishes what the warehouse says, so a LinkedIn list or the sales
hand-off that had rows may become empty (every group of a solution interest qualified, a
consent change suppressed every contact, a configuration change emptied an audience). It is
never replaced silently: each such file is named in a warning of the run's log with its
previous row count, counted in the asset's ``emptied_files`` metadata (and listed under
``emptied``), and the CLI's end-of-run summary repeats the count. A list that disappears
altogether (its role is no longer missing, its solution interest no longer targeted) is not
"emptied": its manifest entry goes with it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from buying_groups.activation.linkedin import MANIFEST_NAME, ManifestFile

_READ_BYTES = 1 << 20


@dataclass(frozen=True)
class EmptiedFile:
    """A published file (or LinkedIn list) that had rows before this run and has none now."""

    name: str
    rows_before: int

    def warning(self) -> str:
        return (
            f"{self.name} had {self.rows_before:,} rows and is now empty: check the inputs and the "
            "configuration before uploading or handing it on"
        )


def published_list_rows(linkedin_root: Path) -> dict[str, int]:
    """Rows of every list of the published ``manifest.json`` (``<solution interest>/<list>``);
    empty when there is none yet or it cannot be read (nothing to compare with)."""
    try:
        manifest = json.loads((linkedin_root / MANIFEST_NAME).read_text(encoding="utf-8"))
        return {f"{f['solution_interest_id']}/{f['list_name']}": int(f["list_row_count"]) for f in manifest["files"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def list_rows(files: Iterable[ManifestFile]) -> dict[str, int]:
    """Rows of every list this run wrote, keyed like :func:`published_list_rows`."""
    return {f"{f.solution_interest_id}/{f.list_name}": f.list_row_count for f in files}


def csv_data_rows(path: Path) -> int | None:
    """Data rows of a CSV file the pipeline wrote (no line breaks inside its cells, so one row
    per line after the header); None when there is no such file."""
    try:
        with path.open("rb") as handle:
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(_READ_BYTES), b""))
    except OSError:
        return None
    return max(lines - 1, 0)


def emptied(before: Mapping[str, int], after: Mapping[str, int]) -> list[EmptiedFile]:
    """The names that had rows before and are still published, now without a row."""
    return [EmptiedFile(name, before[name]) for name in sorted(after) if after[name] == 0 and before.get(name, 0) > 0]
