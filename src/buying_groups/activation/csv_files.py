"""Write CSV lists atomically, split at row and byte limits, every cell injection safe.

A list is streamed into hidden temp files, one per part (:func:`stage_csv_parts`); only when
every row is written are the parts named (``<stem>.csv`` when one part suffices, else
``<stem>_part001.csv``, ...), fsynced and renamed into place (:func:`commit_parts`). A caller
that publishes several lists as one set stages them all before committing any. The SHA-256
and byte size are computed from the bytes as they are written, so the manifest describes
exactly what is on disk. Cells longer than ``max_cell_chars`` are cut to that length (and
counted) instead of making a row too big for any file.

Rows arrive as Polars frames (Arrow batches of a DuckDB query, see :func:`query_chunks`);
each chunk is neutralised and encoded by Polars in one go, and parts are cut at row ends
found by bisection over the chunk's cumulative line lengths: no Python loop over rows.
"""

from __future__ import annotations

import bisect
import hashlib
import io
import itertools
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import duckdb
import polars as pl

from buying_groups.activation.atomic import commit, temp_path_for
from buying_groups.activation.csv_safety import neutralise_frame

# RFC 4180: CRLF line ends, quotes only where needed, embedded quotes doubled. UTF-8, no BOM.
LINE_TERMINATOR = "\r\n"
CHUNK_ROWS = 100_000


@dataclass(frozen=True)
class WrittenFile:
    """One file on disk, as the manifest records it."""

    path: Path
    row_count: int
    byte_size: int
    sha256: str
    part: int
    part_count: int
    cells_truncated: int = 0


@dataclass(frozen=True)
class StagedPart:
    """A complete, fsynced part under its hidden temp name, not yet renamed to ``file.path``."""

    temp_path: Path
    file: WrittenFile


def query_chunks(
    con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any] | None = None, rows: int = CHUNK_ROWS
) -> Iterator[pl.DataFrame]:
    """The result of ``sql`` as Polars frames of up to ``rows`` rows (Arrow record batches:
    the whole result is never held at once). A result without rows still yields one empty
    frame, so the columns are known."""
    reader = con.execute(sql, dict(params or {})).fetch_record_batch(rows)
    empty = True
    for batch in reader:
        empty = False
        yield pl.from_arrow(batch)  # type: ignore[misc]
    if empty:
        yield pl.from_arrow(reader.schema.empty_table())  # type: ignore[misc]


def encode_rows(frame: pl.DataFrame) -> bytes:
    """``frame``'s rows as CSV lines: neutralised cells, RFC 4180 quoting, CRLF line ends.

    After neutralisation no cell holds a line break, so every row is exactly one line. An
    empty cell is written empty, except in a one-column file, where an empty line would read
    as no row at all, so it is written ``""`` (as Python's csv module does)."""
    return _encode(frame, None)[0]


def _encode(frame: pl.DataFrame, max_cell_chars: int | None) -> tuple[bytes, int]:
    """:func:`encode_rows` with every cell cut to ``max_cell_chars`` characters after
    neutralisation (so a cut never removes the guard that makes it safe); also returns how
    many cells were cut."""
    cells = neutralise_frame(frame)
    truncated = 0
    if max_cell_chars is not None and cells.height:
        too_long = cells.select((pl.col(name).str.len_chars() > max_cell_chars).sum() for name in cells.columns)
        truncated = int(too_long.sum_horizontal()[0])
        if truncated:
            cells = cells.select(pl.col(name).str.slice(0, max_cell_chars) for name in cells.columns)
    cells = cells.select(pl.col(name).replace("", None) for name in cells.columns)
    buffer = io.BytesIO()
    cells.write_csv(
        buffer,
        include_header=False,
        line_terminator=LINE_TERMINATOR,
        quote_style="necessary",
        null_value='""' if cells.width == 1 else "",
    )
    return buffer.getvalue(), truncated


def _write_bytes(handle: BinaryIO, data: bytes) -> None:
    """The single place bytes reach a file (tests patch it to simulate a crash mid-write)."""
    handle.write(data)


@dataclass
class _Part:
    temp_path: Path
    handle: BinaryIO
    digest: Any = field(default_factory=hashlib.sha256)  # hashlib's hash object
    row_count: int = 0
    byte_size: int = 0

    def write(self, data: bytes, rows: int = 0) -> None:
        _write_bytes(self.handle, data)
        self.digest.update(data)
        self.byte_size += len(data)
        self.row_count += rows

    def close(self) -> None:
        if not self.handle.closed:
            self.handle.flush()
            os.fsync(self.handle.fileno())
            self.handle.close()


def part_file_name(stem: str, part: int, part_count: int) -> str:
    """``contacts.csv`` for an unsplit list, ``contacts_part002.csv`` for a split one."""
    return f"{stem}.csv" if part_count == 1 else f"{stem}_part{part:03d}.csv"


