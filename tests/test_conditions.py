"""The condition language: every op, null semantics, injection safety, and a differential
property test proving the compiled DuckDB SQL and the Python evaluator agree."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buying_groups.conditions import (
    OPS_BY_KIND,
    WHITESPACE,
    CompileContext,
    ConditionError,
    FieldKind,
    FieldScope,
    SqlParams,
    compile_condition,
    condition_to_dict,
    evaluate3,
    parse_condition,
    person_scope,
    role_person_scope,
)

SCOPE = FieldScope(
    "t",
    {
        "s": FieldKind.TEXT,
        "s2": FieldKind.TEXT,
        "n": FieldKind.INTEGER,
        "x": FieldKind.NUMBER,
        "b": FieldKind.BOOLEAN,
        "ts": FieldKind.TIMESTAMP,
        "d": FieldKind.DATE,
    },
)
TABLE_DDL = (
    "CREATE OR REPLACE TABLE t (id INTEGER, s VARCHAR, s2 VARCHAR, n BIGINT, x DOUBLE, b BOOLEAN, ts TIMESTAMP, d DATE)"
)
COLUMNS = ("s", "s2", "n", "x", "b", "ts", "d")


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    yield connection
    connection.close()


def sql_results(
    con: duckdb.DuckDBPyConnection, raw: dict[str, Any], rows: Sequence[dict[str, Any]]
) -> list[bool | None]:
    """The compiled condition's three-valued result per row, from a real DuckDB."""
    condition = parse_condition(raw, SCOPE)
    params = SqlParams()
    expression = compile_condition(condition, CompileContext(SCOPE, "t"), params)
    con.execute(TABLE_DDL)
    con.executemany(
        "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(i, *(row.get(c) for c in COLUMNS)) for i, row in enumerate(rows)],
    )
    result = con.execute(f"SELECT {expression} FROM t ORDER BY id", params.values).fetchall()
    return [r[0] for r in result]


def python_results(raw: dict[str, Any], rows: Sequence[dict[str, Any]]) -> list[bool | None]:
    condition = parse_condition(raw, SCOPE)
    return [evaluate3(condition, row, SCOPE) for row in rows]


def both(con: duckdb.DuckDBPyConnection, raw: dict[str, Any], rows: Sequence[dict[str, Any]]) -> list[bool]:
    """Matches per row, asserting first that SQL and Python agree."""
    from_sql = sql_results(con, raw, rows)
    assert from_sql == python_results(raw, rows)
    return [r is True for r in from_sql]


# --- unit tests of each op --------------------------------------------------------------------

TITLES = [
    {"s": "Chief Executive Officer"},
    {"s": "  ceo "},
    {"s": "VP Sales"},
    {"s": None},
    {"s": "   "},
    {"s": "Director of IT"},
    {"s": "Sr Director"},
]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"field": "s", "op": "equals", "value": "CEO"}, [0, 1, 0, 0, 0, 0, 0]),
        ({"field": "s", "op": "equals", "value": "CEO", "case_sensitive": True}, [0, 0, 0, 0, 0, 0, 0]),
        ({"field": "s", "op": "equals", "value": ["ceo", "vp sales"]}, [0, 1, 1, 0, 0, 0, 0]),
        ({"field": "s", "op": "not_equals", "value": "ceo"}, [1, 0, 1, 0, 0, 1, 1]),
        ({"field": "s", "op": "in", "value": ["VP SALES", "sr director"]}, [0, 0, 1, 0, 0, 0, 1]),
        ({"field": "s", "op": "not_in", "value": ["VP SALES", "sr director"]}, [1, 1, 0, 0, 0, 1, 0]),
        ({"field": "s", "op": "contains", "value": "direct"}, [0, 0, 0, 0, 0, 1, 1]),
        ({"field": "s", "op": "contains", "value": ["exec", "sales"]}, [1, 0, 1, 0, 0, 0, 0]),
        ({"field": "s", "op": "not_contains", "value": "direct"}, [1, 1, 1, 0, 0, 0, 0]),
        ({"field": "s", "op": "starts_with", "value": ["Director", "Sr Director"]}, [0, 0, 0, 0, 0, 1, 1]),
        ({"field": "s", "op": "starts_with", "value": "ceo"}, [0, 1, 0, 0, 0, 0, 0]),
        ({"field": "s", "op": "ends_with", "value": "officer"}, [1, 0, 0, 0, 0, 0, 0]),
        ({"field": "s", "op": "matches", "value": r"\b(CEO|VP)\b"}, [0, 1, 1, 0, 0, 0, 0]),
        ({"field": "s", "op": "matches", "value": r"^VP", "case_sensitive": True}, [0, 0, 1, 0, 0, 0, 0]),
        ({"field": "s", "op": "matches", "value": r"^vp", "case_sensitive": True}, [0, 0, 0, 0, 0, 0, 0]),
        ({"field": "s", "op": "is_empty"}, [0, 0, 0, 1, 1, 0, 0]),
        ({"field": "s", "op": "is_not_empty"}, [1, 1, 1, 0, 0, 1, 1]),
        ({"not": {"field": "s", "op": "contains", "value": "direct"}}, [1, 1, 1, 0, 0, 0, 0]),
        ({"not": {"field": "s", "op": "is_empty"}}, [1, 1, 1, 0, 0, 1, 1]),
    ],
)
def test_text_ops(con: duckdb.DuckDBPyConnection, raw: dict[str, Any], expected: list[int]) -> None:
    assert both(con, raw, TITLES) == [bool(e) for e in expected]


