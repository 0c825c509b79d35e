"""The journeys' blocking checks stand between the journey marts and the day's files: a person
action that reaches a suppressed person (planted in the warehouse, as a bug would leave it)
fails `journey_actions_never_suppressed` in the `run_journeys` step, which then writes no
file (`journeys/journey_files` is not materialized), so the files on disk stay as they were."""

import datetime as dt
from pathlib import Path

import dagster as dg
import duckdb

from buying_groups.assets import keys
from buying_groups.definitions import build_definitions
from buying_groups.journeys.files import day_directory
from tests.conftest import generated_project

END = dt.date(2026, 11, 20)


def test_a_failed_journey_check_keeps_the_day_files_from_being_written(tmp_path: Path) -> None:
    settings = generated_project(tmp_path, leads=200, seed=17, drops=1, end_date=END)
    journeys_again = dg.define_asset_job(
        "journeys_again",
        selection=dg.AssetSelection.groups("journeys"),
    )
    definitions = dg.Definitions.merge(build_definitions(settings), dg.Definitions(jobs=[journeys_again]))
    instance = dg.DagsterInstance.ephemeral()
    assert definitions.resolve_implicit_global_asset_job_def().execute_in_process(instance=instance).success
    day = day_directory(settings.output_dir, END)
    before = {path.relative_to(day): path.read_bytes() for path in day.rglob("*") if path.is_file()}
    assert (day / "manifest.json").is_file()

    with duckdb.connect(str(settings.warehouse)) as con:
        (victim,) = con.execute(  # type: ignore[misc]
            "SELECT min(person_key) FROM b2b.persons WHERE is_unsubscribed AND NOT is_deleted"
        ).fetchone()
        assert victim is not None
        # On the day before: re-running END's journeys replaces END's actions, not earlier ones.
        con.execute(
            "INSERT INTO marts.journey_actions "
            "SELECT sha256('planted'), as_of - 1, journey_id, account_key, buying_group_id, entry_number, node_id, "
            "action_index, seq, 'marketo_list', 'planted-list', $victim, payload "
            "FROM marts.journey_actions LIMIT 1",
            {"victim": victim},
        )

    result = definitions.resolve_job_def("journeys_again").execute_in_process(instance=instance, raise_on_error=False)

    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert evaluations["journey_actions_never_suppressed"].passed is False
    assert evaluations["journey_actions_never_suppressed"].metadata["suppressed_person_actions"].value == 1
    assert evaluations["journey_action_ids_unique"].passed is True
    assert evaluations["active_accounts_on_existing_nodes"].passed is True
    assert evaluations["stage_history_follows_the_model"].passed is True
    assert keys.JOURNEY_FILES not in {e.asset_key for e in result.get_asset_materialization_events()}
    assert not result.success
    after = {path.relative_to(day): path.read_bytes() for path in day.rglob("*") if path.is_file()}
    assert after == before
