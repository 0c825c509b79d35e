"""The Definitions load, and every asset carries what the UI needs to tell the story:
description, kinds, owners, group; row counts, column schemas and column lineage on its
materializations."""

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from buying_groups.assets import keys
from buying_groups.assets.keys import table_of
from buying_groups.definitions import build_definitions, defs
from buying_groups.model.entities import ENTITIES
from buying_groups.model.marts import MARTS
from tests.conftest import generated_project

REPO = Path(__file__).resolve().parents[1]
END = dt.date(2026, 11, 20)
GROUPS = set(keys.GROUPS)
MARTS_WITH_LINEAGE = {
    dg.AssetKey(["marts", name])
    for name in ("person_engagement", "buying_groups", "buying_group_members", "buying_group_roles")
}


def test_dagster_validates_the_code_location(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "dagster", "definitions", "validate", "-w", "workspace.yaml"],
        cwd=REPO,
        env={**os.environ, "DAGSTER_HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def test_every_asset_has_description_kinds_owners_and_group():
    nodes = list(defs.resolve_asset_graph().asset_nodes)
    assert len(nodes) >= 15
    for node in nodes:
        name = node.key.to_user_string()
        assert node.description and len(node.description) > 20, name
        assert node.kinds, name
        assert node.owners, name
        assert node.group_name in GROUPS, name
    assert {node.group_name for node in nodes} == GROUPS


def test_groups_follow_the_data_flow():
    """Every dependency points from a group to itself or to a later group of ``keys.GROUPS``."""
    graph = defs.resolve_asset_graph()
    order = {group: index for index, group in enumerate(keys.GROUPS)}
    backwards = [
        (parent.to_user_string(), node.key.to_user_string())
        for node in graph.asset_nodes
        for parent in node.parent_keys
        if order[graph.get(parent).group_name or ""] > order[node.group_name or ""]
    ]
    assert backwards == []


# Outside code spans, `<word>` is an HTML tag to the UI's Markdown renderer: it vanishes.
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
_HTML_LIKE = re.compile(r"<[A-Za-z/][^>]*>")


def user_facing_texts() -> dict[str, str]:
    """Every text the UI renders as Markdown: descriptions of assets, checks, jobs, the sensor
    and schedule, resources, tables and columns."""
    graph = defs.resolve_asset_graph()
    texts = {f"asset {node.key.to_user_string()}": node.description or "" for node in graph.asset_nodes}
    texts |= {f"check {key.name}": graph.get_check_spec(key).description or "" for key in graph.asset_check_keys}
    texts |= {f"job {job.name}": job.description or "" for job in defs.resolve_all_job_defs()}
    texts |= {f"sensor {s.name}": s.description or "" for s in defs.sensors or []}
    texts |= {f"schedule {s.name}": s.description or "" for s in defs.schedules or []}
    texts |= {f"resource {name}": type(r).__doc__ or "" for name, r in (defs.resources or {}).items()}
    for spec in ENTITIES:
        texts |= {f"column b2b.{spec.table}.{c.name}": c.description for c in spec.columns}
    for mart in MARTS:
        texts[f"table {mart.qualified_table}"] = mart.description
        texts |= {f"column {mart.qualified_table}.{c.name}": c.description for c in mart.columns}
    return texts


def test_user_facing_text_is_markdown_without_internal_references():
    texts = user_facing_texts()
    assert len(texts) > 150
    problems = []
    for name, text in texts.items():
        if "``" in text:
            problems.append(f"{name}: RST double backticks")
        if "SPEC" in text:
            problems.append(f"{name}: cites the internal specification")
        if _HTML_LIKE.search(_CODE_SPAN.sub("", text)):
            problems.append(f"{name}: a <tag> outside a code span would vanish: {text!r}")
    assert problems == []


def test_jobs_schedule_and_sensor_are_registered():
    assert {"ingest_new_drops", "daily_scoring"} <= {job.name for job in defs.resolve_all_job_defs()}
    assert [s.name for s in defs.schedules or []] == ["daily_scoring_schedule"]
    assert [s.name for s in defs.sensors or []] == ["new_drop_sensor"]


@pytest.fixture(scope="module")
def materialized(tmp_path_factory: pytest.TempPathFactory) -> dict[dg.AssetKey, dg.AssetMaterialization]:
    tmp = tmp_path_factory.mktemp("definitions")
    settings = generated_project(tmp, leads=200, seed=17, drops=2, end_date=END)
    job = build_definitions(settings).resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(instance=dg.DagsterInstance.ephemeral())
    assert result.success
    return {
        event.asset_key: event.step_materialization_data.materialization
        for event in result.get_asset_materialization_events()
    }


def test_every_materialization_has_row_count_and_tables_their_schema(materialized):
    graph = defs.resolve_asset_graph()
    assert set(materialized) == {node.key for node in graph.asset_nodes if node.is_materializable}
    for key, materialization in materialized.items():
        name = key.to_user_string()
        if key == keys.LANDING_DROPS:
            # It registers files, not rows (their rows are counted by the tables that read them).
            assert "dagster/row_count" not in materialization.metadata
            assert isinstance(materialization.metadata["new_files"].value, int)
            continue
        assert isinstance(materialization.metadata["dagster/row_count"].value, int), name
        # A table (it names itself with dagster/table_name) shows its columns and a preview.
        if "dagster/table_name" in materialization.metadata or "dagster/table_name" in graph.get(key).metadata:
            schema = materialization.metadata["dagster/column_schema"].value
            assert schema.columns, name
            assert "preview" in materialization.metadata, name


def test_every_table_column_has_a_description(materialized):
    """The UI's Columns table shows a meaning for every column of every table."""
    for key, materialization in materialized.items():
        table = table_of(key)
        if table is None:
            continue
        schema = materialization.metadata["dagster/column_schema"].value
        assert all(column.description for column in schema.columns), key.to_user_string()
        assert materialization.metadata["dagster/table_name"].value == table


def test_column_lineage_points_at_real_upstream_columns(materialized):
    graph = defs.resolve_asset_graph()
    for key in MARTS_WITH_LINEAGE:
        lineage = materialized[key].metadata["dagster/column_lineage"].value
        own_columns = {c.name for c in materialized[key].metadata["dagster/column_schema"].value.columns}
        assert lineage.deps_by_column, key
        for column, deps in lineage.deps_by_column.items():
            assert column in own_columns, (key, column)
            for dep in deps:
                assert dep.asset_key in graph.get(key).parent_keys, (key, dep.asset_key)
                upstream = {c.name for c in materialized[dep.asset_key].metadata["dagster/column_schema"].value.columns}
                assert dep.column_name in upstream, (key, column, dep)


def test_the_journey_files_table_sums_up_the_sales_alerts_in_one_row(materialized):
    """Thousands of alert files at a million leads: the UI's table lists the day's CSVs and one
    row for the alerts (their files are in the day's manifest), with the count on disk."""
    metadata = materialized[keys.JOURNEY_FILES].metadata
    folder = Path(metadata["folder"].value)
    on_disk = sorted(p.name for p in (folder / "sales_alerts").iterdir())
    assert on_disk, "the sample journeys alert sales on this world"
    assert metadata["sales_alerts"].value == len(on_disk) // 2 == len([n for n in on_disk if n.endswith(".json")])
    table = metadata["files"].value
    assert table.count("sales_alerts/") == 1
    assert f"| {len(on_disk) // 2} |" in table
    for name in ("marketo_list_adds.csv", "linkedin_contact_adds.csv", "stage_changes.csv"):
        assert f"| `{name}` |" in table
