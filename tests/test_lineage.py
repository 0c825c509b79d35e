"""The lineage the Dagster UI shows is the real data path.

Each step is materialized alone on a warehouse that holds only what the assets it declares as
its dependencies produce: every other ``b2b``/``marts`` table and the whole ``work`` schema (scratch
tables of other steps) are dropped first. A step that read a table it does not declare would
fail here, so the graph cannot drift from the SQL.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from buying_groups.assets.keys import table_of
from buying_groups.definitions import ALL_ASSETS
from buying_groups.model.marts import MARTS
from buying_groups.resources import build_resources
from buying_groups.sample_data import generate_landing
from buying_groups.settings import Settings

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
END = dt.date(2026, 11, 20)
# The ledger and the quarantine are written by ingest and every validated step; every step
# downstream of them may keep them.
ALWAYS_KEPT = {"meta.landing_files", "b2b.rejected_rows"}
GRAPH = dg.Definitions(assets=ALL_ASSETS, resources=build_resources(Settings())).resolve_asset_graph()


def settings_for(root: Path, landing: Path) -> Settings:
    return Settings(
        landing_dir=landing,
        warehouse=root / "warehouse.duckdb",
        output_dir=root / "output",
        config_dir=REPO / "config",
        as_of=END.isoformat(),
    )


@pytest.fixture(scope="module")
def full_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("lineage")
    landing = root / "landing"
    generate_landing(out=landing, leads=600, seed=3, drops=1, end_date=END)
    result = dg.materialize(ALL_ASSETS, resources=build_resources(settings_for(root, landing)))
    assert result.success
    return root, landing


def _steps() -> list[tuple[str, set[dg.AssetKey]]]:
    """(step name, the asset keys it produces), one per asset definition; a multi-asset is
    named by its first key in sorted order (the same in every pytest-xdist worker)."""
    return [(min(a.keys).to_user_string(), set(a.keys)) for a in ALL_ASSETS]


@pytest.mark.parametrize(("step", "keys"), _steps(), ids=[name for name, _ in _steps()])
def test_step_reads_only_what_its_declared_upstream_produces(
    full_run: tuple[Path, Path], tmp_path: Path, step: str, keys: set[dg.AssetKey]
) -> None:
    root, landing = full_run
    shutil.copy(root / "warehouse.duckdb", tmp_path / "warehouse.duckdb")
    shutil.copytree(root / "output", tmp_path / "output")
    declared = set().union(*(GRAPH.get(key).parent_keys for key in keys))
    kept = {table_of(key) for key in declared | keys} | ALWAYS_KEPT
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        tables = con.execute(
            "SELECT schema_name || '.' || table_name FROM duckdb_tables() WHERE schema_name IN ('b2b', 'marts', 'work')"
        ).fetchall()
        dropped = sorted(table for (table,) in tables if table not in kept)
        for table in dropped:
            con.execute(f"DROP TABLE {table}")
    assets = [a for a in ALL_ASSETS if set(a.keys) == keys]
    result = dg.materialize(
        assets,
        resources=build_resources(settings_for(tmp_path, landing)),
        selection=list(keys),
        raise_on_error=False,
    )
    errors = [event.event_specific_data.error for event in result.all_events if event.is_step_failure]
    reasons = [(error.cause or error).message.strip() for error in errors]
    assert result.success, f"{step} failed on a warehouse without {dropped}: {reasons}"


def test_every_mart_of_a_run_has_exactly_its_model_columns(full_run: tuple[Path, Path]) -> None:
    root, _ = full_run
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        tables = {
            name: [(column, kind) for column, kind, *_ in con.execute(f"DESCRIBE marts.{name}").fetchall()]
            for (name,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts'").fetchall()
        }
    assert tables == {spec.table: [(c.name, c.duckdb_type) for c in spec.columns] for spec in MARTS}
