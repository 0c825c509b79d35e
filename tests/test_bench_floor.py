"""bench/floor.py, the CSV-read floor the benchmark compares the pipeline with: it reads every
extract of a drop whole, into memory or into a file it leaves behind as it found it."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from buying_groups.sample_data import generate_landing
from buying_groups.sample_data.profiles import PLAIN, REALISTIC, Profile

FLOOR = Path(__file__).resolve().parents[1] / "bench" / "floor.py"


def floor(drop: Path, *extra: str) -> dict:
    done = subprocess.run([sys.executable, str(FLOOR), str(drop), *extra], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("profile", [REALISTIC, PLAIN], ids=lambda p: p.name)
def test_floor_reads_every_row_of_every_extract(tmp_path: Path, profile: Profile):
    summary = generate_landing(tmp_path / "landing", leads=300, seed=5, end_date=dt.date(2026, 11, 20), profile=profile)
    drop = summary.out / summary.drops[0].name
    database = tmp_path / "floor.duckdb"
    in_memory, into_file = floor(drop), floor(drop, "--database", str(database))
    assert (in_memory["target"], into_file["target"]) == ("memory", "file")
    for report in (in_memory, into_file):
        assert report["seconds"] > 0
        assert {table: info["rows"] for table, info in report["tables"].items()} == summary.drops[0].rows
    assert not database.exists()
    # DuckDB types what it can: zone-less timestamps and true/false are plain types.
    leads = in_memory["tables"]["leads"]["types"]
    expected = ("TIMESTAMP", "BOOLEAN") if profile is PLAIN else ("TIMESTAMP WITH TIME ZONE", "VARCHAR")
    assert (leads["updatedAt"], leads["unsubscribed"]) == expected