NUMBERS = [{"n": 10, "x": 0.5}, {"n": 500, "x": 2.5}, {"n": None, "x": None}, {"n": 1000, "x": -1}]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"field": "n", "op": "equals", "value": 500}, [0, 1, 0, 0]),
        ({"field": "n", "op": "equals", "value": [10, 1000]}, [1, 0, 0, 1]),
        ({"field": "n", "op": "not_equals", "value": 500}, [1, 0, 0, 1]),
        ({"field": "n", "op": "in", "value": [500, 7]}, [0, 1, 0, 0]),
        ({"field": "n", "op": "not_in", "value": [500, 7]}, [1, 0, 0, 1]),
        ({"field": "n", "op": "gt", "value": 500}, [0, 0, 0, 1]),
        ({"field": "n", "op": "gte", "value": 500}, [0, 1, 0, 1]),
        ({"field": "n", "op": "lt", "value": 500}, [1, 0, 0, 0]),
        ({"field": "n", "op": "lte", "value": 500}, [1, 1, 0, 0]),
        ({"field": "n", "op": "between", "value": [10, 500]}, [1, 1, 0, 0]),
        ({"field": "x", "op": "between", "value": [-1, 0.5]}, [1, 0, 0, 1]),
        ({"field": "x", "op": "gt", "value": 1}, [0, 1, 0, 0]),
        ({"field": "n", "op": "is_empty"}, [0, 0, 1, 0]),
        ({"not": {"field": "n", "op": "gt", "value": 100}}, [1, 0, 0, 0]),
    ],
)
def test_numeric_ops(con: duckdb.DuckDBPyConnection, raw: dict[str, Any], expected: list[int]) -> None:
    assert both(con, raw, NUMBERS) == [bool(e) for e in expected]


def test_boolean_and_temporal_ops(con: duckdb.DuckDBPyConnection) -> None:
    rows = [
        {"b": True, "ts": dt.datetime(2024, 1, 1, 12), "d": dt.date(2024, 1, 1)},
        {"b": False, "ts": dt.datetime(2024, 2, 1), "d": dt.date(2024, 2, 1)},
        {"b": None, "ts": None, "d": None},
    ]
    assert both(con, {"field": "b", "op": "equals", "value": True}, rows) == [True, False, False]
    assert both(con, {"field": "b", "op": "not_equals", "value": True}, rows) == [False, True, False]
    # A date value on a timestamp field means midnight; ISO strings are accepted too.
    assert both(con, {"field": "ts", "op": "gte", "value": dt.date(2024, 1, 2)}, rows) == [False, True, False]
    assert both(con, {"field": "ts", "op": "lt", "value": "2024-01-01T13:00:00Z"}, rows) == [True, False, False]
    assert both(con, {"field": "d", "op": "between", "value": ["2024-01-01", "2024-01-31"]}, rows) == [
        True,
        False,
        False,
    ]


def test_null_never_matches_through_negation(con: duckdb.DuckDBPyConnection) -> None:
    rows = [{"s": None, "s2": "US"}, {"s": "CEO", "s2": "FR"}, {"s": "", "s2": None}]
    # not(leaf over NULL) stays UNKNOWN, hence no match.
    assert both(con, {"not": {"field": "s", "op": "equals", "value": "CEO"}}, rows) == [False, False, False]
    assert both(con, {"not": {"not": {"field": "s", "op": "equals", "value": "x"}}}, rows) == [False, False, False]
    # Kleene logic: a definite FALSE elsewhere decides an all; a definite TRUE decides an any.
    all_raw = {"all": [{"field": "s", "op": "equals", "value": "CEO"}, {"field": "s2", "op": "equals", "value": "FR"}]}
    assert sql_results(con, all_raw, rows) == [False, True, None]
    assert both(con, {"not": all_raw}, rows) == [True, False, False]
    any_raw = {"any": [{"field": "s", "op": "equals", "value": "CEO"}, {"field": "s2", "op": "equals", "value": "US"}]}
    assert both(con, any_raw, rows) == [True, True, False]
    assert both(con, {"not": any_raw}, rows) == [False, False, False]


