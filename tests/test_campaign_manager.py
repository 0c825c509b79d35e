"""LinkedIn Campaign Manager report exports (tests/data/campaign_manager, written from the
documented format: UTF-16 LE with BOM, tab-separated, preamble lines) land in a drop as they come
out of Campaign Manager and end up in b2b.ad_spend / b2b.ad_company_reach."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from buying_groups.ingest import UnusableFileError, register_landing_files
from buying_groups.ingest.campaign_manager import ALL_CAMPAIGNS, sniff
from buying_groups.model import ENTITIES
from buying_groups.validated import load_entity
from tests.conftest import MUNCHKIN

SAMPLES = Path(__file__).resolve().parent / "data" / "campaign_manager"


def ingest(con, landing: Path) -> dict[str, object]:
    register_landing_files(con, landing)
    return {spec.entity: load_entity(con, spec, MUNCHKIN, 0.05) for spec in ENTITIES}


def test_samples_are_utf16_tab_separated_with_a_preamble():
    for sample in SAMPLES.iterdir():
        raw = sample.read_bytes()
        assert raw[:2] == b"\xff\xfe"
        lines = raw.decode("utf-16").splitlines()
        assert lines[1].startswith("Report Start: ") and "\t" not in lines[1]
        export = sniff(sample)
        assert export is not None and export.header_line == 6 and export.delimiter == "\t"


def test_exports_named_as_campaign_manager_names_them_are_ingested(con, landing):
    drop = landing / "2026-12-01"
    drop.mkdir()
    shutil.copy(SAMPLES / "campaign_performance_report.csv", drop / "campaign_performance_report (3).csv")
    shutil.copy(SAMPLES / "demographics_report.csv", drop / "demographics_report.csv")
    results = ingest(con, landing)
    assert (results["ad_spend"].rows_read, results["ad_spend"].rows_quarantined) == (5, 0)
    spend = con.execute(
        'SELECT "date"::VARCHAR, platform, campaign_id, campaign_name, spend, currency, impressions, clicks '
        'FROM b2b.ad_spend ORDER BY "date", campaign_id'
    ).fetchall()
    assert spend == [
        ("2026-11-01", "linkedin", "612345678", "Seeds - Decision makers", 1250.40, "EUR", 48210, 312),
        ("2026-11-01", "linkedin", "612345679", "Seeds - Retargeting", 310.0, "EUR", 9870, 88),
        ("2026-11-02", "linkedin", "612345678", "Seeds - Decision makers", 1198.75, "EUR", 45002, 290),
        ("2026-11-02", "linkedin", "612345679", "Seeds - Retargeting", 0.0, "EUR", 0, 0),
        ("2026-11-03", "linkedin", "612345678", "Seeds - Decision makers", 1302.10, "EUR", 50118, 335),
    ]
    reach = con.execute(
        'SELECT "date"::VARCHAR, campaign_id, company_name, impressions, clicks, source_file '
        "FROM b2b.ad_company_reach ORDER BY company_name"
    ).fetchall()
    # Only the Company Name table of the stacked demographics tables; the report's window ends
    # on November 30.
    assert reach == [
        ("2026-11-30", ALL_CAMPAIGNS, "AgriNova, Inc.", 986, 9, "demographics_report.csv"),
        ("2026-11-30", ALL_CAMPAIGNS, "Green Valley Seeds GmbH", 1204, 14, "demographics_report.csv"),
        ("2026-11-30", ALL_CAMPAIGNS, "Harvest Analytics Ltd", 412, 3, "demographics_report.csv"),
    ]
    # The ledger names the delivered file (and keeps the converted header), so a re-run is a no-op.
    ledger = con.execute(
        "SELECT source_file, entity, status, header[1] FROM meta.landing_files ORDER BY source_file"
    ).fetchall()
    assert ledger == [
        ("campaign_performance_report (3).csv", "ad_spend", "ingested", "date"),
        ("demographics_report.csv", "ad_company_reach", "ingested", "date"),
    ]
    again = ingest(con, landing)
    assert again["ad_spend"].rows_read == 0


def test_an_export_under_the_entity_name_and_a_re_saved_utf8_copy_are_recognised(con, landing):
    # Excel's "CSV UTF-8 (comma delimited)" copy of the export: same preamble, commas, quotes.
    rows = [
        line.split("\t")
        for line in (SAMPLES / "campaign_performance_report.csv").read_bytes().decode("utf-16").splitlines()
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(row if len(row) > 1 else row[:1] if row[0] else [])
    drop = landing / "2026-12-02"
    drop.mkdir()
    (drop / "ad_spend.csv").write_text("\ufeff" + buffer.getvalue(), encoding="utf-8")
    shutil.copy(SAMPLES / "campaign_performance_report.csv", drop / "ad_spend-utf16.csv")
    results = ingest(con, landing)
    assert (results["ad_spend"].rows_read, results["ad_spend"].rows_quarantined) == (10, 0)
    assert con.execute("SELECT count(*), sum(spend) FROM b2b.ad_spend").fetchone() == (5, pytest.approx(4061.25))


def test_an_export_without_spend_is_unusable_before_anything_is_read(con, landing):
    text = (SAMPLES / "campaign_performance_report.csv").read_bytes().decode("utf-16")
    drop = landing / "2026-12-03"
    drop.mkdir()
    (drop / "campaign_performance_report.csv").write_bytes(text.replace("Total Spent", "Budget").encode("utf-16"))
    with pytest.raises(
        UnusableFileError, match=r"campaign_performance_report.csv:6: LinkedIn Campaign Manager export: .*Total Spent"
    ):
        register_landing_files(con, landing)


def test_a_bad_value_in_an_export_is_quarantined_with_its_reason(con, landing):
    text = (SAMPLES / "campaign_performance_report.csv").read_bytes().decode("utf-16")
    drop = landing / "2026-12-04"
    drop.mkdir()
    (drop / "campaign_performance_report.csv").write_bytes(text.replace("11/3/2026", "13/45/2026").encode("utf-16"))
    register_landing_files(con, landing)
    result = load_entity(con, next(s for s in ENTITIES if s.entity == "ad_spend"), MUNCHKIN, 0.5)
    assert (result.rows_read, result.rows_quarantined) == (5, 1)
    assert con.execute('SELECT "column", "check", "value" FROM b2b.rejected_rows').fetchall() == [
        ("date", "type: not a valid DATE", "13/45/2026")
    ]
