"""``generate_landing``: a deterministic Marketo-style landing zone of any size.

The first drop is a full load; each further drop, one day later, is an incremental extract:
about 1 % of the leads updated or new (with their new activities), some company and
opportunity updates, and a few deletes. Rows are produced in chunks and appended to the
CSV files, so memory stays flat from a thousand leads to ten million.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from buying_groups.sample_data.activities import (
    activity_counts,
    activity_rows,
    explode_activities,
    history_offsets,
)
from buying_groups.sample_data.ads import ad_reach_rows, ad_spend_rows
from buying_groups.sample_data.companies import company_rows, company_text
from buying_groups.sample_data.dirt import (
    BOM_NOTE,
    DIRT_KINDS,
    NULL_LITERAL_NOTE,
    DirtPlanter,
    DirtTally,
    drop_dirt_columns,
)
from buying_groups.sample_data.hashing import Rng
from buying_groups.sample_data.layout import AD_HEADERS, ENTITY_ORDER, CsvSink
from buying_groups.sample_data.leads import lead_rows, lead_text, with_stale_copies
from buying_groups.sample_data.opportunities import (
    opportunity_ids,
    opportunity_rows,
    opportunity_text,
    role_rows,
    role_text,
)
from buying_groups.sample_data.plan import (
    DAY,
    FIRST_ACTIVITY_GUID,
    NEW_LEAD_BLOCK,
    Plan,
    build_plan,
    id_range,
    sample_ids,
)
from buying_groups.sample_data.profiles import REALISTIC, Profile

DEFAULT_CHUNK_ROWS = 50_000
# Shares of an incremental drop, relative to the full load.
UPDATED_LEADS, NEW_LEADS, DELETED_LEADS = 0.008, 0.002, 0.0005
UPDATED_COMPANIES, DELETED_COMPANIES, UPDATED_OPPORTUNITY_COMPANIES = 0.005, 0.0002, 0.01


@dataclass
class DropSummary:
    """What one drop folder received."""

    name: str
    kind: str  # "full" or "incremental"
    rows: dict[str, int] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)


@dataclass
class GenerationSummary:
    """Rows per entity per drop, the files written and the dirt planted."""

    out: Path
    seed: int
    leads: int
    companies: int
    profile: str
    drops: list[DropSummary]
    dirt: dict[str, int]
    notes: dict[str, str]
    seconds: float

    @property
    def files(self) -> list[Path]:
        return [path for drop in self.drops for path in drop.files]

    @property
    def rows(self) -> dict[str, dict[str, int]]:
        """``{drop name: {entity: rows}}``."""
        return {drop.name: dict(drop.rows) for drop in self.drops}

    @property
    def total_rows(self) -> int:
        return sum(sum(drop.rows.values()) for drop in self.drops)

    def describe(self) -> str:
        """A few lines for a terminal: what was written where, and which dirt."""
        lines = [
            f"Generated {self.total_rows:,} rows in {len(self.files)} files under {self.out} "
            f"({self.leads:,} leads, {self.companies:,} companies, seed {self.seed}, profile {self.profile}, "
            f"{self.seconds:.1f} s)"
        ]
        for drop in self.drops:
            counts = ", ".join(f"{entity} {rows:,}" for entity, rows in drop.rows.items())
            lines.append(f"  {drop.name} ({drop.kind}): {counts}")
        if self.dirt:
            lines.append("  dirt: " + ", ".join(f"{k} {v:,}" for k, v in self.dirt.items()))
        return "\n".join(lines)


def generate_landing(
    out: Path,
    leads: int,
    seed: int,
    drops: int = 1,
    end_date: dt.date | None = None,
    dirt: bool = True,
    split_rows: int | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    profile: Profile = REALISTIC,
) -> GenerationSummary:
    """Write ``out/<YYYY-MM-DD>/<entity>.csv`` for ``drops`` daily drops ending ``end_date``.

    Same arguments, same bytes (``chunk_rows`` only changes memory use, not the output).
    ``split_rows`` writes each extract as ``<entity>-001.csv``, ``-002``, ... of at most that
    many rows; ``dirt=False`` produces clean data (deletes and updates are still there).
    ``profile`` decides how values are written and which mixes of industries, titles and
    activity types are drawn (see profiles.py); the default is the realistic Marketo export.
    """
    started = time.perf_counter()
    end_date = end_date or dt.datetime.now(dt.UTC).date()
    if leads >= NEW_LEAD_BLOCK:
        raise ValueError(f"leads must be below {NEW_LEAD_BLOCK:,}, got {leads:,}")
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows must be positive, got {chunk_rows}")
    plan = build_plan(leads=leads, seed=seed, drops=drops, end_date=end_date, dirt=dirt, profile=profile)
    planter = DirtPlanter(plan.rng, enabled=dirt)
    tally = DirtTally()
    writer = _DropWriter(Path(out), plan, planter, tally, split_rows, chunk_rows)
    summaries = [writer.full_load()]
    for index in range(1, drops):
        summaries.append(writer.incremental(index))
    notes = {}
    if profile.null_literal_share:
        notes[NULL_LITERAL_NOTE] = f"about {profile.null_literal_share:.0%} of empty optional cells"
    if dirt:
        notes[BOM_NOTE] = str(summaries[0].files[0].parent / "leads*.csv")
    return GenerationSummary(
        out=Path(out),
        seed=seed,
        leads=leads,
        companies=plan.companies,
        profile=profile.name,
        drops=summaries,
        dirt={kind: tally.counts.get(kind, 0) for kind in DIRT_KINDS},
        notes=notes,
        seconds=time.perf_counter() - started,
    )


def _chunks(total: int, size: int, first: int = 1) -> Iterator[pl.Series]:
    for start in range(first, first + total, size):
        yield id_range(start, min(start + size, first + total))


class _DropWriter:
    """Writes one drop folder at a time; carries the activity numbering across drops."""

    def __init__(
        self, out: Path, plan: Plan, planter: DirtPlanter, tally: DirtTally, split_rows: int | None, chunk_rows: int
    ) -> None:
        self.out = out
        self.plan = plan
        self.planter = planter
        self.tally = tally
        self.split_rows = split_rows
        self.chunk_rows = chunk_rows
        self.next_guid = FIRST_ACTIVITY_GUID

    def _open(self, stack: ExitStack, index: int) -> tuple[Path, dict[str, CsvSink]]:
        folder = self.out / self.plan.drop_date(index).isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        bom = index == 0 and self.plan.dirt
        sinks = {
            entity: stack.enter_context(CsvSink(folder, entity, self.split_rows, bom=bom and entity == "leads"))
            for entity in ENTITY_ORDER
        }
        return folder, sinks

    @staticmethod
    def _summary(name: str, kind: str, sinks: dict[str, CsvSink]) -> DropSummary:
        return DropSummary(
            name=name,
            kind=kind,
            rows={entity: sink.rows for entity, sink in sinks.items()},
            files=[path for sink in sinks.values() for path in sink.files],
        )

    # -- the full load ---------------------------------------------------------------------

    def full_load(self) -> DropSummary:
        plan = self.plan
        as_of = plan.drop_instant(0)
        with ExitStack() as stack:
            folder, sinks = self._open(stack, 0)
            ads = {entity: stack.enter_context(CsvSink(folder, entity, self.split_rows)) for entity in AD_HEADERS}
            last_ad_day = plan.drop_date(0) - dt.timedelta(days=1)
            ads["ad_spend"].write(ad_spend_rows(plan, last_ad_day))
            for company_ids in _chunks(plan.companies, self.chunk_rows):
                companies = self._write_companies(sinks, company_ids, as_of)
                ads["ad_company_reach"].write(ad_reach_rows(plan, companies, last_ad_day))
                opportunities = opportunity_rows(plan, self.planter, opportunity_ids(plan.rng, company_ids), as_of)
                self._write_opportunities(sinks, opportunities)
            for lead_ids in _chunks(plan.leads, self.chunk_rows):
                rows = lead_rows(plan, self.planter, lead_ids, as_of)
                self._write_leads(sinks, rows)
                counts = (
                    pl.when(pl.col("_dirt_empty_lead_id"))
                    .then(0)
                    .otherwise(activity_counts(plan.rng, pl.col("id"), pl.col("_tier")))
                )
                events = explode_activities(rows, counts, self.next_guid)
                offsets = history_offsets(plan.rng, pl.col("seq"), pl.col("_tier"))
                self._write_activities(sinks, events, offsets, as_of)
        return self._summary(folder.name, "full", sinks | ads)

    def _write_companies(
        self, sinks: dict[str, CsvSink], ids: pl.Series, as_of: int, changes: dict[str, pl.Expr] | None = None
    ) -> pl.DataFrame:
        rows = company_rows(self.plan, self.planter, ids, as_of)
        if changes:
            rows = rows.with_columns(**changes)
        self.tally.add_masks(rows)
        sinks["companies"].write(company_text(self.plan, drop_dirt_columns(rows)))
        return rows

    def _write_opportunities(
        self, sinks: dict[str, CsvSink], rows: pl.DataFrame, role_changes: dict[str, pl.Expr] | None = None
    ) -> None:
        sinks["opportunities"].write(opportunity_text(self.plan, rows))
        roles = role_rows(self.plan, rows)
        if role_changes:
            roles = roles.with_columns(**role_changes)
        sinks["opportunity_roles"].write(role_text(self.plan, roles))

    def _write_leads(self, sinks: dict[str, CsvSink], rows: pl.DataFrame) -> None:
        self.tally.add_masks(rows)
        with_copies = with_stale_copies(rows, self.planter, self.plan, self.tally)
        sinks["leads"].write(lead_text(self.plan, with_copies))

    def _write_activities(self, sinks: dict[str, CsvSink], events: pl.DataFrame, offsets: pl.Expr, as_of: int) -> None:
        if not events.height:
            return
        self.next_guid += events.height
        text = activity_rows(self.plan, self.planter, events, offsets, as_of, self.tally)
        sinks["activities"].write(text)

    # -- incremental drops -----------------------------------------------------------------

    def incremental(self, index: int) -> DropSummary:
        plan, rng = self.plan, self.plan.rng
        full_as_of, as_of = plan.drop_instant(0), plan.drop_instant(index)
        stream = f"drop-{index}"
        with ExitStack() as stack:
            folder, sinks = self._open(stack, index)
            self._incremental_companies(sinks, rng, stream, full_as_of, as_of)
            self._incremental_opportunities(sinks, rng, stream, full_as_of, as_of)
            touched = self._incremental_leads(sinks, rng, stream, index, full_as_of, as_of)
            counts = rng.integer(f"{stream}:activity-count", pl.col("id"), 1, 4)
            events = explode_activities(touched, counts, self.next_guid)
            offsets = rng.integer(f"{stream}:activity-age", pl.col("seq"), 1, DAY - 1)
            self._write_activities(sinks, events, offsets, as_of)
        return self._summary(folder.name, "incremental", sinks)

    @staticmethod
    def _during_day(rng: Rng, stream: str, key: pl.Expr, as_of: int) -> pl.Expr:
        """A time in the day before the drop: when an incremental change happened."""
        return as_of - rng.integer(f"{stream}:changed-at", key, 1, DAY - 1)

    def _incremental_companies(
        self, sinks: dict[str, CsvSink], rng: Rng, stream: str, full_as_of: int, as_of: int
    ) -> None:
        plan = self.plan
        key = pl.col("company_id")
        updated = sample_ids(
            rng, f"{stream}:company-update", plan.companies, max(1, round(plan.companies * UPDATED_COMPANIES))
        )
        grown = (pl.col("_employees") * 1.05).round().cast(pl.Int64).cast(pl.String)
        self._write_companies(
            sinks,
            updated,
            full_as_of,
            {
                "numberOfEmployees": pl.when(pl.col("_dirt_negative_employees"))
                .then(pl.col("numberOfEmployees"))
                .otherwise(grown),
                "updatedAt": self._during_day(rng, stream, key, as_of),
            },
        )
        deleted = sample_ids(
            rng, f"{stream}:company-delete", plan.companies, max(1, round(plan.companies * DELETED_COMPANIES))
        )
        self._write_companies(
            sinks,
            deleted,
            full_as_of,
            {
                "marketoIsDeleted": pl.lit(True),
                "updatedAt": self._during_day(rng, stream, key, as_of),
            },
        )
        self.tally.add("deleted_company", deleted.len())

    def _incremental_opportunities(
        self, sinks: dict[str, CsvSink], rng: Rng, stream: str, full_as_of: int, as_of: int
    ) -> None:
        plan = self.plan
        # Only ~20 % of companies own an opportunity: sample enough that some are hit.
        companies = sample_ids(
            rng,
            f"{stream}:opportunity-update",
            plan.companies,
            max(20, round(plan.companies * UPDATED_OPPORTUNITY_COMPANIES)),
        )
        ids = opportunity_ids(rng, companies)
        rows = opportunity_rows(plan, self.planter, ids, full_as_of, stage_step=1)
        rows = rows.with_columns(updatedAt=self._during_day(rng, stream, pl.col("id"), as_of))
        self._write_opportunities(
            sinks,
            rows,
            role_changes={
                "role": pl.when(rng.chance(f"{stream}:role-change", pl.col("id"), 0.2))
                .then(rng.pick(f"{stream}:new-role", pl.col("id"), ["Economic Buyer", "Champion", "Evaluator"]))
                .otherwise(pl.col("role")),
            },
        )

    def _incremental_leads(
        self, sinks: dict[str, CsvSink], rng: Rng, stream: str, index: int, full_as_of: int, as_of: int
    ) -> pl.DataFrame:
        """Updated, new, deleted and (dirt) stale leads; returns those that act today."""
        plan = self.plan
        key = pl.col("id")
        updated_ids = sample_ids(rng, f"{stream}:lead-update", plan.leads, max(1, round(plan.leads * UPDATED_LEADS)))
        new_count = max(1, round(plan.leads * NEW_LEADS))
        new_ids = id_range(NEW_LEAD_BLOCK * index + 1, NEW_LEAD_BLOCK * index + 1 + new_count)
        deleted_ids = sample_ids(rng, f"{stream}:lead-delete", plan.leads, max(1, round(plan.leads * DELETED_LEADS)))
        changed_at = self._during_day(rng, stream, key, as_of)
        updated = (
            lead_rows(plan, self.planter, updated_ids, full_as_of)
            .with_columns(
                updatedAt=changed_at,
                leadScore=pl.col("leadScore") + rng.integer(f"{stream}:score-gain", key, 5, 20),
                title=pl.when(rng.chance(f"{stream}:title-change", key, 0.15))
                .then(rng.weighted(f"{stream}:new-title", key, plan.profile.general_titles))
                .otherwise(pl.col("title")),
                unsubscribed=pl.col("unsubscribed") | rng.chance(f"{stream}:unsub", key, 0.02),
            )
            .with_columns(title=pl.when(pl.col("title") == "").then(None).otherwise(pl.col("title")))
        )
        new = lead_rows(plan, self.planter, new_ids, as_of).with_columns(createdAt=changed_at, updatedAt=changed_at)
        deleted = lead_rows(plan, self.planter, deleted_ids, full_as_of).with_columns(
            marketoIsDeleted=pl.lit(True), updatedAt=changed_at
        )
        self.tally.add("deleted_lead", deleted.height)
        parts = [updated, new, deleted]
        if plan.dirt:
            stale_ids = sample_ids(
                rng,
                f"{stream}:lead-stale",
                plan.leads,
                max(1, round(plan.leads * DIRT_KINDS["stale_lead_update"].share)),
            )
            stale = lead_rows(plan, self.planter, stale_ids, full_as_of).with_columns(
                updatedAt=pl.col("updatedAt") - 30 * DAY,
                createdAt=pl.min_horizontal("createdAt", pl.col("updatedAt") - 30 * DAY),
                title=pl.lit("Former Employee"),
            )
            self.tally.add("stale_lead_update", stale.height)
            parts.append(stale)
        self._write_leads(sinks, pl.concat(parts, how="vertical"))
        return pl.concat([updated, new], how="vertical")
