"""Turn warehouse values into CSV cells that a spreadsheet cannot execute (OWASP CSV injection).

:func:`neutralise` is the one implementation: every CSV file the pipeline exports (LinkedIn
lists, the sales hand-off, and any later export) goes through it. Rules, for every cell:

- line breaks (CR, LF, CRLF and the other Unicode line ends) inside a value become one
  space: audience and hand-off lists never need multi-line cells, and a line-based consumer
  (an ad platform's uploader, ``grep``, a naive splitter) would otherwise see a new *line*
  starting with ``=`` even though RFC 4180 quoting keeps it inside the cell;
- a *trigger* is ``=``, ``+``, ``-``, ``@``, tab or CR, or any character whose Unicode
  compatibility form (NFKC) is one of the first four: the full-width forms (U+FF1D for
  ``=``, ...) and the small, superscript and subscript ones, which spreadsheets and input
  methods may turn into the ASCII characters;
- a cell whose first character that is not *invisible* (any space or separator, control or
  format character: ideographic space, no-break space, zero-width space, BOM, ...) is a
  trigger gets a leading single quote ``'`` so it is read as text (OWASP's recommendation);
- the same inside a cell after each ``;``: a spreadsheet whose list separator is ``;``
  (most of continental Europe) splits ``x;=cmd|' /C calc'!A0`` into two cells, the second a
  formula, so a ``'`` is put right after such a ``;`` (``x;'=cmd|...``);
- RFC 4180 quoting itself (double quotes around cells with a comma or quote, embedded quotes
  doubled) is left to the CSV writer (see ``csv_files``).
"""

from __future__ import annotations

import re

import polars as pl

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Every character whose NFKC form is = + - or @ (full-width, small, superscript, subscript
# forms and the Hebrew alternative plus sign).
LOOKALIKE_TRIGGERS = (
    "\uff1d", "\uff0b", "\uff0d", "\uff20", "\ufe66", "\ufe62", "\ufe63", "\ufe6b",
    "\u207c", "\u207a", "\u208c", "\u208a", "\ufb29",
)  # fmt: skip
_TRIGGER = "[" + "".join("\\" + c if c in "\\-^]" else c for c in FORMULA_TRIGGERS + LOOKALIKE_TRIGGERS) + "]"
# What a spreadsheet may skip before a formula: separators (spaces of every kind), control
# and format (zero-width, bidi, BOM) characters.
_INVISIBLE = r"[\p{Z}\p{Cc}\p{Cf}]*"
# A value starts a formula when its first visible character is a trigger; judged on the
# value as it came and after line breaks became spaces (a leading CR is itself a trigger).
_STARTS_A_FORMULA = "^" + _INVISIBLE + _TRIGGER
# A formula after a ';' (a cell of its own for a ';'-separated reader).
_FORMULA_AFTER_SEMICOLON = ";(" + _INVISIBLE + _TRIGGER + ")"

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
    guarded = one_line.str.replace_all(_FORMULA_AFTER_SEMICOLON, ";'${1}")
    return pl.when(starts_a_formula).then(pl.lit("'") + guarded).otherwise(guarded).fill_null("")


def neutralise_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Every column of ``frame`` as neutralised CSV cells (all strings, none null)."""
    return frame.select(neutralise(cell_text(pl.col(name), dtype)).alias(name) for name, dtype in frame.schema.items())


def neutralise_cell(value: object) -> str:
    """One ``value`` as a CSV cell that no spreadsheet evaluates as a formula (the same rules
    as the files get, through the same expressions)."""
    return str(neutralise_frame(pl.DataFrame({"cell": [value]}))["cell"][0])
