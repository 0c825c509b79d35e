"""A condition tree in words, for the explanation of a membership.

``condition_text`` renders the rule alone (``job_title matches \\b(CEO|CTO)\\b``);
``condition_text_sql`` renders the same words as a DuckDB string expression that puts each
person's own value after the field (``job_title 'VP Sales' matches \\b(CEO|CTO)\\b``), so the
text is built set-based for every matching person. The words come from the configuration
(bound as parameters); the values from the row; identifiers from the scope whitelist, exactly
as in :func:`~buying_groups.conditions.compile.compile_condition`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from buying_groups.conditions.compile import CompileContext, column_sql
from buying_groups.conditions.model import (
    AllOf,
    AnyOf,
    Condition,
    FieldKind,
    HasActivity,
    HasOpportunity,
    HasPeople,
    Leaf,
    Not,
)
from buying_groups.sql_files import SqlParams

_OP_WORDS = {
    "equals": "equals",
    "not_equals": "does not equal",
    "in": "is in",
    "not_in": "is not in",
    "contains": "contains",
    "not_contains": "does not contain",
    "starts_with": "starts with",
    "ends_with": "ends with",
    "matches": "matches",
    "is_empty": "is empty",
    "is_not_empty": "is not empty",
    "gt": ">",
    "gte": ">=",
    "lt": "<",
    "lte": "<=",
    "between": "is between",
}


@dataclass(frozen=True)
class FieldValue:
    """Where the row's value of ``field`` goes in the text."""

    field: str


Segment = str | FieldValue


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def _leaf(leaf: Leaf) -> list[Segment]:
    words = _OP_WORDS[leaf.op]
    if leaf.op in ("is_empty", "is_not_empty"):
        tail = ""
    elif leaf.op == "matches":
        tail = f" {leaf.values[0]}"  # a pattern reads best as written
    elif leaf.op in ("in", "not_in"):
        tail = " [" + ", ".join(_value(v) for v in leaf.values) + "]"
    elif leaf.op == "between":
        tail = f" {_value(leaf.values[0])} and {_value(leaf.values[1])}"
    else:
        tail = " " + " or ".join(_value(v) for v in leaf.values)
    case = " (case-sensitive)" if leaf.case_sensitive else ""
    return [leaf.field, FieldValue(leaf.field), f" {words}{tail}{case}"]


def segments(condition: Condition, *, nested: bool = False) -> list[Segment]:
    """The words of ``condition``, with a :class:`FieldValue` after each field of a leaf."""
    if isinstance(condition, Leaf):
        return _leaf(condition)
    if isinstance(condition, Not):
        return ["not (", *segments(condition.item), ")"]
    if isinstance(condition, AllOf | AnyOf):
        joiner = " and " if isinstance(condition, AllOf) else " or "
        out: list[Segment] = []
        for index, item in enumerate(condition.items):
            if index:
                out.append(joiner)
            out.extend(segments(item, nested=len(condition.items) > 1))
        return ["(", *out, ")"] if nested and len(condition.items) > 1 else out
    if isinstance(condition, HasPeople | HasOpportunity | HasActivity):
        # Cross-entity conditions belong to account audiences, not to person roles.
        name = {HasPeople: "has_people", HasOpportunity: "has_opportunity", HasActivity: "has_activity"}
        return [f"{name[type(condition)]} (at least {condition.min_count})"]
    raise TypeError(f"not a condition: {condition!r}")


def condition_text(condition: Condition) -> str:
    """The rule in words, without any row's values."""
    return "".join(s for s in segments(condition) if isinstance(s, str))


def condition_text_sql(condition: Condition, context: CompileContext, params: SqlParams) -> str:
    """A VARCHAR expression: the rule in words with the row's value after each field (quoted
    text, a number as is, ``(empty)`` for an empty value)."""
    parts = []
    for segment in segments(condition):
        if isinstance(segment, str):
            parts.append(params.bind(segment))
            continue
        column = column_sql(segment.field, context)
        if context.scope.fields[segment.field] is FieldKind.TEXT:
            shown = f"' ''' || {column} || ''''"
        else:
            shown = f"' ' || CAST({column} AS VARCHAR)"
        parts.append(f"coalesce({shown}, ' (empty)')")
    return "CAST(concat(" + ", ".join(parts) + ") AS VARCHAR)"
