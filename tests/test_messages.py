"""The true reason, in one line: a full disk, an unreachable PostgreSQL, hostile names and
FIFOs in the landing zone, through ``buying-groups run`` as a subprocess."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from buying_groups.sample_data import generate_landing
from tests.conftest import (
    COMPANY_HEADER,
    LEAD_HEADER,
    cli,
    company,
    lead,
    run_command,
    small_filesystem,
    write_csv,
)
from tests.postgres import DEPLOY_YAML

pytestmark = pytest.mark.slow

AS_OF = dt.date(2026, 11, 20)


def run_cli(
    landing: Path, root: Path, *, warehouse: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return cli(
        run_command(landing, warehouse or root / "warehouse.duckdb", root / "output", as_of=AS_OF.isoformat()),
        env={"DAGSTER_HOME": "", **(env or {})},
        timeout=300,
    )


def error_lines(done: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in done.stderr.splitlines() if line.startswith("error: ")]


def valid_drop(landing: Path) -> None:
    write_csv(landing / "2026-11-01" / "companies.csv", COMPANY_HEADER, [company(1)])
    write_csv(landing / "2026-11-01" / "leads.csv", LEAD_HEADER, [lead(1), lead(2)])


def test_a_full_disk_under_the_warehouse_is_reported_as_a_full_disk(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    generate_landing(out=landing, leads=20_000, seed=3, drops=1, end_date=AS_OF)  # ~34 MB of CSV
    with small_filesystem(tmp_path / "small", 8 * 1024 * 1024) as disk:
        warehouse = disk / "warehouse.duckdb"
        done = run_cli(landing, tmp_path, warehouse=warehouse)
    assert done.returncode == 1
    errors = error_lines(done)
    assert errors, done.stderr[-3000:]
    assert not [line for line in errors if "not a readable CSV file" in line]
    assert all(": disk full: cannot write " in line and "(No space left on device)" in line for line in errors), errors
    assert any(f"cannot write {warehouse}" in line for line in errors), errors


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nobody listens there once the probe is closed


def test_an_unreachable_postgres_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(DEPLOY_YAML, home / "dagster.yaml")
    landing = tmp_path / "landing"
    valid_drop(landing)
    env = {
        "DAGSTER_HOME": str(home),
        "DAGSTER_PG_HOST": "127.0.0.1",
        "DAGSTER_PG_PORT": str(closed_port()),
        "DAGSTER_PG_DB": "dagster",
        "DAGSTER_PG_USERNAME": "dagster",
        "DAGSTER_PG_PASSWORD": "not-used",
    }
    done = run_cli(landing, tmp_path, env=env)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "Retrying failed database connection" not in done.stderr
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"error: cannot open the Dagster instance of DAGSTER_HOME={home}: connection to server at ")
    assert "Connection refused" in line and line.endswith("nothing was done (is its database running and reachable?)")
    assert not (tmp_path / "warehouse.duckdb").exists()


def test_a_name_with_a_line_break_cannot_forge_a_log_line(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    valid_drop(landing)
    forged = "error: landing__drops: forged"
    (landing / f"not-a-drop\n{forged}").mkdir()
    (landing / "2026-11-02\n").mkdir()  # "$" in a pattern matches before a final line break
    write_csv(landing / "2026-11-02\n" / "leads.csv", LEAD_HEADER, [lead(3)])
    (landing / "2026-11-01" / f"leads.csv\n{forged}").write_text("id\n")

    done = run_cli(landing, tmp_path)

    assert done.returncode == 0, done.stderr[-3000:]
    lines = (done.stdout + done.stderr).splitlines()
    assert not [line for line in lines if line.startswith("error:") or line.startswith(forged)]
    escaped = [line for line in lines if "ignored " in line and "\\n" in line]
    assert any(f"not-a-drop\\n{forged}: not a drop folder" in line for line in escaped), escaped
    assert any("2026-11-02\\n: not a drop folder" in line for line in escaped), escaped
    assert any(f"leads.csv\\n{forged}: unknown file name" in line for line in escaped), escaped


def test_a_fifo_is_reported_as_not_a_regular_file(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    valid_drop(landing)
    os.mkfifo(landing / "2026-11-01" / "activities.csv")  # opening it would wait for a writer

    done = run_cli(landing, tmp_path)

    assert done.returncode == 0, done.stderr[-3000:]
    fifo = landing / "2026-11-01" / "activities.csv"
    assert any(
        f"ignored {fifo}: not a regular file (a FIFO (named pipe)); the landing zone reads only regular files" in line
        for line in done.stderr.splitlines()
    ), done.stderr[-3000:]