# --- injection safety ---------------------------------------------------------------------------

HOSTILE = [
    "x' OR 1=1 --",
    "'; DROP TABLE t; --",
    'a"b',
    "back\\slash",
    "100%",
    "a_c",
    "ünï©ødé 中文",
    "$p1",
    "$ws",
    "%",
    "_",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_match_only_literally(con: duckdb.DuckDBPyConnection, value: str) -> None:
    rows = [{"s": v} for v in [*HOSTILE, "abc", "anything", "x", "100 percent", "abc_d"]]
    equal = both(con, {"field": "s", "op": "equals", "value": value}, rows)
    assert [r["s"] for r, hit in zip(rows, equal, strict=True) if hit] == [value]
    contains = both(con, {"field": "s", "op": "contains", "value": value}, rows)
    assert [r["s"] for r, hit in zip(rows, contains, strict=True) if hit] == [
        r["s"] for r in rows if value.lower() in r["s"].lower()
    ]
    starts = both(con, {"field": "s", "op": "starts_with", "value": value}, rows)
    assert [r["s"] for r, hit in zip(rows, starts, strict=True) if hit] == [
        r["s"] for r in rows if r["s"].lower().startswith(value.lower())
    ]
    assert con.execute("SELECT count(*) FROM t").fetchone() == (len(rows),)


def test_values_are_parameters_and_identifiers_whitelisted() -> None:
    params = SqlParams()
    condition = parse_condition({"field": "job_title", "op": "equals", "value": "x' OR 1=1 --"}, person_scope())
    sql = compile_condition(condition, CompileContext(person_scope(), "p"), params)
    assert "OR 1=1" not in sql and "x'" not in sql
    assert "x' OR 1=1 --" in params.values.values()
    with pytest.raises(ConditionError, match="not a field of persons"):
        parse_condition({"field": 'job_title" OR 1=1 --', "op": "is_empty"}, person_scope())


# --- parse errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"field": "jobtitle", "op": "is_empty"}, "'jobtitle' is not a field of persons; allowed: "),
        ({"field": "job_title", "op": "like", "value": "x"}, "'like' is not allowed; allowed: equals"),
        ({"field": "job_title", "op": "gt", "value": "x"}, "'gt' does not apply to job_title"),
        ({"field": "lead_score", "op": "contains", "value": 1}, "'contains' does not apply"),
        ({"field": "lead_score", "op": "between", "value": [1]}, "between needs [low, high]"),
        ({"field": "lead_score", "op": "between", "value": [5, 1]}, "low <= high"),
        ({"field": "job_title", "op": "in", "value": "CEO"}, "in needs a non-empty list"),
        ({"field": "job_title", "op": "is_empty", "value": "x"}, "is_empty takes no value"),
        ({"field": "job_title", "op": "equals"}, "equals needs"),
        ({"field": "job_title", "op": "equals", "value": "  "}, "use op is_empty"),
        ({"field": "country", "op": "in", "value": ["SE", False]}, "YAML reads yes/no"),
        ({"field": "lead_score", "op": "equals", "value": "ten"}, "expected a number"),
        ({"field": "job_title", "op": "matches", "value": "(unclosed"}, "not a valid regular"),
        ({"field": "job_title", "op": "matches", "value": "(?<=a)b"}, "RE2"),
        ({"field": "job_title", "op": "equals", "value": "x", "cs": True}, "unknown field 'cs'"),
        ({"all": []}, "non-empty list"),
        ({"has_people": {}}, "'has_people' is not allowed in a persons condition"),
        ({"all": [{"field": "job_title", "op": "equals", "value": "x"}], "any": []}, "exactly one of"),
        ("job_title = 'x'", "is not a condition"),
    ],
)
def test_parse_errors(raw: Any, message: str) -> None:
    with pytest.raises(ConditionError) as info:
        parse_condition(raw, person_scope())
    assert message in str(info.value)


def test_parse_collects_every_issue_with_paths() -> None:
    with pytest.raises(ConditionError) as info:
        parse_condition(
            {"all": [{"field": "nope", "op": "equals", "value": 1}, {"any": [{"field": "job_title", "op": "bad"}]}]},
            person_scope(),
        )
    assert [i.path for i in info.value.issues] == ["all[0].field", "all[1].any[0].op"]


