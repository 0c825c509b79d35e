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
  doubled) is left to the ``csv`` module.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_LOOK_CLOSER = frozenset("=+-@\t ")

# CR, LF, CRLF and every other character str.splitlines() treats as a line end (VT, FF,
# FS/GS/RS, NEL, LINE/PARAGRAPH SEPARATOR): some consumer out there splits on each of them.
_LINE_BREAKS = re.compile("\r\n|[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def cell_text(value: object) -> str:
    """The plain text of a value: ``None`` -> empty, booleans lower-case, dates ISO-8601."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float | Decimal):
        # repr of a float is the shortest round-trip text: deterministic across runs.
        return repr(float(value))
    if isinstance(value, list | tuple):
        return "|".join(cell_text(item) for item in value)
    return str(value)


def neutralise_cell(value: object) -> str:
    """``value`` as a CSV cell that no spreadsheet evaluates as a formula."""
    if value is None:
        return ""
    original = value if isinstance(value, str) else cell_text(value)
    if not original:
        return original
    text = _LINE_BREAKS.sub(" ", original)
    # Fast path (this runs for every cell of million-row lists): only a value that starts
    # with a trigger, a space or a line break can need the quote.
    if text[0] not in _LOOK_CLOSER and original[0] != "\r":
        return text
    # Judge the value as it came (a leading CR is a trigger even though it becomes a space).
    if any(
        candidate.startswith(FORMULA_TRIGGERS) or candidate.lstrip(" ").startswith(FORMULA_TRIGGERS)
        for candidate in (original, text)
    ):
        return "'" + text
    return text
