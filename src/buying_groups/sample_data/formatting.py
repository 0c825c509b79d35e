"""How the extracts write values: timestamps, boolean spellings, ``null`` literals.

Generators build typed columns (epoch seconds, booleans, integers); these helpers turn them
into text the way the generation's profile says (``realistic``: as Marketo exports it, with
the variety ingestion has to accept; see profiles.py).
"""

from __future__ import annotations

import polars as pl

from buying_groups.sample_data.hashing import Rng, pick
from buying_groups.sample_data.layout import MARKETO_HEADERS, NEVER_NULL_LITERAL
from buying_groups.sample_data.profiles import Profile


def iso_timestamp(epoch_seconds: pl.Expr, profile: Profile) -> pl.Expr:
    """``2026-11-02T14:06:20Z`` (or the profile's format) from epoch seconds."""
    return pl.from_epoch(epoch_seconds, time_unit="s").dt.strftime(profile.timestamp_format)


def iso_date(epoch_seconds: pl.Expr) -> pl.Expr:
    """``2026-11-02`` from epoch seconds."""
    return pl.from_epoch(epoch_seconds, time_unit="s").dt.strftime("%Y-%m-%d")


def marketo_boolean(rng: Rng, stream: str, key: pl.Expr, value: pl.Expr, profile: Profile) -> pl.Expr:
    """A boolean spelled as the profile says (realistic: true/1/TRUE/True/... as Marketo
    exports it and people edit it)."""
    u = rng.uniform(f"bool-spelling:{stream}", key)
    return pl.when(value).then(pick(profile.true_spellings, u)).otherwise(pick(profile.false_spellings, u))


def to_marketo_text(frame: pl.DataFrame, entity: str, rng: Rng, key: str, profile: Profile) -> pl.DataFrame:
    """The entity's header columns as text, the profile's share of empty optional cells as ``null``."""
    key_expr = pl.col(key).cast(pl.Int64, strict=False).fill_null(0)
    columns = []
    for name in MARKETO_HEADERS[entity]:
        text = pl.col(name).cast(pl.String)
        if name not in NEVER_NULL_LITERAL and profile.null_literal_share > 0:
            as_literal = rng.chance(f"null-literal:{entity}:{name}", key_expr, profile.null_literal_share)
            text = pl.when(text.is_null() & as_literal).then(pl.lit("null")).otherwise(text)
        columns.append(text.alias(name))
    return frame.select(columns)
