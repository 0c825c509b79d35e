"""History only moves forward: a run for an ``as_of`` before the latest scored one is refused
with a clear message, and nothing is touched."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from buying_groups.definitions import ALL_ASSETS, ALL_CHECKS
from buying_groups.resources import build_resources
from buying_groups.sample_data import generate_landing
from buying_groups.settings import Settings
from tests.conftest import REPO, cli, run_command

pytestmark = pytest.mark.slow

LATER = dt.date(2026, 11, 20)
EARLIER = dt.date(2026, 11, 10)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    landing = tmp_path_factory.mktemp("generated") / "landing"
    generate_landing(out=landing, leads=500, seed=5, drops=2, end_date=LATER)
    return landing


def run_cli(landing: Path, root: Path, as_of: dt.date) -> subprocess.CompletedProcess[str]:
    return cli(
        run_command(landing, root / "warehouse.duckdb", root / "output", as_of=as_of.isoformat()),
        env={"DAGSTER_HOME": ""},
        timeout=300,
    )


def tree(root: Path) -> dict[str, str]:
    """Every file under ``root`` by relative path, as its SHA-256."""
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_cli_refuses_an_earlier_as_of_and_touches_nothing(tmp_path: Path, generated: Path) -> None:
    later = run_cli(generated, tmp_path, LATER)
    assert later.returncode == 0, later.stderr[-3000:]
    before = tree(tmp_path)

    earlier = run_cli(generated, tmp_path, EARLIER)

    assert earlier.returncode == 2, earlier.stderr[-3000:]
    assert earlier.stderr.splitlines() == [
        f"error: as_of {EARLIER} is before {LATER}, the latest date this warehouse has scored; history only "
        f"moves forward, so nothing was done. Run with --as-of {LATER} or later, or rebuild into a new "
        "warehouse to score earlier dates (docs/operations.md: Scoring an earlier date)"
    ]
    after = tree(tmp_path)
    after.pop("warehouse.duckdb.lock", None)  # the lock file carries the pid of its last holder
    before.pop("warehouse.duckdb.lock", None)
    assert after == before

    # The same date again and a later one are fine.
    assert run_cli(generated, tmp_path, LATER).returncode == 0
    assert run_cli(generated, tmp_path, LATER + dt.timedelta(days=1)).returncode == 0


def test_a_dagster_run_for_an_earlier_as_of_fails_before_writing_any_mart(tmp_path: Path, generated: Path) -> None:
    def settings(as_of: dt.date) -> Settings:
        return Settings(
            landing_dir=generated,
            warehouse=tmp_path / "warehouse.duckdb",
            output_dir=tmp_path / "output",
            config_dir=REPO / "config",
            as_of=as_of.isoformat(),
        )

    def materialize(as_of: dt.date) -> dg.ExecuteInProcessResult:
        return dg.materialize(
            [*ALL_ASSETS, *ALL_CHECKS],
            resources=build_resources(settings(as_of)),
            instance=dg.DagsterInstance.ephemeral(),
            raise_on_error=False,
        )

    def marts() -> dict[str, list[tuple[object, ...]]]:
        with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
            tables = con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' ORDER BY 1"
            ).fetchall()
            return {name: con.execute(f"SELECT * FROM marts.{name} ORDER BY ALL").fetchall() for (name,) in tables}

    assert materialize(LATER).success
    before = marts()

    result = materialize(EARLIER)

    assert not result.success
    failures = [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE]
    assert {e.step_key for e in failures} == {"person_engagement", "marts__account_audience_members"}
    assert all(e.step_failure_data.error.cause.cls_name == "EarlierAsOfError" for e in failures)
    assert marts() == before
