"""Pandera value checks translated to DuckDB predicates over ``{v}`` with bound ``{p}``/``{q}``.

Ingestion (per-row quarantine) and the table checks (whole-table counts) both read the checks
off the Pandera models through this one table, so a check added to a model is enforced in SQL
everywhere. A check missing here fails loudly (KeyError) instead of being skipped.
"""

SQL_CHECKS: dict[str, tuple[str, tuple[str, ...]]] = {
    "greater_than_or_equal_to": ("{v} >= {p}", ("min_value",)),
    "greater_than": ("{v} > {p}", ("min_value",)),
    "less_than_or_equal_to": ("{v} <= {p}", ("max_value",)),
    "less_than": ("{v} < {p}", ("max_value",)),
    "in_range": ("{v} BETWEEN {p} AND {q}", ("min_value", "max_value")),
    "str_matches": ("regexp_matches({v}, {p})", ("pattern",)),
}
