"""LinkedIn Campaign Manager report exports, accepted in a drop as they come out of Campaign
Manager and converted to the ``ad_spend`` / ``ad_company_reach`` file shape before the normal
validation.

What an export looks like (see docs/kpis.md for the sources): UTF-16 little-endian text with a
byte order mark (a copy re-saved by Excel as "CSV UTF-8" is read too), tab-separated (or comma
in such a copy), a few preamble lines before the table (the report name, ``Report Start: <Month
D, YYYY, ...>``, ``Report End: ...``, ``Date Generated: ...``), then

- **campaign performance** (``campaign_performance_report*.csv``): a header row starting with
  ``Start Date (in UTC)`` (dates as ``M/D/YYYY``), with ``Campaign Name``, ``Campaign ID``,
  ``Total Spent`` (in the account's currency), ``Currency``, ``Impressions``, ``Clicks``... one
  row per campaign and day;
- **demographics** (``*demographics_report*.csv``): stacked tables, each headed by a row whose
  first cell is ``<facet> Segment``; the ``Company Name Segment`` table lists the companies whose
  members saw the ads, with ``Impressions`` and ``Clicks`` over the report's whole window.

A file is recognised by its content (the header row or the segment row in its first lines), so a
Campaign Manager export named ``ad_spend.csv`` is converted too. The conversion is one DuckDB
statement per file (``sql/ingest/campaign_manager_*.sql``): nothing is parsed row by row here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory

import duckdb

from buying_groups.model.entities import entity_by_table
from buying_groups.sql_files import load_sql

PERFORMANCE_HEADER = "Start Date (in UTC)"
COMPANY_SEGMENT = "Company Name Segment"
PLATFORM = "linkedin"
# The campaign id given to company reach from a demographics report that names no campaign.
ALL_CAMPAIGNS = "(all campaigns)"
# Campaign Manager's own file names, by the entity they feed.
FILE_NAMES = {"campaign_performance_report": "ad_spend", "demographics_report": "ad_company_reach"}
SNIFF_BYTES = 1 << 16
MAX_COLUMNS = 80  # wider than any Campaign Manager report; the reader pads shorter rows
_REPORT_DATE = re.compile(r"^Report (Start|End)\s*(?:\(in UTC\))?\s*:\s*(.+)$", re.IGNORECASE)
_PREAMBLE_VALUE = re.compile(r"^(Currency|Campaign ID|Campaign Name)\s*:\s*(.+)$", re.IGNORECASE)


class ExportError(ValueError):
    """A Campaign Manager export that cannot be converted (the message says why)."""


@dataclass(frozen=True)
class Export:
    """A recognised Campaign Manager export: its kind, how to read it, and its preamble."""

    entity: str  # ad_spend or ad_company_reach
    encoding: str  # DuckDB encoding name
    delimiter: str
    header: tuple[str, ...]  # the table's header row (performance) or segment row (demographics)
    header_line: int  # 1-based line of that row
    report_start: dt.date | None
    report_end: dt.date | None
    preamble: dict[str, str]

    @property
    def canonical_header(self) -> list[str]:
        # The entity's landing header, as its Pandera model declares it.
        return list(entity_by_table(self.entity).source_columns)


def entity_for_file_name(name: str) -> str | None:
    """The entity a file named as Campaign Manager names its exports feeds, if any."""
    lowered = name.lower()
    if not lowered.endswith(".csv"):
        return None
    return next((entity for fragment, entity in FILE_NAMES.items() if fragment in lowered), None)


def _cells(line: str, delimiter: str) -> list[str]:
    return [cell.strip().strip('"').strip() for cell in line.split(delimiter)]


def _report_date(text: str) -> dt.date | None:
    # "May 1, 2026", optionally followed by a time ("May 1, 2026, 12:00 AM").
    match = re.match(r"([A-Za-z]+ \d{1,2}, \d{4})", text.strip())
    if match:
        try:
            return dt.datetime.strptime(match.group(1), "%B %d, %Y").date()
        except ValueError:
            try:
                return dt.datetime.strptime(match.group(1), "%b %d, %Y").date()
            except ValueError:
                return None
    for pattern in ("%m/%d/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text.strip().split(" ")[0].rstrip(","), pattern).date()
        except ValueError:
            continue
    return None


def sniff(path: Path) -> Export | None:
    """The export ``path`` holds, or None when it is not a Campaign Manager export. Only the
    first bytes are read: the preamble and the header row come first."""
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if head.startswith(b"\xfe\xff"):
        if b"\x00S\x00t\x00a\x00r\x00t" in head or b"\x00S\x00e\x00g\x00m\x00e\x00n\x00t" in head:
            raise ExportError("UTF-16 big-endian export; re-export it from Campaign Manager (UTF-16 little-endian)")
        return None
    if head.startswith(b"\xff\xfe"):
        encoding, text = "utf-16", head[2:].decode("utf-16-le", errors="ignore")
    else:
        encoding, text = "utf-8", head.decode("utf-8", errors="ignore").removeprefix("\ufeff")
    lines = re.split(r"\r\n|\n|\r", text)  # the line breaks DuckDB's `skip` counts
    if len(head) == SNIFF_BYTES and lines:
        lines = lines[:-1]  # may be cut in the middle
    start = end = None
    preamble: dict[str, str] = {}
    for number, line in enumerate(lines, start=1):
        delimiter = "\t" if "\t" in line else ","
        cells = _cells(line, delimiter)
        first = cells[0] if cells else ""
        if first in (PERFORMANCE_HEADER, COMPANY_SEGMENT):
            entity = "ad_spend" if first == PERFORMANCE_HEADER else "ad_company_reach"
            return Export(entity, encoding, delimiter, tuple(cells), number, start, end, preamble)
        # A preamble line is one cell that may itself contain commas ("Report Start: May 1, 2026").
        whole = line.strip().rstrip("\t,").strip().strip('"').strip()
        if match := _REPORT_DATE.match(whole):
            if match.group(1).lower() == "start":
                start = _report_date(match.group(2))
            else:
                end = _report_date(match.group(2))
        elif match := _PREAMBLE_VALUE.match(whole):
            preamble[match.group(1).lower()] = match.group(2).strip()
    return None


def _position(export: Export, *names: str) -> int | None:
    lowered = [cell.lower() for cell in export.header]
    for name in names:
        if name.lower() in lowered:
            return lowered.index(name.lower())
    return None


def _column(export: Export, *names: str) -> str:
    """``cN`` of the first of ``names`` in the header row, or NULL when absent."""
    position = _position(export, *names)
    return "NULL::VARCHAR" if position is None else f"c{position}"


def _number(column: str) -> str:
    """A number cell without thousands separators ("1,234.50" -> "1234.50"); anything else as is."""
    return (
        f"CASE WHEN regexp_full_match(trim({column}), '[0-9]{{1,3}}(,[0-9]{{3}})+([.][0-9]+)?') "
        f"THEN replace(trim({column}), ',', '') ELSE trim({column}) END"
    )


def conversion_sql(export: Export) -> tuple[str, dict[str, object]]:
    """The SELECT that reads ``$path`` (the export) into the entity's landing columns."""
    if export.entity == "ad_spend":
        missing = [name for name in ("Total Spent",) if _position(export, name) is None]
        if _position(export, "Campaign ID", "Campaign Name") is None:
            missing.append("Campaign ID")
        if missing:
            raise ExportError(f"campaign performance report without column(s) {', '.join(missing)}")
        identifiers = {
            "date": f"c{_position(export, PERFORMANCE_HEADER)}",
            "campaign_id": "coalesce(nullif({}, ''), {})".format(
                _column(export, "Campaign ID"), _column(export, "Campaign Name")
            ),
            "campaign_name": _column(export, "Campaign Name"),
            "spend": _number(_column(export, "Total Spent")),
            "currency": _column(export, "Currency"),
            "impressions": _number(_column(export, "Impressions")),
            "clicks": _number(_column(export, "Clicks")),
        }
        name = "ingest/campaign_manager_spend"
        params: dict[str, object] = {"currency": export.preamble.get("currency")}
    else:
        if export.report_end is None:
            raise ExportError("demographics report without a readable 'Report End:' line in its preamble")
        identifiers = {
            "impressions": _number(_column(export, "Impressions")),
            "clicks": _number(_column(export, "Clicks")),
        }
        name = "ingest/campaign_manager_company_reach"
        params = {
            "report_end": export.report_end.isoformat(),
            "campaign_id": export.preamble.get("campaign id") or export.preamble.get("campaign name") or ALL_CAMPAIGNS,
        }
    columns = {f"c{i}": "VARCHAR" for i in range(MAX_COLUMNS)}
    reader = (
        "read_csv($path, header = false, auto_detect = false, columns = $columns, delim = $delimiter, "
        "quote = '\"', escape = '\"', encoding = $encoding, null_padding = true, strict_mode = false, "
        "skip = $skip, ignore_errors = false)"
    )
    sql = load_sql(name).format(reader=reader, **identifiers)
    return sql, {
        **params,
        "columns": columns,
        "delimiter": export.delimiter,
        "encoding": export.encoding,
        "skip": export.header_line if export.entity == "ad_spend" else 0,
        "platform": PLATFORM,
    }


