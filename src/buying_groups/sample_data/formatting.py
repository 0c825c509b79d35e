"""How Marketo writes values: ISO timestamps with ``Z``, mixed boolean spellings, ``null``.

Generators build typed columns (epoch seconds, booleans, integers); these helpers turn them
into the text Marketo would export, with the variety ingestion has to accept.
"""

from __future__ import annotations

import polars as pl

from buying_groups.sample_data.hashing import Rng, pick
from buying_groups.sample_data.layout import MARKETO_HEADERS, NEVER_NULL_LITERAL

TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_TRUE_SPELLINGS = ("true", "true", "true", "true", "1", "TRUE", "True")
_FALSE_SPELLINGS = ("false", "false", "false", "false", "0", "FALSE", "False")
# Share of empty optional cells written as the literal ``null`` rather than left empty.
NULL_LITERAL_SHARE = 0.5


def iso_timestamp(epoch_seconds: pl.Expr) -> pl.Expr:
    """``2026-11-02T14:06:20Z`` from epoch seconds."""
    return pl.from_epoch(epoch_seconds, time_unit="s").dt.strftime(TIMESTAMP_FORMAT)


def iso_date(epoch_seconds: pl.Expr) -> pl.Expr:
    """``2026-11-02`` from epoch seconds."""
    return pl.from_epoch(epoch_seconds, time_unit="s").dt.strftime("%Y-%m-%d")


def marketo_boolean(rng: Rng, stream: str, key: pl.Expr, value: pl.Expr) -> pl.Expr:
    """A boolean spelled as Marketo exports and people edit it: true/1/TRUE/True/..."""
    u = rng.uniform(f"bool-spelling:{stream}", key)
    return pl.when(value).then(pick(_TRUE_SPELLINGS, u)).otherwise(pick(_FALSE_SPELLINGS, u))


def to_marketo_text(frame: pl.DataFrame, entity: str, rng: Rng, key: str) -> pl.DataFrame:
    """The entity's header columns as text, a share of empty optional cells as ``null``."""
    key_expr = pl.col(key).cast(pl.Int64, strict=False).fill_null(0)
    columns = []
    for name in MARKETO_HEADERS[entity]:
        text = pl.col(name).cast(pl.String)
        if name not in NEVER_NULL_LITERAL:
            as_literal = rng.chance(f"null-literal:{entity}:{name}", key_expr, NULL_LITERAL_SHARE)
            text = pl.when(text.is_null() & as_literal).then(pl.lit("null")).otherwise(text)
        columns.append(text.alias(name))
    return frame.select(columns)
