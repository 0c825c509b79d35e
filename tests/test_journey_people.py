"""``people.where`` of a person action filters the group's members on any persons field, also
one the action's payload does not carry (the engine reads only the persons columns it needs):
the same day run again with a ``where`` on ``lead_score`` and ``department`` reaches exactly
the members it reached before that satisfy it."""

import datetime as dt
import shutil
from pathlib import Path

import dagster as dg
import duckdb

from buying_groups.definitions import build_definitions
from buying_groups.settings import Settings
from tests.conftest import REPO, generated_project

END = dt.date(2026, 11, 20)
LIST = "seeds-nurture"
ROLES_ONLY = "people: {roles: [Decision Maker, Influencer]}"


def _list_members(warehouse: Path) -> set[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "SELECT person_key FROM marts.journey_actions WHERE action_type = 'marketo_list' AND target = $list",
            {"list": LIST},
        ).fetchall()
    return {person_key for (person_key,) in rows}


def test_people_where_filters_on_fields_outside_the_payload(tmp_path: Path) -> None:
    settings = generated_project(tmp_path, leads=400, seed=23, drops=1, end_date=END)
    config = tmp_path / "config"
    shutil.copytree(REPO / "config", config)
    settings = Settings(**{**vars(settings), "config_dir": config})
    instance = dg.DagsterInstance.ephemeral()
    full_run = build_definitions(settings).resolve_implicit_global_asset_job_def()
    assert full_run.execute_in_process(instance=instance).success
    reached = _list_members(settings.warehouse)
    assert len(reached) >= 4, "the sample journey should add several members to the list"

    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        rows = con.execute(
            "SELECT person_key, lead_score, nullif(trim(department), '') FROM b2b.persons "
            "WHERE list_contains($keys, person_key)",
            {"keys": sorted(reached)},
        ).fetchall()
    scores = {key: score for key, score, _ in rows}
    departments = {key: department for key, _, department in rows}
    threshold = sorted(score for score in scores.values() if score is not None)[len(scores) // 2]
    journeys_yaml = config / "journeys.yaml"
    text = journeys_yaml.read_text(encoding="utf-8")
    assert text.count(ROLES_ONLY) == 1
    where = (
        "people: {roles: [Decision Maker, Influencer], where: {all: ["
        f"{{field: lead_score, op: gte, value: {threshold}}}, {{field: department, op: is_not_empty}}]}}}}"
    )
    journeys_yaml.write_text(text.replace(ROLES_ONLY, where), encoding="utf-8")

    journeys_again = dg.define_asset_job("journeys_again", selection=dg.AssetSelection.groups("journeys"))
    definitions = dg.Definitions.merge(build_definitions(settings), dg.Definitions(jobs=[journeys_again]))
    assert definitions.resolve_job_def("journeys_again").execute_in_process(instance=instance).success

    expected = {
        key for key in reached if scores[key] is not None and scores[key] >= threshold and departments[key] is not None
    }
    assert expected and expected != reached  # the filter keeps some members and drops others
    assert _list_members(settings.warehouse) == expected