def convert(con: duckdb.DuckDBPyConnection, export: Export, source: Path, target: Path) -> int:
    """Write ``target``: the export at ``source`` as an ``ad_spend`` / ``ad_company_reach`` CSV
    (UTF-8, comma-separated, header row). Returns its number of rows."""
    sql, params = conversion_sql(export)
    params = {**params, "path": str(source)}
    wanted = set(re.findall(r"\$([A-Za-z_]+)", sql))
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE campaign_manager_rows AS {sql}",
        {key: value for key, value in params.items() if key in wanted},
    )
    try:
        (rows,) = con.execute("SELECT count(*) FROM campaign_manager_rows").fetchone()  # type: ignore[misc]
        con.execute(
            "COPY campaign_manager_rows TO $target (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"')",
            {"target": str(target)},
        )
    finally:
        con.execute("DROP TABLE IF EXISTS temp.campaign_manager_rows")
    return int(rows)


@contextmanager
def converted(
    con: duckdb.DuckDBPyConnection, pending: list[tuple[str, str, str, list[str]]]
) -> Iterator[list[tuple[str, str, str, list[str]]]]:
    """``pending`` (drop, file, path, header) with every Campaign Manager export replaced by its
    conversion, in a temporary folder removed afterwards. The converted file keeps the export's
    name, so the ledger and ``b2b.rejected_rows`` name the file that was delivered; its line
    numbers count the converted rows (header = line 1)."""
    with TemporaryDirectory(prefix="bg-campaign-manager-") as scratch:
        result = []
        for index, (drop, source_file, path, header) in enumerate(pending):
            export = sniff(Path(path))
            if export is None:
                result.append((drop, source_file, path, header))
                continue
            target = Path(scratch) / str(index) / source_file
            target.parent.mkdir()
            convert(con, export, Path(path), target)
            result.append((drop, source_file, str(target), export.canonical_header))
        yield result
