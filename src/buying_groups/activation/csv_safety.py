"""Turn warehouse values into CSV cells that a spreadsheet cannot execute (OWASP CSV injection).

Rules, applied to every cell of every file this package writes:

- line breaks (CR, LF, CRLF and the other Unicode line ends) inside a value become one
  space: audience and hand-off lists never need multi-line cells, and a line-based consumer
  (an ad platform's uploader, ``grep``, a naive splitter) would otherwise see a new *line*
  starting with ``=`` even though RFC 4180 quoting keeps it inside the cell;
- a cell whose first character - or first character after leading spaces, which some
  spreadsheets skip - is ``=``, ``+``, ``-``, ``@``, tab or CR gets a leading single quote
  ``'`` so it is read as text (OWASP's recommendation);
- RFC 4180 quoting itself (double quotes around cells with a comma or quote, embedded quotes
  doubled) is left to the CSV writer (see ``csv_files``).
"""

from __future__ import annotations

import re

import polars as pl

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# A value starts a formula when its first character, or its first after leading spaces, is a
# trigger; judged on the value as it came and after line breaks became spaces. (Characters
# that are special inside a regex class are escaped; tab and CR stand in it as themselves.)
_STARTS_A_FORMULA = "^ *[" + "".join("\\" + c if c in "\\-^]" else c for c in FORMULA_TRIGGERS) + "]"

# CR, LF, CRLF and every other character str.splitlines() treats as a line end (VT, FF,
# FS/GS/RS, NEL, LINE/PARAGRAPH SEPARATOR): some consumer out there splits on each of them.
_LINE_BREAKS = re.compile("\r\n|[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def cell_text(value: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """The plain text of a column: booleans lower-case, dates and timestamps ISO-8601, floats
    as their shortest round-trip text, lists joined with ``|``; null stays null."""
    if dtype == pl.String:
        return value
    if dtype == pl.Null:
        return pl.lit(None, dtype=pl.String)
    if dtype == pl.Boolean:
        return pl.when(value).then(pl.lit("true")).when(value.not_()).then(pl.lit("false"))
    if dtype == pl.Date:
        return value.dt.strftime("%Y-%m-%d")
    if isinstance(dtype, pl.Datetime):
        # Python's isoformat(): the fraction only when there is one.
        return (
            pl.when(value.dt.microsecond() == 0)
            .then(value.dt.strftime("%Y-%m-%dT%H:%M:%S"))
            .otherwise(value.dt.strftime("%Y-%m-%dT%H:%M:%S%.6f"))
        )
    if isinstance(dtype, pl.List):
        items = cell_text(pl.element(), dtype.inner).fill_null("")
        return value.list.eval(items).list.join("|")
    if dtype.is_float() or isinstance(dtype, pl.Decimal):
        return value.cast(pl.Float64).cast(pl.String)
    return value.cast(pl.String)


def neutralise(text: pl.Expr) -> pl.Expr:
    """CSV cells (from text, see :func:`cell_text`) that no spreadsheet evaluates as a formula;
    null becomes the empty cell. Vectorised: it runs for every cell of million-row lists."""
    one_line = text.str.replace_all(_LINE_BREAKS.pattern, " ")
    starts_a_formula = text.str.contains(_STARTS_A_FORMULA) | one_line.str.contains(_STARTS_A_FORMULA)
    return pl.when(starts_a_formula).then(pl.lit("'") + one_line).otherwise(one_line).fill_null("")


def neutralise_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Every column of ``frame`` as neutralised CSV cells (all strings, none null)."""
    return frame.select(neutralise(cell_text(pl.col(name), dtype)).alias(name) for name, dtype in frame.schema.items())


def neutralise_cell(value: object) -> str:
    """One ``value`` as a CSV cell that no spreadsheet evaluates as a formula (the same rules
    as the files get, through the same expressions)."""
    return str(neutralise_frame(pl.DataFrame({"cell": [value]}))["cell"][0])
