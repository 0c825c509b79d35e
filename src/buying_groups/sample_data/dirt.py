"""The realistic dirt the generator plants, and the tally of what it planted.

Each kind hits a small, deterministic share of rows (well under 1 %, so a run's rejected share
stays far below the 5 % threshold) and at least one forced row, so even a tiny test extract
contains every kind. The summary reports the exact counts, which is what a test of the
ingestion's quarantine can compare against.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import polars as pl

from buying_groups.sample_data.hashing import Rng, stream_constant


@dataclass(frozen=True)
class DirtKind:
    name: str
    entity: str
    share: float
    description: str


DIRT_KINDS: dict[str, DirtKind] = {
    kind.name: kind
    for kind in (
        DirtKind(
            "duplicate_lead_in_drop",
            "leads",
            0.002,
            "a lead row repeated later in the same file with an older updatedAt (a stale copy that must lose)",
        ),
        DirtKind(
            "stale_lead_update",
            "leads",
            0.0005,
            "an incremental drop re-sends a lead with an updatedAt older than the full load's (must be ignored)",
        ),
        DirtKind("deleted_lead", "leads", 0.0005, "incremental drop: marketoIsDeleted=true for an existing lead"),
        DirtKind(
            "deleted_company", "companies", 0.0002, "incremental drop: marketoIsDeleted=true for an existing company"
        ),
        DirtKind("malformed_email", "leads", 0.002, "email like 'john.doe@', 'no-at-sign' or 'a@b'"),
        DirtKind("duplicate_email", "leads", 0.001, "two lead ids with the same email in another letter case"),
        DirtKind("orphan_lead", "leads", 0.001, "contactCompany is a company id that does not exist"),
        DirtKind("empty_lead_id", "leads", 0.0, "one lead row with an empty id (forced once per full load)"),
        DirtKind(
            "formula_company_name", "companies", 0.001, "company names that look like spreadsheet formulas: =, +, -, @"
        ),
        DirtKind("negative_employees", "companies", 0.0005, "numberOfEmployees below zero"),
        DirtKind("unreadable_revenue", "companies", 0.0005, "annualRevenue 'abc'"),
        DirtKind("orphan_activity", "activities", 0.001, "leadId is a lead id that does not exist"),
        DirtKind("bad_activity_date", "activities", 0.0002, "activityDate 'yesterday'"),
        DirtKind("duplicate_activity", "activities", 0.0005, "an activity row repeated with the same marketoGUID"),
    )
}
# Not row dirt but planted as well; reported in the summary for completeness.
BOM_NOTE = "utf8_bom_in_first_leads_file"
NULL_LITERAL_NOTE = "literal_null_cells"


def forced_keys(seed: int, kind: str, population: int, count: int = 1, adjacent: bool = False) -> list[int]:
    """``count`` keys in ``1 .. population`` that always carry ``kind``, spread by name
    (or ``adjacent``: consecutive keys, so a choice by ``key % count`` sees every variant)."""
    if population < 1:
        return []
    start = stream_constant(seed, f"forced:{kind}")
    step = 1 if adjacent else max(1, population // (count + 1))
    return sorted({1 + (start + i * step) % population for i in range(count)})


@dataclass(frozen=True)
class DirtPlanter:
    """Decides, row by row, which rows carry which dirt (nothing when ``enabled`` is false)."""

    rng: Rng
    enabled: bool

    def mask(
        self,
        kind: str,
        key: pl.Expr,
        population: int,
        forced: int = 1,
        first_key: int = 1,
        adjacent: bool = False,
    ) -> pl.Expr:
        """True on the rows of ``kind``: a hashed share of keys plus ``forced`` fixed keys
        among ``first_key .. first_key + population - 1``."""
        if not self.enabled:
            return pl.lit(False)
        spec = DIRT_KINDS[kind]
        hit = self.rng.chance(f"dirt:{kind}", key, spec.share)
        fixed = [first_key - 1 + k for k in forced_keys(self.rng.seed, kind, population, forced, adjacent)]
        return hit | key.is_in(fixed)


class DirtTally:
    """Counts of planted dirt, per kind, over the whole generation."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def add(self, kind: str, rows: int) -> None:
        if rows:
            self.counts[kind] += rows

    def add_masks(self, frame: pl.DataFrame, prefix: str = "_dirt_") -> None:
        """Add the true counts of every ``_dirt_<kind>`` boolean column of ``frame``."""
        names = [name for name in frame.columns if name.startswith(prefix)]
        if not names:
            return
        sums = frame.select(pl.col(names).sum()).row(0)
        for name, total in zip(names, sums, strict=True):
            self.add(name.removeprefix(prefix), int(total or 0))

    def as_dict(self) -> dict[str, int]:
        return dict(sorted(self.counts.items()))


def drop_dirt_columns(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(pl.exclude("^_dirt_.*$"))
