"""The table checks derived from the Pandera models catch what the models forbid."""

from __future__ import annotations

import dataclasses

import pytest

from buying_groups.ingest import register_landing_files
from buying_groups.model import ENTITIES, entity_by_table
from buying_groups.model.validation import count_duplicate_keys, validate_table
from buying_groups.validated import load_entity
from tests.conftest import ACTIVITY_HEADER, COMPANY_HEADER, LEAD_HEADER, MUNCHKIN, activity, company, lead, write_csv


def _load(con, landing):
    write_csv(landing / "2026-11-01" / "companies.csv", COMPANY_HEADER, [company(1), company(2, employees=-3)])
    write_csv(landing / "2026-11-01" / "leads.csv", LEAD_HEADER, [lead(1), lead(2, email="broken@")])
    register_landing_files(con, landing)
    for spec in ENTITIES:
        load_entity(con, spec, MUNCHKIN, 0.9)


def test_ingested_tables_pass_their_models(con, landing):
    _load(con, landing)
    for spec in ENTITIES:
        outcome = validate_table(con, spec)
        assert outcome.passed, (spec.table, outcome)
    assert validate_table(con, entity_by_table("persons")).rows_checked == 2


def test_violations_are_found_in_sql_and_by_pandera(con, landing):
    _load(con, landing)
    con.execute("UPDATE b2b.accounts SET employee_count = -1 WHERE account_key LIKE '1.%'")
    con.execute("UPDATE b2b.persons SET work_email = 'not an email' WHERE person_key LIKE '1@%'")
    con.execute("INSERT INTO b2b.persons SELECT * FROM b2b.persons WHERE person_key LIKE '2@%'")

    accounts = validate_table(con, entity_by_table("accounts"))
    assert accounts.violations == {"employee_count: greater_than_or_equal_to": 1}
    assert accounts.failure_cases[0]["check"] == "greater_than_or_equal_to(0)"

    persons = validate_table(con, entity_by_table("persons"))
    assert persons.violations == {"work_email: str_matches": 1, "person_key: unique": 1}
    assert persons.duplicate_keys == 1 and not persons.passed


def test_count_duplicate_keys_single_and_composite(con):
    con.execute("CREATE TABLE t (a VARCHAR, b INTEGER)")
    assert count_duplicate_keys(con, "t", ["a"]) == 0  # empty
    con.execute("INSERT INTO t VALUES ('x', 1), ('y', 1), (NULL, 1), (NULL, 2)")
    assert count_duplicate_keys(con, "t", ["a"]) == 0  # NULL keys are not duplicates
    assert count_duplicate_keys(con, "t", ["a", "b"]) == 0
    con.execute("INSERT INTO t VALUES ('x', 1), ('x', 2), ('x', 1)")
    assert count_duplicate_keys(con, "t", ["a"]) == 3
    assert count_duplicate_keys(con, "t", ["a", "b"]) == 2
    assert count_duplicate_keys(con, "t", ["b"]) == 5


def test_a_model_may_only_fix_whitelisted_compressions():
    # The compression is written into DDL, so only DuckDB's known method names are accepted.
    column = entity_by_table("experience_events").column("event_id")
    assert column.ddl_type == "VARCHAR USING COMPRESSION fsst"
    with pytest.raises(ValueError, match="compression 'fsst; DROP TABLE x' is not one of"):
        dataclasses.replace(column, compression="fsst; DROP TABLE x")


def test_an_append_only_table_can_be_checked_for_the_rows_of_some_drops(con, landing):
    events = entity_by_table("experience_events")
    write_csv(landing / "2026-11-01" / "leads.csv", LEAD_HEADER, [lead(1)])
    write_csv(
        landing / "2026-11-01" / "activities.csv", ACTIVITY_HEADER, [activity("e1", 1, "2026-11-01T10:00:00Z", 1)]
    )
    write_csv(
        landing / "2026-11-02" / "activities.csv", ACTIVITY_HEADER, [activity("e2", 1, "2026-11-02T10:00:00Z", 1)]
    )
    register_landing_files(con, landing)
    for spec in ENTITIES:
        load_entity(con, spec, MUNCHKIN, 0.9)
    # What a bug could leave: a broken stored row of the first drop, and a (broken) row of the
    # second drop whose key repeats the first drop's.
    con.execute("UPDATE b2b.experience_events SET activity_type_id = -1 WHERE event_id = 'e1'")
    con.execute(
        "INSERT INTO b2b.experience_events SELECT * REPLACE ('2026-11-02' AS source_drop) "
        "FROM b2b.experience_events WHERE event_id = 'e1'"
    )

    second = validate_table(con, events, drops=["2026-11-02"])
    assert second.rows_checked == 2  # e2 and the copy: the first drop's row is not re-checked...
    # ...but the copy's key is compared with it.
    assert second.violations == {"activity_type_id: greater_than_or_equal_to": 1, "event_id: unique": 1}
    assert validate_table(con, events, drops=[]).rows_checked == 0 and validate_table(con, events, drops=[]).passed

    whole = validate_table(con, events)
    assert whole.rows_checked == 3
    assert whole.violations == {"activity_type_id: greater_than_or_equal_to": 2, "event_id: unique": 1}
    with pytest.raises(ValueError, match="not append-only"):
        validate_table(con, entity_by_table("persons"), drops=["2026-11-02"])
