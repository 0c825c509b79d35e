"""The statement builders of a validated load, without a database: what the SQL text may hold
(identifiers from the model, constant expressions) and what must be a bound value."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from buying_groups.model import entity_by_table
from buying_groups.model.schemas import ACTIVITY_TYPE_NAMES
from buying_groups.validated import statements

# Markers no model, macro or constant expression contains: wherever they show up, they came
# from the file, the drop or the configuration.
HOSTILE_DROP = "2026-11-01'); DROP TABLE b2b.persons; --"
HOSTILE_FILE = "acti\"vi'ties $p1.csv"
HOSTILE_DRIFT = "x'), (SELECT 1); --"
HOSTILE_MUNCHKIN = "123-ABC-'456"


def _bound_strings(values: dict[str, Any]) -> list[str]:
    """Every bound value as text (the items of a bound list or dict too), to search in."""
    found: list[str] = []
    for value in values.values():
        items = [*value.keys(), *value.values()] if isinstance(value, dict) else value
        found += [str(item) for item in items] if isinstance(items, list) else [str(value)]
    return found


def test_a_scan_statement_binds_every_value_of_the_file_and_formats_none_in(tmp_path: Path) -> None:
    spec = entity_by_table("experience_events")
    header = [*spec.source_columns, HOSTILE_DRIFT]
    path = tmp_path / HOSTILE_DROP.replace("/", "_") / HOSTILE_FILE
    sql, values = statements.scan_and_check_sql(
        spec, HOSTILE_DROP, path, header, HOSTILE_MUNCHKIN, shape_checked=True, record_base=0
    )
    for hostile in (HOSTILE_DROP, HOSTILE_FILE, HOSTILE_DRIFT, HOSTILE_MUNCHKIN):
        assert hostile not in sql
        assert any(hostile in value for value in _bound_strings(values))
    assert values[sql.split("FROM read_csv(")[1].split(",")[0].removeprefix("$")] == str(path)
    # Every placeholder the text names is bound, and nothing else is.
    assert set(re.findall(r"\$(p\d+)", sql)) == set(values)


def test_event_type_names_and_check_labels_are_bound_not_written_into_the_sql() -> None:
    spec = entity_by_table("experience_events")
    sql, values = statements.create_batch_sql(spec, "temp.checked", HOSTILE_MUNCHKIN)
    assert sql.startswith("CREATE OR REPLACE TEMP TABLE checked AS SELECT")
    for name in ACTIVITY_TYPE_NAMES.values():
        assert f"'{name}'" not in sql
        assert name in values.values()

    rejects, labels = statements.rejects_sql(entity_by_table("persons"))
    assert "check: email address syntax" in labels.values()
    assert "email address syntax" not in rejects
    assert set(re.findall(r"\$(p\d+)", rejects)) == set(labels)


def test_the_keep_stored_list_of_persons_keeps_unknown_columns_and_never_lowers_a_raised_flag() -> None:
    keep_stored = statements.keep_stored_sql(entity_by_table("persons"))
    replaced = re.findall(r' END AS "(\w+)"', keep_stored)
    assert len(replaced) == len(set(replaced))
    # A column the file did not carry keeps what the table holds.
    assert (
        "CASE WHEN list_contains(incoming.__absent_columns, 'first_name') "
        'THEN coalesce(current."first_name", incoming."first_name") ELSE incoming."first_name" END AS "first_name"'
    ) in keep_stored
    # is_email_invalid is also raised by a malformed email: an absent column cannot lower it,
    # and a raised incoming flag wins over a stored false.
    assert (
        "CASE WHEN list_contains(incoming.__absent_columns, 'is_email_invalid') "
        'THEN CASE WHEN incoming."is_email_invalid" THEN true ELSE current."is_email_invalid" END '
        'ELSE incoming."is_email_invalid" END AS "is_email_invalid"'
    ) in keep_stored
    # Required columns (the key, the columns every file must carry) always come from the file;
    # derived and lineage columns are not sourced from the file at all.
    for never in ("person_key", "work_email", "updated_at", "created_at", "has_known_account", "source_drop"):
        assert never not in replaced
    assert {"email_as_given", "lead_score", "is_unsubscribed", "is_deleted"} <= set(replaced)


def test_an_append_keeps_the_first_occurrence_and_never_compares_versions() -> None:
    identifiers = statements.merge_identifiers(entity_by_table("experience_events"))
    assert identifiers["not_older"] == "true"
    assert identifiers["precedence"].startswith('validated."source_drop",')
    assert identifiers["key"] == '"event_id"'


def test_a_bulk_batch_drops_its_own_columns_then_restores_not_null() -> None:
    spec = entity_by_table("experience_events")
    batch = statements.bulk_table(spec)
    assert batch == 'b2b."experience_events__loading"'
    alters = statements.bulk_reshape_sql(spec, batch)
    dropped = [re.search(r'DROP COLUMN "(.+)"$', a).group(1) for a in alters if "DROP COLUMN" in a]  # type: ignore[union-attr]
    not_null = [re.search(r'ALTER COLUMN "(.+)" SET NOT NULL$', a).group(1) for a in alters if "NOT NULL" in a]  # type: ignore[union-attr]
    assert all("DROP COLUMN" in a for a in alters[: len(dropped)])  # drops first
    assert {"__reject", "__has_problem", "record_base", "__raw_marketoGUID"} <= set(dropped)
    assert not any(name in dropped for name in ("event_id", "source_line"))
    assert {"event_id", "person_key", "timestamp", "event_type"} <= set(not_null)
    assert "campaign_id" not in not_null
    # No lookup is filled before the prune unless the model has one.
    assert (
        statements.bulk_lookup_sql(spec, batch)
        == f'UPDATE {batch} SET "has_known_person" = bg_known_person(person_key)'
    )
    assert statements.bulk_lookup_sql(entity_by_table("accounts"), "b2b.x") is None


def test_describe_check_reads_as_an_operator_would() -> None:
    assert statements.describe_check("greater_than_or_equal_to", {"min_value": 1}) == ">= 1"
    assert statements.describe_check("in_range", {"min_value": 0, "max_value": 100}) == "between 0 and 100"
    assert statements.describe_check("str_matches", {"pattern": "^[0-9]+$"}) == "format"
    assert statements.describe_check("isin", {"allowed_values": ["a"]}) == "isin"
