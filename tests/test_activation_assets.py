"""The activation assets and their blocking checks, materialized through Dagster over a
hand-built warehouse file and the real config loader (config copied to tmp_path)."""

from __future__ import annotations

import csv
import hashlib
import json
import logging
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
from tests.activation_world import SI, Warehouse

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
    assert len(checks) == sum(len(definition.check_keys) for definition in ACTIVATION_CHECKS) == 6
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


def warning_messages(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    return [entry.user_message for entry in instance.all_logs(run_id) if entry.level == logging.WARNING]


def test_a_published_file_emptied_by_a_run_is_said_loudly(project: dict[str, Path]):
    instance = dg.DagsterInstance.ephemeral()
    first = dg.materialize([*ACTIVATION_ASSETS], resources=resources(project), instance=instance)
    assert first.success
    # Everyone opts out and the ready group falls back: the next run has nothing to publish.
    with duckdb.connect(str(project["warehouse"])) as con:
        con.execute("UPDATE b2b.persons SET is_unsubscribed = true")
        con.execute("UPDATE marts.buying_groups SET stage = 'incomplete'")
    second = dg.materialize([*ACTIVATION_ASSETS], resources=resources(project), instance=instance)
    assert second.success
    # Still written (the data says so), but never silently.
    assert (project["output"] / "sales_handoff.csv").read_text(encoding="utf-8").count("\n") == 1
    metadata = {m.asset_key: m.materialization.metadata for m in second.get_asset_materialization_events()}
    assert metadata[LINKEDIN_AUDIENCES]["emptied_files"].value == 1
    assert f"{SI}/contacts" in metadata[LINKEDIN_AUDIENCES]["emptied"].value
    assert metadata[SALES_HANDOFF]["emptied_files"].value == 1
    warnings = warning_messages(instance, second.run_id)
    assert any(f"{SI}/contacts had 3 rows and is now empty" in w for w in warnings), warnings
    assert any("sales_handoff.csv had 1 rows and is now empty" in w for w in warnings), warnings
    # The first run replaced nothing, and a run that changes nothing empties nothing.
    first_metadata = {m.asset_key: m.materialization.metadata for m in first.get_asset_materialization_events()}
    assert first_metadata[LINKEDIN_AUDIENCES]["emptied_files"].value == 0
    third = dg.materialize([*ACTIVATION_ASSETS], resources=resources(project), instance=instance)
    third_metadata = {m.asset_key: m.materialization.metadata for m in third.get_asset_materialization_events()}
    assert third_metadata[SALES_HANDOFF]["emptied_files"].value == 0


def test_bi_dimensions_join_every_mart_to_names_and_attributes(project: dict[str, Path]):
    with duckdb.connect(str(project["warehouse"])) as con:
        Warehouse(con).person("PD", "gone@example.com", is_deleted=True)
        con.execute("UPDATE b2b.persons SET department = 'Research', country = 'Deutschland' WHERE person_key = 'P0'")
    result = dg.materialize([*ACTIVATION_ASSETS], resources=resources(project))
    assert result.success
    marts = project["output"] / "marts"
    with duckdb.connect() as con:
        persons = f"read_parquet('{marts / 'persons.parquet'}')"
        accounts = f"read_parquet('{marts / 'accounts.parquet'}')"
        members = f"read_parquet('{marts / 'buying_group_members.parquet'}')"
        # Current persons only (a deleted lead may be an erasure request), consent as one flag.
        assert con.execute(f"SELECT person_key, may_email FROM {persons} ORDER BY 1").fetchall() == [
            ("P0", True),
            ("P1", True),
            ("P2", True),
            ("PR", True),
            ("PX", False),
        ]
        assert con.execute(f"SELECT department, country_code FROM {persons} WHERE person_key = 'P0'").fetchall() == [
            ("Research", "DE")
        ]
        columns = {
            name
            for table in ("persons", "accounts")
            for (name,) in con.execute(
                "SELECT name FROM parquet_schema($path)", {"path": str(marts / f"{table}.parquet")}
            ).fetchall()
        }
        assert {
            "first_name",
            "last_name",
            "job_title",
            "industry",
            "domain",
            "employee_count",
            "country_code",
        } <= columns
        assert not columns & {"source_drop", "source_file", "source_line", "extra_fields", "work_email"}
        # Every member row finds its person and account by key alone.
        joined = con.execute(
            f"""
            SELECT m.person_key, p.first_name, p.job_title, a.account_name, a.industry, a.person_count
            FROM {members} m JOIN {persons} p USING (person_key) JOIN {accounts} a ON a.account_key = p.account_key
            ORDER BY 1
            """
        ).fetchall()
    assert joined == [
        ("P0", "Jane", "CEO", "Acme Corp", "Agriculture", 4),
        ("P1", "Jane", "CEO", "Acme Corp", "Agriculture", 4),
        ("P2", "Jane", "CEO", "Acme Corp", "Agriculture", 4),
        ("PR", "Jane", "CEO", "Ready Inc", "Agriculture", 1),
        ("PX", "Jane", "CEO", "Acme Corp", "Agriculture", 4),
    ]
