"""The activation assets and their blocking checks, materialized through Dagster over a
hand-built warehouse file and the real config loader (config copied to tmp_path)."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from buying_groups.assets.activation import (
    ACTIVATION_ASSETS,
    ACTIVATION_CHECKS,
    LINKEDIN_AUDIENCES,
    MARTS_PARQUET,
    SALES_HANDOFF,
)
from buying_groups.resources import OutputResource, ProjectConfigResource, WarehouseResource
from tests.test_activation import SI, Warehouse

REPO_CONFIG = Path(__file__).resolve().parents[1] / "config"


@pytest.fixture
def project(tmp_path: Path) -> dict[str, Path]:
    config_dir = tmp_path / "config"
    shutil.copytree(REPO_CONFIG, config_dir)
    (config_dir / "activation.yaml").write_text(
        f"linkedin:\n  hash_emails: true\n  max_rows_per_file: 2\n  min_rows: 1\n  solution_interests: [{SI}]\n",
        encoding="utf-8",
    )
    warehouse_path = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(warehouse_path))
    warehouse = Warehouse(con)
    warehouse.account("A1")
    warehouse.account("A2", "Ready Inc")
    open_group = warehouse.group("A1")
    ready_group = warehouse.group("A2", completeness=100.0, stage="sales_ready", missing=[], account_name="Ready Inc")
    for number in range(3):
        warehouse.person(f"P{number}", f"p{number}@example.com")
        warehouse.member(open_group, f"P{number}")
    warehouse.person("PX", "optout@example.com", is_unsubscribed=True)
    warehouse.member(open_group, "PX")
    warehouse.person("PR", "buyer@ready.com", account_key="A2")
    warehouse.member(ready_group, "PR", role="Decision Maker")
    con.close()
    return {"config": config_dir, "warehouse": warehouse_path, "output": tmp_path / "output"}


def resources(project: dict[str, Path]) -> dict[str, object]:
    return {
        "warehouse": WarehouseResource(database=str(project["warehouse"])),
        "output": OutputResource(path=str(project["output"])),
        "project_config": ProjectConfigResource(config_dir=str(project["config"]), as_of="2026-11-02"),
    }


def test_materialize_activation_assets_and_checks(project: dict[str, Path]):
    result = dg.materialize([*ACTIVATION_ASSETS, *ACTIVATION_CHECKS], resources=resources(project))
    assert result.success

    checks = result.get_asset_check_evaluations()
    assert len(checks) == len(ACTIVATION_CHECKS)
    assert all(check.passed for check in checks), [(c.check_name, c.metadata) for c in checks if not c.passed]

    linkedin = project["output"] / "linkedin"
    contacts = sorted((linkedin / SI).glob("contacts*.csv"))
    assert [p.name for p in contacts] == ["contacts_part001.csv", "contacts_part002.csv"]
    emails = []
    for path in contacts:
        with path.open(newline="", encoding="utf-8") as handle:
            emails += [row["email"] for row in csv.DictReader(handle)]
    assert emails == sorted(hashlib.sha256(f"p{n}@example.com".encode()).hexdigest() for n in range(3))
    manifest = json.loads((linkedin / "manifest.json").read_text("utf-8"))
    assert manifest["as_of"] == "2026-11-02"
    assert manifest["hash_emails"] is True
    assert not (linkedin / "cloud-analytics").exists()  # not targeted by activation.yaml

    materializations = {m.asset_key: m for m in result.get_asset_materialization_events()}
    linkedin_meta = materializations[LINKEDIN_AUDIENCES].materialization.metadata
    assert linkedin_meta["dagster/row_count"].value == 3 + 1 + 1  # contacts + 2 company lists
    assert "contacts_part002.csv" in linkedin_meta["files"].value
    handoff_meta = materializations[SALES_HANDOFF].materialization.metadata
    assert handoff_meta["dagster/row_count"].value == 1
    assert (project["output"] / "sales_handoff.csv").is_file()
    assert MARTS_PARQUET in materializations
    assert (project["output"] / "marts" / "sales_handoff.parquet").is_file()


def test_a_blocking_check_fails_on_a_foreign_unsafe_file(project: dict[str, Path]):
    # Someone drops a hand-made list next to ours, named like one of ours (so it would be
    # uploaded with them): not in the manifest, formula in a cell. A file not named like
    # ours ("contacts (copy).csv") is not the pipeline's and is left alone, unchecked.
    folder = project["output"] / "linkedin" / SI
    folder.mkdir(parents=True)
    (folder / "contacts (copy).csv").write_bytes(b"email\r\n=cmd\r\n")
    (folder / "contacts_part009.csv").write_bytes(
        b"email,firstname,lastname,jobtitle,employeecompany,country,googleaid\r\noptout@example.com,=cmd,,,,,\r\n"
    )
    result = dg.materialize(
        [*ACTIVATION_ASSETS, *ACTIVATION_CHECKS], resources=resources(project), raise_on_error=False
    )
    failed = {c.check_name for c in result.get_asset_check_evaluations() if not c.passed}
    assert failed == {"linkedin_manifest_checksums", "linkedin_csv_injection_safe", "linkedin_no_suppressed_contacts"}
