"""Shared fixtures: real DuckDB files and real CSV files in temp dirs, a real PostgreSQL database."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import duckdb
import pytest

from buying_groups.sample_data import generate_landing
from buying_groups.settings import Settings
from tests.postgres import PgServer, throwaway_database

MUNCHKIN = "123-ABC-456"
REPO = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-20"

LEAD_HEADER = [
    "id",
    "email",
    "firstName",
    "lastName",
    "title",
    "company",
    "contactCompany",
    "country",
    "unsubscribed",
    "marketingSuspended",
    "emailInvalid",
    "marketoIsDeleted",
    "createdAt",
    "updatedAt",
]
COMPANY_HEADER = [
    "id",
    "company",
    "website",
    "industry",
    "numberOfEmployees",
    "annualRevenue",
    "billingCountry",
    "marketoIsDeleted",
    "createdAt",
    "updatedAt",
]
ACTIVITY_HEADER = [
    "marketoGUID",
    "leadId",
    "activityDate",
    "activityTypeId",
    "campaignId",
    "primaryAttributeValueId",
    "primaryAttributeValue",
    "attributes",
]


def run_command(
    landing: Path, warehouse: Path, output: Path, *extra: str, as_of: str = AS_OF, config: Path = REPO / "config"
) -> list[str]:
    """The argv of `buying-groups run` (as `python -m buying_groups.cli`, so the test's venv runs it)."""
    return [
        sys.executable, "-m", "buying_groups.cli", "run",
        "--landing", str(landing), "--warehouse", str(warehouse), "--output", str(output),
        "--config", str(config), "--as-of", as_of, *extra,
    ]  # fmt: skip


def cli(
    command: list[str], env: dict[str, str] | None = None, *, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """Run a command from the repository root, capturing its output as text."""
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=REPO,
        timeout=timeout,
    )


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]], *, bom: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        if bom:
            handle.write("\ufeff")
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def lead(
    id_: object,
    email: str = "",
    title: str = "CEO",
    company: object = 1,
    *,
    updated: str = "2026-10-01T00:00:00Z",
    deleted: str = "false",
    unsubscribed: str = "false",
    country: str = "US",
    first: str = "Ann",
    last: str = "Lee",
) -> list[object]:
    email = email or f"person{id_}@acme.com"
    return [
        id_,
        email,
        first,
        last,
        title,
        "Acme",
        company,
        country,
        unsubscribed,
        "false",
        "false",
        deleted,
        "2026-01-01T00:00:00Z",
        updated,
    ]


def company(
    id_: object,
    name: str = "Acme",
    *,
    industry: str = "Agriculture",
    employees: object = 600,
    revenue: object = 1000000,
    updated: str = "2026-10-01T00:00:00Z",
    deleted: str = "false",
    website: str = "https://www.acme.com",
) -> list[object]:
    return [id_, name, website, industry, employees, revenue, "United States", deleted, "2026-01-01T00:00:00Z", updated]


def activity(
    guid: str,
    lead_id: object,
    date: str = "2026-11-01T10:00:00Z",
    type_id: object = 2,
    value: str = "AI Seeds Whitepaper",
) -> list[object]:
    return [guid, lead_id, date, type_id, "c1", "11", value, '{"Webpage URL": "/seeds"}']


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    root = tmp_path / "landing"
    root.mkdir()
    return root


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    """A copy of the shipped `config/` that a test may edit."""
    target = tmp_path / "config"
    shutil.copytree(REPO / "config", target)
    return target


@pytest.fixture
def warehouse_path(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


@pytest.fixture
def con(warehouse_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(warehouse_path))
    connection.execute("SET TimeZone = 'UTC'")
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def pg_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PgServer, str]]:
    """A fresh database on a real PostgreSQL server (see tests/postgres.py), dropped after the
    module's tests. Never a mock: the tests skip, saying why, only when no server can be had."""
    with throwaway_database(tmp_path_factory.mktemp("embedded-pg")) as database:
        if isinstance(database, str):
            pytest.skip(database)
        yield database


@contextlib.contextmanager
def small_filesystem(path: Path, size_bytes: int) -> Iterator[Path]:
    """A real, separate filesystem of ``size_bytes`` mounted at ``path`` (tmpfs), so a write
    fails with the kernel's own "No space left on device". Mounting needs root (CI runs as
    root); elsewhere the test is skipped, saying why."""
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs to fill the disk needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_bytes}", "tmpfs", str(path)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def fill_filesystem(path: Path, leave_bytes: int) -> None:
    """Fill the filesystem holding ``path`` until about ``leave_bytes`` are free."""
    free = shutil.disk_usage(path).free
    (path / "filler").write_bytes(b"\0" * max(free - leave_bytes, 0))


def generated_project(root: Path, *, leads: int, seed: int, drops: int, end_date: dt.date) -> Settings:
    """Generated extracts under ``root/landing`` and the settings of a project that reads them
    with the repository's config (warehouse and output under ``root``), scored as of
    ``end_date``."""
    generate_landing(out=root / "landing", leads=leads, seed=seed, drops=drops, end_date=end_date)
    return Settings(
        landing_dir=root / "landing",
        warehouse=root / "warehouse.duckdb",
        output_dir=root / "output",
        config_dir=REPO / "config",
        as_of=end_date.isoformat(),
    )
