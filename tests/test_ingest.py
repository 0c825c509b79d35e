"""SPEC §2 ingestion semantics on real CSV files and a real DuckDB file."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

import buying_groups.validated.statements as validated_statements
from buying_groups.ingest import UnusableFileError, register_landing_files
from buying_groups.model import ENTITIES, entity_by_table
from buying_groups.model.ddl import ensure_b2b_tables
from buying_groups.validated import RejectedShareError, load_entity
from tests.conftest import (
    ACTIVITY_HEADER,
    COMPANY_HEADER,
    LEAD_HEADER,
    MUNCHKIN,
    activity,
    company,
    lead,
    write_csv,
)


def ingest(con: duckdb.DuckDBPyConnection, landing: Path, max_share: float = 0.9) -> dict[str, object]:
    register_landing_files(con, landing)
    return {spec.entity: load_entity(con, spec, MUNCHKIN, max_share) for spec in ENTITIES}


def person(con: duckdb.DuckDBPyConnection, lead_id: int) -> dict[str, object] | None:
    relation = con.execute("SELECT * FROM b2b.persons WHERE person_key = $k", {"k": f"{lead_id}@{MUNCHKIN}.Marketo"})
    row = relation.fetchone()
    return dict(zip([d[0] for d in relation.description], row, strict=True)) if row else None


def table_rows(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[object, ...]]:
    return con.execute(f"SELECT * EXCLUDE (source_drop, source_file, source_line) FROM {table} ORDER BY ALL").fetchall()


def test_keys_follow_the_b2b_source_key_convention(con, landing):
    write_csv(landing / "2026-11-01" / "companies.csv", COMPANY_HEADER, [company(7)])
    write_csv(landing / "2026-11-01" / "leads.csv", LEAD_HEADER, [lead(42, company=7)])
    ingest(con, landing)
    assert con.sql("SELECT account_key FROM b2b.accounts").fetchall() == [("7.mkto_org@123-ABC-456.Marketo",)]
    assert con.sql("SELECT person_key, account_key, has_known_account FROM b2b.persons").fetchall() == [
        ("42@123-ABC-456.Marketo", "7.mkto_org@123-ABC-456.Marketo", True)
    ]


def test_later_drop_replaces_and_stale_update_is_ignored(con, landing):
    write_csv(
        landing / "2026-11-01" / "leads.csv",
        LEAD_HEADER,
        [lead(1, title="CTO", updated="2026-10-01T00:00:00Z"), lead(2, title="CFO", updated="2026-10-05T00:00:00Z")],
    )
    write_csv(
        landing / "2026-11-02" / "leads.csv",
        LEAD_HEADER,
        [
            lead(1, title="CEO", updated="2026-10-02T00:00:00Z"),  # newer: replaces
            lead(2, title="Intern", updated="2026-10-04T00:00:00Z"),
        ],
    )  # older: stale, ignored
    results = ingest(con, landing)
    assert person(con, 1)["job_title"] == "CEO"
    assert person(con, 2)["job_title"] == "CFO"
    assert results["leads"].rows_superseded_in_batch == 2


def test_stale_update_in_a_later_run_is_ignored(con, landing):
    write_csv(landing / "2026-11-01" / "leads.csv", LEAD_HEADER, [lead(1, title="CFO", updated="2026-10-05T00:00:00Z")])
    ingest(con, landing)
    write_csv(
        landing / "2026-11-02" / "leads.csv", LEAD_HEADER, [lead(1, title="Intern", updated="2026-10-01T00:00:00Z")]
    )
    results = ingest(con, landing)
    assert person(con, 1)["job_title"] == "CFO"
    assert results["leads"].rows_stale_ignored == 1


def test_equal_updated_at_in_a_later_drop_wins(con, landing):
    write_csv(landing / "2026-11-01" / "leads.csv", LEAD_HEADER, [lead(1, title="CFO")])
    write_csv(landing / "2026-11-02" / "leads.csv", LEAD_HEADER, [lead(1, title="COO")])
    ingest(con, landing)
    assert person(con, 1)["job_title"] == "COO"


def test_first_load_into_an_empty_table_counts_like_an_upsert(con, landing):
    # An upsert into an empty table is inserted the way an append is (load.py, _merge); its
    # counts must read as the upsert's would.
    write_csv(
        landing / "2026-11-01" / "leads.csv",
        LEAD_HEADER,
        [lead(1, title="CTO"), lead(2, deleted="TRUE"), lead(1, title="CEO", updated="2026-11-01T00:00:00Z")],
    )
    results = ingest(con, landing)
    assert person(con, 1)["job_title"] == "CEO"
    assert person(con, 2)["is_deleted"] is True
    leads = results["leads"]
    assert (leads.rows_applied, leads.rows_superseded_in_batch, leads.rows_stale_ignored) == (2, 1, 0)
    assert leads.deletes_applied == 1


def test_delete_flags_the_entity_and_keeps_it(con, landing):
    write_csv(landing / "2026-11-01" / "leads.csv", LEAD_HEADER, [lead(1), lead(2)])
    ingest(con, landing)
    write_csv(
        landing / "2026-11-02" / "leads.csv", LEAD_HEADER, [lead(1, deleted="TRUE", updated="2026-11-02T00:00:00Z")]
    )
    results = ingest(con, landing)
    assert person(con, 1)["is_deleted"] is True
    assert person(con, 2)["is_deleted"] is False
    assert results["leads"].deletes_applied == 1


def test_activities_append_and_deduplicate_on_guid(con, landing):
    write_csv(landing / "2026-11-01" / "leads.csv", LEAD_HEADER, [lead(1)])
    write_csv(
        landing / "2026-11-01" / "activities.csv",
        ACTIVITY_HEADER,
        [activity("g1", 1), activity("g2", 1), activity("g1", 1, value="duplicate in file")],
    )
    ingest(con, landing)
    write_csv(
        landing / "2026-11-02" / "activities.csv",
        ACTIVITY_HEADER,
        [activity("g2", 1, value="again next drop"), activity("g3", 1, type_id=46)],
    )
    results = ingest(con, landing)
    rows = con.sql(
        "SELECT event_id, primary_attribute_value, event_type FROM b2b.experience_events ORDER BY 1"
    ).fetchall()
    assert rows == [
        ("g1", "AI Seeds Whitepaper", "Fill Out Form"),
        ("g2", "AI Seeds Whitepaper", "Fill Out Form"),
        ("g3", "AI Seeds Whitepaper", "Interesting Moment"),
    ]
    assert results["activities"].rows_applied == 1
    assert results["activities"].rows_superseded_in_batch == 1


def test_first_activity_load_becomes_the_table_with_its_constraints(con, landing):
    # The first load appends into an empty table: the staged batch is reshaped and renamed
    # (load.py, bulk load). The result must be the table the DDL describes, nothing left over.
    write_csv(landing / "2026-11-01" / "leads.csv", LEAD_HEADER, [lead(1)])
    write_csv(
        landing / "2026-11-01" / "activities.csv",
        ACTIVITY_HEADER,
        [activity("g1", 1), activity("g2", 999), activity("", 1), activity("g1", 1, value="again"), activity("g3", 1)],
    )
    results = ingest(con, landing)
    assert results["activities"].rows_applied == 3
    assert results["activities"].rows_superseded_in_batch == 1
    assert results["activities"].rows_quarantined == 1
    rows = con.sql(
        "SELECT event_id, source_line, has_known_person, primary_attribute_value FROM b2b.experience_events ORDER BY 1"
    ).fetchall()
    assert rows == [
        ("g1", 2, True, "AI Seeds Whitepaper"),
        ("g2", 3, False, "AI Seeds Whitepaper"),
        ("g3", 6, True, "AI Seeds Whitepaper"),
    ]
    ddl = con.sql(
        "SELECT column_name, data_type, is_nullable FROM duckdb_columns() "
        "WHERE schema_name = 'b2b' AND table_name = 'experience_events' ORDER BY column_index"
    ).fetchall()
    spec = entity_by_table("experience_events")
    assert ddl == [(c.name, c.duckdb_type, c.nullable) for c in spec.columns]
    # ... with the compression the model fixes (the DuckDB catalog does not show it; storage does)
    con.execute("CHECKPOINT")
    stored = dict(
        con.sql(
            "SELECT column_name, any_value(compression) FROM pragma_storage_info('b2b.experience_events') "
            "WHERE segment_type = 'VARCHAR' GROUP BY ALL"
        ).fetchall()
    )
    fixed = {c.name: c.compression for c in spec.columns if c.compression}
    assert fixed and {name: stored[name].lower() for name in fixed} == fixed
    assert con.sql("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '%loading%'").fetchall() == []
    with pytest.raises(duckdb.ConstraintException):
        con.execute("INSERT INTO b2b.experience_events (event_id) VALUES ('x')")


def test_a_refused_first_activity_load_leaves_no_scratch_table(con, landing):
    write_csv(landing / "2026-11-01" / "activities.csv", ACTIVITY_HEADER, [activity("g1", 1), activity("", 1)])
    register_landing_files(con, landing)
    with pytest.raises(RejectedShareError):
        load_entity(con, entity_by_table("experience_events"), MUNCHKIN, 0.05)
    assert con.sql("SELECT count(*) FROM b2b.experience_events").fetchone() == (0,)
    assert con.sql("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '%loading%'").fetchall() == []
    assert con.sql("SELECT status FROM meta.landing_files").fetchone() == ("pending",)


def test_reingesting_is_idempotent(con, landing):
    write_csv(landing / "2026-11-01" / "companies.csv", COMPANY_HEADER, [company(1)])
    write_csv(landing / "2026-11-01" / "leads.csv", LEAD_HEADER, [lead(1), lead(2, email="bad@")])
    write_csv(landing / "2026-11-01" / "activities.csv", ACTIVITY_HEADER, [activity("g1", 1)])
    ingest(con, landing)
    before = {spec.table: table_rows(con, spec.qualified_table) for spec in ENTITIES}
    rejected_before = con.sql("SELECT count(*) FROM b2b.rejected_rows").fetchone()
    results = ingest(con, landing)
    assert all(r.rows_read == 0 for r in results.values())
    assert {spec.table: table_rows(con, spec.qualified_table) for spec in ENTITIES} == before
    assert con.sql("SELECT count(*) FROM b2b.rejected_rows").fetchone() == rejected_before


def test_bom_null_literal_and_booleans(con, landing):
    row = lead(1, email="null", unsubscribed="TRUE")
    row[LEAD_HEADER.index("country")] = "null"
    write_csv(landing / "2026-11-01" / "leads.csv", LEAD_HEADER, [row, lead(2, unsubscribed="0")], bom=True)
    ingest(con, landing)
    first = person(con, 1)
    assert first["work_email"] is None and first["country"] is None
    assert first["is_unsubscribed"] is True
    assert person(con, 2)["is_unsubscribed"] is False


def test_iso_datetimes_with_offsets_are_stored_in_utc(con, landing):
    write_csv(
        landing / "2026-11-01" / "leads.csv",
        LEAD_HEADER,
        [lead(1, updated="2026-11-02T14:06:20+02:00"), lead(2, updated="2026-11-02")],
    )
    ingest(con, landing)
    assert str(person(con, 1)["updated_at"]) == "2026-11-02 12:06:20"
    assert str(person(con, 2)["updated_at"]) == "2026-11-02 00:00:00"


def test_split_parts_are_read_together(con, landing):
    write_csv(landing / "2026-11-01" / "leads-001.csv", LEAD_HEADER, [lead(1), lead(2)])
    write_csv(landing / "2026-11-01" / "leads-002.csv", LEAD_HEADER, [lead(3)])
    results = ingest(con, landing)
    assert con.sql("SELECT count(*) FROM b2b.persons").fetchone() == (3,)
    assert results["leads"].files == ["2026-11-01/leads-001.csv", "2026-11-01/leads-002.csv"]
    assert person(con, 3)["source_file"] == "leads-002.csv" and person(con, 3)["source_line"] == 2


def test_schema_drift_is_carried_and_reported(con, landing):
    write_csv(landing / "2026-11-01" / "leads.csv", [*LEAD_HEADER, "favoriteColor"], [[*lead(1), "teal"]])
    results = ingest(con, landing)
    assert person(con, 1)["extra_fields"] == '{"favoriteColor":"teal"}'
    assert results["leads"].schema_drift == {"2026-11-01/leads.csv": ["favoriteColor"]}


def test_missing_optional_columns_are_unknown(con, landing):
    header = ["id", "email", "title", "contactCompany", "createdAt", "updatedAt"]
    write_csv(
        landing / "2026-11-01" / "leads.csv",
        header,
        [[1, "a@acme.com", "CEO", 1, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"]],
    )
    ingest(con, landing)
    # Unknown, never a default: a consent flag never delivered is not "false" (activation reads
    # it as suppressed).
    assert person(con, 1)["first_name"] is None and person(con, 1)["is_unsubscribed"] is None


# --- dirt: quarantined with the reason, or kept and flagged ------------------------------


def rejected(con: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
    return con.sql(
        'SELECT entity, "drop", source_file, line_number, "column", "check", "value", disposition '
        'FROM b2b.rejected_rows ORDER BY line_number, "column"'
    ).fetchall()


def test_bad_email_keeps_the_person_flagged(con, landing):
    write_csv(
        landing / "2026-11-01" / "leads.csv", LEAD_HEADER, [lead(1, email="john.doe@"), lead(2, email="no-at-sign")]
    )
    ingest(con, landing)
    assert person(con, 1)["work_email"] is None and person(con, 1)["is_email_invalid"] is True
    assert rejected(con) == [
        ("leads", "2026-11-01", "leads.csv", 2, "email", "check: email address syntax", "john.doe@", "flagged"),
        ("leads", "2026-11-01", "leads.csv", 3, "email", "check: email address syntax", "no-at-sign", "flagged"),
    ]


def test_unreadable_consent_flag_is_unknown(con, landing):
    write_csv(landing / "2026-11-01" / "leads.csv", LEAD_HEADER, [lead(1, unsubscribed="maybe")])
    ingest(con, landing)
    assert person(con, 1)["is_unsubscribed"] is None
    assert rejected(con)[0][4:] == ("unsubscribed", "type: not a valid BOOLEAN", "maybe", "flagged")


def test_row_without_key_or_bad_timestamp_is_quarantined(con, landing):
    no_key, bad_time = lead(""), lead(5, updated="yesterday")
    write_csv(landing / "2026-11-01" / "leads.csv", LEAD_HEADER, [lead(1), no_key, bad_time])
    ingest(con, landing)
    assert con.sql("SELECT count(*) FROM b2b.persons").fetchone() == (1,)
    assert [r[3:] for r in rejected(con)] == [
        (3, "id", "not_null", None, "quarantined"),
        (4, "updatedAt", "type: not a valid TIMESTAMP", "yesterday", "quarantined"),
    ]
    raw = con.sql("SELECT raw_record::JSON->>'title' FROM b2b.rejected_rows WHERE line_number = 4").fetchone()
    assert raw == ("CEO",)


def test_out_of_range_numbers_are_emptied_and_flagged(con, landing):
    write_csv(
        landing / "2026-11-01" / "companies.csv",
        COMPANY_HEADER,
        [company(1, employees=-5, revenue="abc"), company(2, name='=HYPERLINK("http://x")')],
    )
    ingest(con, landing)
    rows = con.sql(
        "SELECT account_name, employee_count, annual_revenue, domain FROM b2b.accounts ORDER BY 1"
    ).fetchall()
    assert rows == [('=HYPERLINK("http://x")', 600, 1000000.0, "acme.com"), ("Acme", None, None, "acme.com")]
    assert {(r[4], r[5]) for r in rejected(con)} == {
        ("numberOfEmployees", "check: >= 0"),
        ("annualRevenue", "type: not a valid DOUBLE"),
    }


@pytest.mark.parametrize(
    ("employees", "stored"),
    [("250", 250), (" 250.0", 250), ("2.5e2", 250), ("2.5", None), ("0x10", None), ("1,000", None)],
)
def test_an_integer_column_takes_whole_numbers_only(con, landing, employees, stored):
    write_csv(landing / "2026-11-01" / "companies.csv", COMPANY_HEADER, [company(1, employees=employees)])
    ingest(con, landing)
    assert con.sql("SELECT employee_count FROM b2b.accounts").fetchall() == [(stored,)]
    flagged = [(r[4], r[5], r[6]) for r in rejected(con)]
    assert flagged == ([] if stored is not None else [("numberOfEmployees", "type: not a valid BIGINT", employees)])


def test_orphans_are_kept_flagged_and_heal_when_the_parent_arrives(con, landing):
    write_csv(landing / "2026-11-01" / "leads.csv", LEAD_HEADER, [lead(1, company=99)])
    write_csv(landing / "2026-11-01" / "activities.csv", ACTIVITY_HEADER, [activity("g1", 1), activity("g2", 555)])
    ingest(con, landing)
    assert person(con, 1)["has_known_account"] is False
    assert con.sql("SELECT event_id, has_known_person FROM b2b.experience_events ORDER BY 1").fetchall() == [
        ("g1", True),
        ("g2", False),
    ]
    write_csv(landing / "2026-11-02" / "companies.csv", COMPANY_HEADER, [company(99)])
    write_csv(landing / "2026-11-02" / "leads.csv", LEAD_HEADER, [lead(555, updated="2026-11-02T00:00:00Z")])
    ingest(con, landing)
    assert person(con, 1)["has_known_account"] is True
    assert con.sql("SELECT bool_and(has_known_person) FROM b2b.experience_events").fetchone() == (True,)


def test_ragged_rows_are_quarantined_with_their_line_and_the_rest_is_kept(con, landing):
    path = landing / "2026-11-01" / "leads.csv"
    write_csv(path, LEAD_HEADER, [lead(1)])
    with path.open("a", encoding="utf-8") as handle:
        handle.write("2,too,few\n")
        handle.write(",".join(str(v) for v in lead(3)) + "\n")
    ingest(con, landing)
    assert sorted(con.sql("SELECT person_key, source_line FROM b2b.persons").fetchall()) == [
        ("1@123-ABC-456.Marketo", 2),
        ("3@123-ABC-456.Marketo", 4),
    ]
    line, check, raw = con.sql('SELECT line_number, "check", raw_record FROM b2b.rejected_rows').fetchone()
    assert (line, check) == (3, "csv: missing columns")
    assert json.loads(raw) | {"_extra": None} == {
        **dict.fromkeys(entity_by_table("leads").source_columns),
        "id": "2",
        "email": "too",
        "firstName": "few",
        "_extra": None,
    }


def test_rejected_share_above_threshold_fails_and_merges_nothing(con, landing):
    write_csv(
        landing / "2026-11-01" / "leads.csv", LEAD_HEADER, [lead(1), lead("", title="x"), lead(3, updated="never")]
    )
    register_landing_files(con, landing)
    with pytest.raises(
        RejectedShareError, match=r"2026-11-01/leads.csv: 2 of 3 rows quarantined .*line 3: id not_null"
    ):
        load_entity(con, entity_by_table("leads"), MUNCHKIN, 0.05)
    assert con.sql("SELECT count(*) FROM b2b.persons").fetchone() == (0,)
    assert con.sql("SELECT count(*) FROM b2b.rejected_rows").fetchone() == (2,)
    assert con.sql("SELECT status FROM meta.landing_files").fetchone() == ("pending",)
    # A retry with a looser threshold succeeds and does not duplicate the quarantine rows.
    load_entity(con, entity_by_table("leads"), MUNCHKIN, 0.9)
    assert con.sql("SELECT count(*) FROM b2b.rejected_rows").fetchone() == (2,)
    assert con.sql("SELECT count(*) FROM b2b.persons").fetchone() == (1,)


# --- unusable files: a clear error naming file, line and reason -------------------------


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (
            b"id;email;title;contactCompany;createdAt;updatedAt\n1;a@b.c;CEO;1;x;y\n",
            "missing required column.*does not look comma-separated",
        ),
        (b"id,email,title,createdAt,updatedAt\n", "missing required column\\(s\\) contactCompany"),
        (b"id,email,email,title,contactCompany,createdAt,updatedAt\n", "duplicated column"),
        (b"\xff\xfei\x00d\x00,\x00", "not UTF-8"),
        (b"\x00\x01\x02binary\x00garbage\n", "binary content"),
    ],
)
def test_unusable_file_fails_before_touching_data(con, landing, content, reason):
    write_csv(landing / "2026-11-01" / "companies.csv", COMPANY_HEADER, [company(1)])
    bad = landing / "2026-11-01" / "leads.csv"
    bad.write_bytes(content)
    with pytest.raises(UnusableFileError, match=reason) as error:
        register_landing_files(con, landing)
    assert str(error.value).startswith(f"{bad}:1: ")
    assert con.sql("SELECT count(*) FROM meta.landing_files").fetchone() == (0,)


def test_unknown_files_and_folders_are_reported_not_read(con, landing):
    write_csv(landing / "2026-11-01" / "leads.csv", LEAD_HEADER, [lead(1)])
    (landing / "2026-11-01" / "notes.txt").write_text("hello")
    (landing / "archive").mkdir()
    registered = register_landing_files(con, landing)
    assert [f.name for f in registered.new_files] == ["leads.csv"]
    assert sorted(Path(p).name for p, _ in registered.scan.ignored) == ["archive", "notes.txt"]


def test_drops_are_processed_in_name_order(con, landing):
    write_csv(landing / "2026-11-02T0900" / "leads.csv", LEAD_HEADER, [lead(1, title="second")])
    write_csv(landing / "2026-11-01" / "leads.csv", LEAD_HEADER, [lead(1, title="first")])
    ingest(con, landing)
    assert person(con, 1)["job_title"] == "second"
    assert person(con, 1)["source_drop"] == "2026-11-02T0900"


@pytest.mark.slow
def test_line_numbers_stay_exact_when_a_large_file_is_read_in_parallel(con, landing, tmp_path):
    # ~100 MB: DuckDB splits the scan over threads; line numbers come from insertion order.
    path = landing / "2026-11-01" / "activities.csv"
    path.parent.mkdir(parents=True)
    relation = con.sql(
        "SELECT 'g' || i AS marketoGUID, i AS leadId, '2026-11-01T10:00:00Z' AS activityDate, 2 AS activityTypeId, "
        "'c' AS campaignId, '1' AS primaryAttributeValueId, repeat('x', 200) AS primaryAttributeValue, "
        "'{}' AS attributes FROM range(1, 400001) AS t(i)"
    )
    relation.write_csv(str(path))
    ingest(con, landing)
    assert con.sql(
        "SELECT count(*), count(*) FILTER (WHERE source_line <> CAST(substr(event_id, 2) AS BIGINT) + 1) "
        "FROM b2b.experience_events"
    ).fetchone() == (400000, 0)


@pytest.mark.parametrize("existing_events", [False, True], ids=["bulk load", "append"])
def test_line_numbers_follow_the_file_when_the_connection_does_not_keep_insertion_order(
    con, landing, existing_events, monkeypatch
):
    # The warehouse connection turns preserve_insertion_order off (resources.py); the ingest
    # scan must turn it back on, or DuckDB's parallel insert shuffles the rowids that become
    # line numbers. Small CSV buffers make this file several buffers, read in parallel.
    monkeypatch.setattr(validated_statements, "MAX_LINE_BYTES", 1024 * 1024)
    con.execute("SET preserve_insertion_order = false")
    if existing_events:
        write_csv(landing / "2026-10-31" / "activities.csv", ACTIVITY_HEADER, [activity("seed", 1)])
        ingest(con, landing)
    records = 300_000
    write_csv(
        landing / "2026-11-01" / "activities.csv",
        ACTIVITY_HEADER,
        [activity(f"g{n}", n % 1000 + 1) for n in range(records)],
    )
    ingest(con, landing)
    mismatched = con.execute(
        "SELECT count(*) FROM b2b.experience_events WHERE source_drop = '2026-11-01' "
        "AND CAST(substr(event_id, 2) AS BIGINT) + 2 <> source_line"
    ).fetchone()
    assert mismatched == (0,)
    assert con.execute("SELECT current_setting('preserve_insertion_order')").fetchone() == (False,)


def test_a_warehouse_of_an_earlier_version_gains_new_columns_and_loses_stale_not_null(con):
    # What an earlier version's b2b.persons looked like: no email_as_given, consent NOT NULL.
    ensure_b2b_tables(con)
    con.execute("ALTER TABLE b2b.persons DROP COLUMN email_as_given")
    con.execute("ALTER TABLE b2b.persons ALTER COLUMN is_unsubscribed SET NOT NULL")

    ensure_b2b_tables(con)

    columns = dict(
        con.execute("SELECT column_name, is_nullable FROM duckdb_columns() WHERE table_name = 'persons'").fetchall()
    )
    assert columns["email_as_given"] is True and columns["is_unsubscribed"] is True
