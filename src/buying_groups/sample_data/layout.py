"""The Marketo extract layout (SPEC §2) and a streaming CSV writer for it.

The header lists below are Marketo's REST field names, as Marketo exports them — the
generator plays Marketo here, so it states its own export format rather than reading the
validated model (which is what ingestion must map them *to*).
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import BinaryIO

import polars as pl

from buying_groups.model.entities import entity_by_table

MARKETO_HEADERS: dict[str, tuple[str, ...]] = {
    "companies": (
        "id",
        "externalCompanyId",
        "company",
        "website",
        "industry",
        "numberOfEmployees",
        "annualRevenue",
        "sicCode",
        "billingCity",
        "billingState",
        "billingPostalCode",
        "billingCountry",
        "mainPhone",
        "linkedinCompanyPageUrl",
        "stockSymbol",
        "marketoIsDeleted",
        "createdAt",
        "updatedAt",
    ),
    "leads": (
        "id",
        "email",
        "firstName",
        "lastName",
        "title",
        "company",
        "contactCompany",
        "department",
        "phone",
        "city",
        "state",
        "postalCode",
        "country",
        "leadSource",
        "leadStatus",
        "leadScore",
        "unsubscribed",
        "marketingSuspended",
        "emailInvalid",
        "marketoIsDeleted",
        "createdAt",
        "updatedAt",
    ),
    "opportunities": (
        "id",
        "externalOpportunityId",
        "name",
        "mktoCdpAccountOrgId",
        "type",
        "stage",
        "amount",
        "closeDate",
        "isClosed",
        "isWon",
        "probability",
        "createdAt",
        "updatedAt",
    ),
    "opportunity_roles": ("id", "mktoCdpOpptyId", "leadId", "role", "isPrimary", "updatedAt"),
    "activities": (
        "marketoGUID",
        "leadId",
        "activityDate",
        "activityTypeId",
        "campaignId",
        "primaryAttributeValueId",
        "primaryAttributeValue",
        "attributes",
    ),
}
ENTITY_ORDER: tuple[str, ...] = tuple(MARKETO_HEADERS)
# Ad platform reports (not Marketo's): written in the full-load drop only.
AD_HEADERS: dict[str, tuple[str, ...]] = {
    entity: entity_by_table(entity).source_columns for entity in ("ad_spend", "ad_company_reach")
}
# Columns that are never written as the literal ``null``: keys and ordering timestamps.
NEVER_NULL_LITERAL: frozenset[str] = frozenset(
    {"id", "marketoGUID", "createdAt", "updatedAt", "activityDate", "leadId", "mktoCdpOpptyId"}
)
UTF8_BOM = b"\xef\xbb\xbf"


def part_file_name(entity: str, part: int) -> str:
    """``leads-001.csv``: the ``<entity>-<part>.csv`` form of a split extract."""
    return f"{entity}-{part:03d}.csv"


def remove_previous_extract(drop_dir: Path, entity: str) -> None:
    """Delete an earlier run's files for ``entity`` so a re-run never mixes two layouts."""
    for old in [drop_dir / f"{entity}.csv", *drop_dir.glob(f"{entity}-[0-9]*.csv")]:
        if old.is_file():
            old.unlink()


class CsvSink:
    """Appends frames to one entity's CSV in a drop folder, header once per file.

    With ``split_rows`` the extract is written as ``<entity>-001.csv``, ``-002``, ... of at
    most that many rows each (every part with its header). ``bom`` prefixes the first file
    with a UTF-8 byte-order mark, as some Windows exports do.
    """

    def __init__(self, drop_dir: Path, entity: str, split_rows: int | None = None, bom: bool = False) -> None:
        if split_rows is not None and split_rows < 1:
            raise ValueError(f"split_rows must be a positive number of rows, got {split_rows}")
        self.drop_dir = drop_dir
        self.entity = entity
        self.header = MARKETO_HEADERS[entity] if entity in MARKETO_HEADERS else AD_HEADERS[entity]
        self.split_rows = split_rows
        self.bom = bom
        self.rows = 0
        self.files: list[Path] = []
        self._handle: BinaryIO | None = None
        self._rows_in_part = 0
        remove_previous_extract(drop_dir, entity)

    def __enter__(self) -> CsvSink:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def write(self, frame: pl.DataFrame) -> None:
        """Append ``frame`` (all header columns, any order) to the extract."""
        frame = frame.select(self.header)
        while frame.height:
            if self._handle is None or self._part_is_full():
                self._open_next_file()
            room = frame.height if self.split_rows is None else self.split_rows - self._rows_in_part
            piece, frame = frame.head(room), frame.slice(room)
            piece.write_csv(self._handle, include_header=self._rows_in_part == 0)
            self._rows_in_part += piece.height
            self.rows += piece.height

    def close(self) -> None:
        """Finish the extract; an entity with no rows still gets a header-only file."""
        if self._handle is None and not self.files:
            self._open_next_file()
            empty = pl.DataFrame(schema=dict.fromkeys(self.header, pl.String))
            empty.write_csv(self._handle)
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def _part_is_full(self) -> bool:
        return self.split_rows is not None and self._rows_in_part >= self.split_rows

    def _open_next_file(self) -> None:
        if self._handle is not None:
            self._handle.close()
        name = f"{self.entity}.csv" if self.split_rows is None else part_file_name(self.entity, len(self.files) + 1)
        path = self.drop_dir / name
        handle = path.open("wb")
        if self.bom and not self.files:
            handle.write(UTF8_BOM)
        self._handle = handle
        self.files.append(path)
        self._rows_in_part = 0