def stage_csv_parts(
    directory: Path,
    stem: str,
    header: Sequence[str],
    chunks: Iterable[pl.DataFrame],
    *,
    max_rows: int | None = None,
    max_bytes: int | None = None,
    max_cell_chars: int | None = None,
) -> list[StagedPart]:
    """Write the rows of ``chunks`` (frames with one column per ``header`` name, in order)
    under ``directory`` as hidden temp files for ``<stem>.csv`` or numbered parts, each with
    the header, none with more than ``max_rows`` data rows or ``max_bytes`` bytes, no cell
    longer than ``max_cell_chars``. An empty list still gets a header-only file. On an error
    every temp file is removed; on success the caller renames them (:func:`commit_parts`) or
    removes them (:func:`discard_parts`).
    """
    directory.mkdir(parents=True, exist_ok=True)
    header_bytes = encode_rows(pl.DataFrame([pl.Series(f"column_{i}", [name]) for i, name in enumerate(header)]))
    if max_bytes is not None and len(header_bytes) > max_bytes:
        raise ValueError(f"{stem}: the header alone ({len(header_bytes)} bytes) exceeds {max_bytes} bytes")

    parts: list[_Part] = []

    def open_part() -> _Part:
        temp_path = temp_path_for(directory / f"{stem}.csv")
        part = _Part(temp_path=temp_path, handle=temp_path.open("wb"))
        parts.append(part)
        part.write(header_bytes)
        return part

    truncated = 0
    committed = False
    try:
        current = open_part()
        for chunk in chunks:
            if chunk.width != len(header):
                raise ValueError(f"{stem}: rows have {chunk.width} columns, the header {len(header)}")
            body, cut = _encode(chunk, max_cell_chars)
            truncated += cut
            # Offset just past each row's line end: every row is one line (no cell holds a line
            # break), and bytes.splitlines splits only at CR/LF. Rows [0, taken) are written.
            row_ends = list(itertools.accumulate(map(len, body.splitlines(keepends=True))))
            taken, written_up_to = 0, 0
            while taken < len(row_ends):
                fits = len(row_ends)
                if max_rows is not None:
                    fits = min(fits, taken + max_rows - current.row_count)
                if max_bytes is not None:
                    budget = written_up_to + max_bytes - current.byte_size
                    fits = min(fits, bisect.bisect_right(row_ends, budget))
                if fits <= taken:  # the current part is full
                    if current.row_count == 0:
                        size = int(row_ends[taken]) - written_up_to
                        raise ValueError(
                            f"{stem}: one row of {size} bytes does not fit in a file of "
                            f"{max_bytes} bytes with its header"
                        )
                    current.close()
                    current = open_part()
                    continue
                end = int(row_ends[fits - 1])
                current.write(body[written_up_to:end], rows=fits - taken)
                taken, written_up_to = fits, end
        for part in parts:
            part.close()
        staged = [
            StagedPart(
                temp_path=part.temp_path,
                file=WrittenFile(
                    path=directory / part_file_name(stem, number, len(parts)),
                    row_count=part.row_count,
                    byte_size=part.byte_size,
                    sha256=part.digest.hexdigest(),
                    part=number,
                    part_count=len(parts),
                    cells_truncated=truncated if number == 1 else 0,
                ),
            )
            for number, part in enumerate(parts, start=1)
        ]
        committed = True
        return staged
    finally:
        if not committed:
            # An error above: every part is a half file holding personal data; remove it.
            for part in parts:
                _close_and_remove(part)


def _close_and_remove(part: _Part) -> None:
    """Remove a part's temp file whatever closing it does: after a disk-full error, closing
    flushes the same buffered bytes and fails again, and the error being raised already says
    what went wrong."""
    try:
        if not part.handle.closed:
            part.handle.close()
    except OSError:
        pass
    finally:
        part.temp_path.unlink(missing_ok=True)


def commit_parts(staged: Sequence[StagedPart]) -> list[WrittenFile]:
    """Rename staged parts to their final names (each rename atomic)."""
    for part in staged:
        commit(part.temp_path, part.file.path)
    return [part.file for part in staged]


def discard_parts(staged: Iterable[StagedPart]) -> None:
    """Remove staged parts that were not committed (an error elsewhere in their set)."""
    for part in staged:
        part.temp_path.unlink(missing_ok=True)


def write_csv_parts(
    directory: Path,
    stem: str,
    header: Sequence[str],
    chunks: Iterable[pl.DataFrame],
    *,
    max_rows: int | None = None,
    max_bytes: int | None = None,
    max_cell_chars: int | None = None,
) -> list[WrittenFile]:
    """:func:`stage_csv_parts`, then :func:`commit_parts`: nothing carries a final name until
    every part is complete."""
    staged = stage_csv_parts(
        directory, stem, header, chunks, max_rows=max_rows, max_bytes=max_bytes, max_cell_chars=max_cell_chars
    )
    try:
        return commit_parts(staged)
    except BaseException:
        discard_parts(staged)
        raise


def write_csv(path: Path, header: Sequence[str], chunks: Iterable[pl.DataFrame]) -> WrittenFile:
    """One unsplit CSV file, atomically, injection safe."""
    if not path.name.endswith(".csv"):
        raise ValueError(f"{path}: expected a .csv file name")
    (written,) = write_csv_parts(path.parent, path.name[: -len(".csv")], header, chunks)
    return written
