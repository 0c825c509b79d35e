"""The shape of one generated landing zone, fixed before any row is written.

Leads sit in contiguous id blocks per company (``lead_starts``), so "the leads of company c"
and "the company of lead i" are both a lookup, never a join — which is what lets opportunity
contact roles point at people of the same account while everything is produced in chunks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from buying_groups.sample_data.hashing import Rng
from buying_groups.sample_data.profiles import REALISTIC, Profile

DAY = 86_400
# Ids that exist nowhere, for orphan rows: far above any generated id.
ORPHAN_COMPANY_BASE = 900_000_000
ORPHAN_LEAD_BASE = 800_000_000
# Incremental drops give their new leads ids above this offset times the drop number.
NEW_LEAD_BLOCK = 100_000_000
FIRST_ACTIVITY_GUID = 100_000_000


@dataclass(frozen=True)
class Plan:
    """Sizes, dates, the value profile and the company -> lead blocks of a generated landing zone."""

    seed: int
    leads: int
    companies: int
    first_drop: dt.date
    drops: int
    dirt: bool
    lead_starts: pl.Series = field(repr=False)  # UInt64, length companies + 1, last == leads
    profile: Profile = REALISTIC

    @property
    def rng(self) -> Rng:
        return Rng(self.seed)

    def drop_date(self, index: int) -> dt.date:
        return self.first_drop + dt.timedelta(days=index)

    def drop_instant(self, index: int) -> int:
        """Epoch seconds of the drop's midnight (UTC): every row is dated before it."""
        midnight = dt.datetime.combine(self.drop_date(index), dt.time(), tzinfo=dt.UTC)
        return int(midnight.timestamp())

    def company_of_lead(self, lead_ids: pl.Series) -> tuple[pl.Series, pl.Series]:
        """(company id, position inside the company's block) of leads from the full load."""
        zero_based = (lead_ids - 1).cast(pl.UInt64)
        block = self.lead_starts.search_sorted(zero_based, side="right").cast(pl.Int64) - 1
        block = block.clip(0, self.companies - 1)
        position = zero_based.cast(pl.Int64) - self.lead_starts.gather(block).cast(pl.Int64)
        return (block + 1).alias("company_id"), position.alias("position")

    def lead_block(self, company_ids: pl.Series) -> tuple[pl.Series, pl.Series]:
        """(first lead id, number of leads) of each company's block."""
        index = (company_ids - 1).cast(pl.Int64)
        start = self.lead_starts.gather(index).cast(pl.Int64)
        end = self.lead_starts.gather(index + 1).cast(pl.Int64)
        return (start + 1).alias("first_lead"), (end - start).alias("lead_count")


def build_plan(leads: int, seed: int, drops: int, end_date: dt.date, dirt: bool, profile: Profile = REALISTIC) -> Plan:
    """Size the companies (~1 per 10 leads) and spread the leads over them, unevenly."""
    if leads < 1:
        raise ValueError(f"leads must be at least 1, got {leads}")
    if drops < 1:
        raise ValueError(f"drops must be at least 1, got {drops}")
    companies = max(1, leads // 10)
    return Plan(
        seed=seed,
        leads=leads,
        companies=companies,
        first_drop=end_date - dt.timedelta(days=drops - 1),
        drops=drops,
        dirt=dirt,
        lead_starts=_lead_starts(Rng(seed), leads, companies),
        profile=profile,
    )


def _lead_starts(rng: Rng, leads: int, companies: int) -> pl.Series:
    """Block boundaries: company sizes skewed (a few big, many small), summing to ``leads``.

    Memory is one integer per company (8 MB for 10 million leads).
    """
    weights = pl.select(w=1.0 + 28.0 * rng.uniform("company-size", pl.int_range(1, companies + 1)).pow(2.0)).to_series()
    cumulative = weights.cum_sum()
    total = cumulative[-1]
    ends = (cumulative * (leads / total)).floor().cast(pl.UInt64)
    starts = pl.concat([pl.Series([0], dtype=pl.UInt64), ends])
    # Guard the float rounding of the last boundary: the blocks must cover every lead.
    return starts.scatter(companies, leads)


def id_frame(ids: pl.Series, name: str = "id") -> pl.DataFrame:
    """A one-column frame of Int64 ids to hang generated columns on."""
    return pl.DataFrame({name: ids.cast(pl.Int64)})


def id_range(start: int, stop: int) -> pl.Series:
    """Ids ``start .. stop - 1`` as an Int64 series."""
    return pl.int_range(start, stop, dtype=pl.Int64, eager=True).alias("id")


def sample_ids(rng: Rng, stream: str, population: int, count: int, base: int = 1) -> pl.Series:
    """About ``count`` distinct ids from ``base .. base + population - 1``, in id order."""
    if population < 1 or count < 1:
        return pl.Series("id", [], dtype=pl.Int64)
    draws = pl.select(id=rng.integer(stream, pl.int_range(0, count), base, base + population - 1)).to_series()
    return draws.unique().sort()