def test_person_engagement_score_only_in_role_scope() -> None:
    raw = {"field": "person_engagement_score", "op": "gte", "value": 50}
    assert parse_condition(raw, role_person_scope())
    with pytest.raises(ConditionError):
        parse_condition(raw, person_scope())


def test_condition_round_trips_to_yaml_form() -> None:
    raw = {
        "all": [
            {"field": "job_title", "op": "contains", "value": ["a", "b"]},
            {"not": {"field": "lead_score", "op": "between", "value": [1, 2]}},
            {"field": "country", "op": "equals", "value": "US", "case_sensitive": True},
        ]
    }
    condition = parse_condition(raw, person_scope())
    assert condition_to_dict(condition) == raw
    assert parse_condition(condition_to_dict(condition), person_scope()) == condition


# --- differential property test: compiled SQL == Python evaluator -----------------------------

TEXT_POOL = [
    "CEO",
    " ceo ",
    "Ceo\t",
    "Director",
    "director of it",
    "Sr Director",
    "a%b",
    "a_b",
    "x' OR 1=1 --",
    "É",
    "é",
    "Über",
    "über",
    "ß",
    "中文",
    "😀",
    "back\\slash",
    "$p1",
    "100%",
]
ALPHABET = "aAbBcC éÉüÜñß中😀%_'\\\t"
text_values = st.one_of(st.sampled_from(TEXT_POOL), st.text(ALPHABET, max_size=6))
needles = text_values.filter(lambda v: v.strip(WHITESPACE) != "")
PATTERNS = ["^ce", "o$", r"\bdirector\b", "a.b", "%", "[0-9]+", "É", "ceo|cto", "^$", "r"]
timestamps = st.datetimes(dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 5))
dates = st.dates(dt.date(2024, 1, 1), dt.date(2024, 1, 5))
VALUES_BY_KIND: dict[FieldKind, st.SearchStrategy[Any]] = {
    FieldKind.TEXT: needles,
    FieldKind.INTEGER: st.integers(-3, 3),
    FieldKind.NUMBER: st.one_of(st.integers(-3, 3), st.sampled_from([-1.5, 0.0, 0.5, 2.25])),
    FieldKind.BOOLEAN: st.booleans(),
    FieldKind.TIMESTAMP: timestamps,
    FieldKind.DATE: dates,
}


@st.composite
def leaves(draw: st.DrawFn) -> dict[str, Any]:
    field = draw(st.sampled_from(COLUMNS))
    kind = SCOPE.fields[field]
    op = draw(st.sampled_from(OPS_BY_KIND[kind]))
    raw: dict[str, Any] = {"field": field, "op": op}
    values = VALUES_BY_KIND[kind]
    if op == "matches":
        raw["value"] = draw(st.sampled_from(PATTERNS))
    elif op == "between":
        raw["value"] = sorted(draw(st.lists(values, min_size=2, max_size=2)))
    elif op in ("in", "not_in"):
        raw["value"] = draw(st.lists(values, min_size=1, max_size=3))
    elif op in ("is_empty", "is_not_empty"):
        pass
    elif op in ("equals", "not_equals", "contains", "not_contains", "starts_with", "ends_with"):
        raw["value"] = draw(st.one_of(values, st.lists(values, min_size=1, max_size=3)))
    else:
        raw["value"] = draw(values)
    if kind is FieldKind.TEXT and draw(st.booleans()):
        raw["case_sensitive"] = draw(st.booleans())
    return raw


conditions = st.recursive(
    leaves(),
    lambda children: st.one_of(
        st.builds(lambda items: {"all": items}, st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda items: {"any": items}, st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda item: {"not": item}, children),
    ),
    max_leaves=6,
)
rows_strategy = st.lists(
    st.fixed_dictionaries(
        {
            "s": st.one_of(st.none(), text_values),
            "s2": st.one_of(st.none(), text_values),
            "n": st.one_of(st.none(), st.integers(-3, 3)),
            "x": st.one_of(st.none(), VALUES_BY_KIND[FieldKind.NUMBER]),
            "b": st.one_of(st.none(), st.booleans()),
            "ts": st.one_of(st.none(), timestamps),
            "d": st.one_of(st.none(), dates),
        }
    ),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(raw=conditions, rows=rows_strategy)
def test_compiled_sql_agrees_with_python_evaluator(
    con: duckdb.DuckDBPyConnection, raw: dict[str, Any], rows: list[dict[str, Any]]
) -> None:
    assert sql_results(con, raw, rows) == python_results(raw, rows)
