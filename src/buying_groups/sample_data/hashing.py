"""Counter-based randomness as Polars expressions.

Every random value is a pure function of ``(seed, stream, key)`` — splitmix64 over unsigned
64-bit integers, which Polars multiplies with wrap-around. Nothing depends on chunk size or
on the order rows are produced in, so a lead regenerated for an incremental drop looks exactly
like it did in the full load, and the same seed gives byte-identical files on any run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

_GOLDEN = 0x9E3779B97F4A7C15
_MIX_1 = 0xBF58476D1CE4E5B9
_MIX_2 = 0x94D049BB133111EB
_TWO_53 = float(1 << 53)
_SHIFT_11, _SHIFT_27, _SHIFT_30, _SHIFT_31 = 1 << 11, 1 << 27, 1 << 30, 1 << 31


def _u64(value: int) -> pl.Expr:
    return pl.lit(value, dtype=pl.UInt64)


def mix64(state: pl.Series) -> pl.Series:
    """The splitmix64 finaliser: a well-spread 64-bit hash of a 64-bit state.

    Series arithmetic rather than an expression: each step reuses ``z`` twice, and a nested
    expression tree would double with every step (64-fold for two rounds).
    """
    z = state
    z = (z ^ (z // _SHIFT_30)) * pl.Series([_MIX_1], dtype=pl.UInt64)
    z = (z ^ (z // _SHIFT_27)) * pl.Series([_MIX_2], dtype=pl.UInt64)
    return z ^ (z // _SHIFT_31)


def _mix_twice(state: pl.Series) -> pl.Series:
    return mix64(mix64(state))


def stream_constant(seed: int, stream: str) -> int:
    """A 64-bit constant per (seed, stream), stable across Python runs (no ``hash()``)."""
    digest = hashlib.blake2b(f"{seed}:{stream}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little")


@dataclass(frozen=True)
class Rng:
    """Draws keyed by an integer column, one independent stream per name."""

    seed: int

    def bits(self, stream: str, key: pl.Expr) -> pl.Expr:
        """64 random bits for each key."""
        state = key.cast(pl.UInt64) * _u64(_GOLDEN) + _u64(stream_constant(self.seed, stream))
        return state.map_batches(_mix_twice, return_dtype=pl.UInt64, is_elementwise=True)

    def uniform(self, stream: str, key: pl.Expr) -> pl.Expr:
        """A float in [0, 1) for each key."""
        return (self.bits(stream, key) // _u64(_SHIFT_11)).cast(pl.Float64) / _TWO_53

    def integer(self, stream: str, key: pl.Expr, low: int, high: int) -> pl.Expr:
        """An integer in [low, high] (inclusive) for each key."""
        span = high - low + 1
        return (self.bits(stream, key) % _u64(span)).cast(pl.Int64) + low

    def chance(self, stream: str, key: pl.Expr, share: float) -> pl.Expr:
        """True for about ``share`` of the keys."""
        return self.uniform(stream, key) < share

    def pick(self, stream: str, key: pl.Expr, choices: Sequence[str]) -> pl.Expr:
        """One of ``choices``, uniformly."""
        return pick(choices, self.uniform(stream, key))

    def weighted(self, stream: str, key: pl.Expr, weights: dict[str, int]) -> pl.Expr:
        """One of the keys of ``weights``, in proportion to the (small integer) weights."""
        return pick(expand_weights(weights), self.uniform(stream, key))

    def weighted_index(self, stream: str, key: pl.Expr, weights: Sequence[int]) -> pl.Expr:
        """An index into ``weights`` (UInt32), drawn in proportion to the weights."""
        table = pl.Series([i for i, w in enumerate(weights) for _ in range(w)], dtype=pl.UInt32)
        index = (self.uniform(stream, key) * len(table)).floor().cast(pl.UInt32)
        return pl.lit(table).gather(index)


def expand_weights(weights: dict[str, int]) -> list[str]:
    """``{"a": 2, "b": 1}`` -> ``["a", "a", "b"]``: weighted choice becomes uniform choice."""
    return [value for value, weight in weights.items() for _ in range(weight)]


def pick(choices: Sequence[str], u: pl.Expr) -> pl.Expr:
    """The element of ``choices`` that a uniform draw ``u`` in [0, 1) lands on."""
    table = pl.Series(list(choices), dtype=pl.String)
    index = (u * len(table)).floor().cast(pl.UInt32)
    return pl.lit(table).gather(index)


def pick_in_group(groups: Sequence[Sequence[str]], group: pl.Expr, u: pl.Expr) -> pl.Expr:
    """An element of ``groups[group]`` (a different list per row), chosen by ``u``.

    The lists are flattened into one lookup table with an offset and a length per group, so
    a per-industry or per-country choice stays one vectorised gather.
    """
    flat: list[str] = [value for values in groups for value in values]
    offsets: list[int] = []
    position = 0
    for values in groups:
        offsets.append(position)
        position += len(values)
    lengths = pl.lit(pl.Series([len(values) for values in groups], dtype=pl.UInt32))
    starts = pl.lit(pl.Series(offsets, dtype=pl.UInt32))
    g = group.cast(pl.UInt32)
    index = starts.gather(g) + (u * lengths.gather(g).cast(pl.Float64)).floor().cast(pl.UInt32)
    return pl.lit(pl.Series(flat, dtype=pl.String)).gather(index)
