"""Compile a condition tree to a DuckDB boolean expression.

Every value is bound as a named parameter (``$p1``, ``$p2``, ... collected in
:class:`SqlParams`); every identifier is a whitelisted field (the tree was checked against its
:class:`FieldScope` when parsed) quoted with :func:`quote_identifier`. The expression follows
SQL three-valued logic, which is exactly the semantics documented in ``model.py``: a leaf over
an empty field yields NULL, ``NOT NULL`` is NULL, and a ``WHERE`` keeps only TRUE rows.
String functions are ``contains`` / ``starts_with`` / ``ends_with`` (no ``LIKE``), so ``%``
and ``_`` in a value are literal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from buying_groups.conditions.model import (
    NEGATED_OPS,
    WHITESPACE,
    AllOf,
    AnyOf,
    Condition,
    FieldKind,
    FieldScope,
    HasActivity,
    HasOpportunity,
    HasPeople,
    Leaf,
    Not,
    event_scope,
    opportunity_scope,
    person_scope,
    window_bounds,
)
from buying_groups.sql_files import SqlParams, quote_identifier

# The whitespace set trimmed from text, bound once per statement under this name.
_WHITESPACE_PARAM = "ws"


@dataclass(frozen=True)
class CompileContext:
    """What a compilation needs besides the tree.

    ``alias`` qualifies the scope's columns; ``column_sql`` overrides the SQL of some fields
    (``person_engagement_score`` comes from a joined table); ``as_of`` and
    ``default_within_days`` are needed only by ``has_activity``.
    """

    scope: FieldScope
    alias: str
    column_sql: Mapping[str, str] = field(default_factory=dict)
    as_of: dt.date | None = None
    default_within_days: int | None = None


def compile_condition(condition: Condition, context: CompileContext, params: SqlParams) -> str:
    """A DuckDB boolean expression (NULL when unknown) for ``condition``."""
    if isinstance(condition, AllOf | AnyOf):
        joiner = " AND " if isinstance(condition, AllOf) else " OR "
        return "(" + joiner.join(compile_condition(c, context, params) for c in condition.items) + ")"
    if isinstance(condition, Not):
        return f"(NOT {compile_condition(condition.item, context, params)})"
    if isinstance(condition, Leaf):
        return _leaf(condition, context, params)
    return _cross_entity(condition, context, params)


def column_sql(name: str, context: CompileContext) -> str:
    """The SQL of a whitelisted field of the context's scope (a ValueError for any other)."""
    if name not in context.scope.fields:  # parse() guarantees this; keep it a hard stop
        raise ValueError(f"{name!r} is not a field of {context.scope.entity}")
    if name in context.column_sql:
        return context.column_sql[name]
    return f"{context.alias}.{quote_identifier(name)}"


def _column(leaf: Leaf, context: CompileContext) -> str:
    return column_sql(leaf.field, context)


def _leaf(leaf: Leaf, context: CompileContext, params: SqlParams) -> str:
    kind = context.scope.fields[leaf.field]
    column = _column(leaf, context)
    if kind is FieldKind.TEXT_LIST:
        return _list_leaf(leaf, column, params)
    if kind is FieldKind.TEXT:
        # Empty = NULL or only whitespace; comparisons see the trimmed value.
        column = f"NULLIF(trim({column}, {params.bind_named(_WHITESPACE_PARAM, WHITESPACE)}), '')"
    if leaf.op == "is_empty":
        return f"({column} IS NULL)"
    if leaf.op == "is_not_empty":
        return f"({column} IS NOT NULL)"
    if leaf.op in NEGATED_OPS:
        positive = Leaf(leaf.field, NEGATED_OPS[leaf.op], leaf.values, leaf.case_sensitive)
        return f"(NOT {_leaf(positive, context, params)})"
    if leaf.op == "matches":
        flags = "'c'" if leaf.case_sensitive else "'i'"
        return f"regexp_matches({column}, {params.bind(leaf.values[0])}, {flags})"
    fold = kind is FieldKind.TEXT and not leaf.case_sensitive
    subject = f"lower({column})" if fold else column

    def value(v: Any) -> str:
        bound = params.bind(v)
        return f"lower({bound})" if fold else bound

    if leaf.op in ("equals", "in"):
        return f"({subject} IN ({', '.join(value(v) for v in leaf.values)}))"
    if leaf.op in ("contains", "starts_with", "ends_with"):
        return "(" + " OR ".join(f"{leaf.op}({subject}, {value(v)})" for v in leaf.values) + ")"
    if leaf.op == "between":
        low, high = leaf.values
        return f"({subject} BETWEEN {value(low)} AND {value(high)})"
    comparison = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}[leaf.op]
    return f"({subject} {comparison} {value(leaf.values[0])})"


