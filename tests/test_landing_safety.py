"""The landing zone under attack: links, headers that are not headers, hostile names.

End to end through ``buying-groups run`` (a subprocess) with ``DAGSTER_HOME`` set, so the
Dagster event log is a real file that can be searched for anything that must not leak.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import duckdb
import pytest

from tests.conftest import COMPANY_HEADER, LEAD_HEADER, cli, company, lead, run_command, write_csv

pytestmark = pytest.mark.slow

SECRET = "postgres://admin:hunter2-s3cret@db.internal:5432/prod"


def valid_drop(landing: Path, drop: str = "2026-11-01") -> None:
    write_csv(landing / drop / "companies.csv", COMPANY_HEADER, [company(1)])
    write_csv(landing / drop / "leads.csv", LEAD_HEADER, [lead(1), lead(2)])


def secrets_file(tmp_path: Path) -> Path:
    path = tmp_path / "elsewhere" / "db.env"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{SECRET}\nsecond line\n")
    return path


def run_cli(tmp_path: Path, landing: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """``buying-groups run`` with a real Dagster instance on disk under ``tmp_path/dagster_home``."""
    home = tmp_path / "dagster_home"
    home.mkdir(exist_ok=True)
    return cli(
        run_command(landing, tmp_path / "warehouse.duckdb", tmp_path / "output", *extra),
        env={"DAGSTER_HOME": str(home)},
        timeout=300,
    )


def leaked_into(tmp_path: Path, done: subprocess.CompletedProcess[str], secret: str) -> list[str]:
    """Where ``secret`` shows up: stdout, stderr, or a file of the Dagster instance (event log,
    run storage, logs)."""
    places = [name for name, text in (("stdout", done.stdout), ("stderr", done.stderr)) if secret in text]
    for path in (tmp_path / "dagster_home").rglob("*"):
        if path.is_file() and secret.encode() in path.read_bytes():
            places.append(str(path))
    return places


def test_symlinked_landing_file_and_drop_folder_are_not_followed(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    valid_drop(landing)
    secret = secrets_file(tmp_path)
    (landing / "2026-11-02").mkdir()
    (landing / "2026-11-02" / "leads.csv").symlink_to(secret)
    # A whole drop folder linked to somewhere else, holding a "leads.csv" that is a secret.
    outside = tmp_path / "elsewhere" / "drop"
    outside.mkdir()
    (outside / "leads.csv").write_text(f"{SECRET}\n")
    (landing / "2026-11-03").symlink_to(outside, target_is_directory=True)

    done = run_cli(tmp_path, landing)

    assert done.returncode == 0, done.stderr[-3000:]
    assert leaked_into(tmp_path, done, "hunter2") == []
    log = done.stdout + done.stderr
    for name in ("2026-11-02/leads.csv", "2026-11-03"):
        assert any(name in line and "symbolic link: not followed" in line for line in log.splitlines()), name
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        ledger = con.execute('SELECT "drop", source_file FROM meta.landing_files ORDER BY ALL').fetchall()
    assert ledger == [("2026-11-01", "companies.csv"), ("2026-11-01", "leads.csv")]


def test_a_header_that_does_not_parse_is_never_echoed(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    valid_drop(landing)
    # A real file this time (someone copied the wrong file into the drop).
    bad = landing / "2026-11-02" / "leads.csv"
    bad.parent.mkdir()
    bad.write_text(f"id,{SECRET},firstName\n1,x,Ann\n")

    done = run_cli(tmp_path, landing)

    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, done.stderr[-3000:]
    assert f"{bad}:1: missing required column(s) contactCompany, email, " in errors[0]
    assert "header has: id, firstName and 1 other cell(s), not shown" in errors[0]
    assert leaked_into(tmp_path, done, "hunter2") == []