def _list_leaf(leaf: Leaf, column: str, params: SqlParams) -> str:
    """A leaf over a list of names: empty = NULL or no element; ``contains`` = one element
    equals one of the values (trimmed, folded unless case-sensitive)."""
    if leaf.op == "is_empty":
        return f"(coalesce(len({column}), 0) = 0)"
    if leaf.op == "is_not_empty":
        return f"(coalesce(len({column}), 0) > 0)"
    if leaf.op in NEGATED_OPS:
        positive = Leaf(leaf.field, NEGATED_OPS[leaf.op], leaf.values, leaf.case_sensitive)
        return f"(NOT {_list_leaf(positive, column, params)})"
    element = f"trim(x, {params.bind_named(_WHITESPACE_PARAM, WHITESPACE)})"
    if not leaf.case_sensitive:
        element = f"lower({element})"
    wanted = ", ".join(params.bind(v if leaf.case_sensitive else v.lower()) for v in leaf.values)
    return f"list_has_any(list_transform({column}, lambda x: {element}), [{wanted}])"


def _where(condition: Condition | None, scope: FieldScope, alias: str, params: SqlParams) -> str:
    if condition is None:
        return ""
    return f" AND {compile_condition(condition, CompileContext(scope, alias), params)}"


def _cross_entity(condition: Condition, context: CompileContext, params: SqlParams) -> str:
    account_key = f"{context.alias}.{quote_identifier('account_key')}"
    if isinstance(condition, HasPeople):
        p = params.alias("p")
        return (
            f"((SELECT count(*) FROM b2b.persons AS {p} "
            f"WHERE {p}.account_key = {account_key} AND NOT {p}.is_deleted"
            f"{_where(condition.where, person_scope(), p, params)})"
            f" >= {params.bind(condition.min_count)})"
        )
    if isinstance(condition, HasOpportunity):
        o = params.alias("o")
        return (
            f"((SELECT count(*) FROM b2b.opportunities AS {o} "
            f"WHERE {o}.account_key = {account_key} AND NOT {o}.is_deleted"
            f"{_where(condition.where, opportunity_scope(), o, params)})"
            f" >= {params.bind(condition.min_count)})"
        )
    if isinstance(condition, HasActivity):
        within_days = condition.within_days or context.default_within_days
        if context.as_of is None or within_days is None:
            raise ValueError("has_activity needs as_of and a window (within_days or the engagement window_days)")
        start, end = window_bounds(context.as_of, within_days)
        e, p = params.alias("e"), params.alias("p")
        types = ", ".join(params.bind(t) for t in condition.activity_types)
        return (
            f"((SELECT count(*) FROM b2b.experience_events AS {e} "
            f"JOIN b2b.persons AS {p} ON {p}.person_key = {e}.person_key "
            f"WHERE {p}.account_key = {account_key} AND NOT {p}.is_deleted "
            f"AND {e}.activity_type_id IN ({types}) "
            f'AND {e}."timestamp" >= {params.bind(start)} '
            f'AND {e}."timestamp" < {params.bind(end)}'
            f"{_where(condition.where, event_scope(), e, params)})"
            f" >= {params.bind(condition.min_count)})"
        )
    raise TypeError(f"not a condition: {condition!r}")
