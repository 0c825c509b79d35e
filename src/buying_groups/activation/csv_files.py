"""Write CSV lists atomically, split at row and byte limits, every cell injection safe.

A list is streamed into hidden temp files, one per part; only when every row is written are
the parts named (``<stem>.csv`` when one part suffices, else ``<stem>_part001.csv``, ...),
fsynced and renamed into place. The SHA-256 and byte size are computed from the bytes as they
are written, so the manifest describes exactly what is on disk.
"""

from __future__ import annotations

import csv
import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from buying_groups.activation.atomic import commit, temp_path_for
from buying_groups.activation.csv_safety import neutralise_cell

# RFC 4180: CRLF line ends, quotes only where needed, embedded quotes doubled. UTF-8, no BOM.
LINE_TERMINATOR = "\r\n"
ENCODING = "utf-8"


@dataclass(frozen=True)
class WrittenFile:
    """One file on disk, as the manifest records it."""

    path: Path
    row_count: int
    byte_size: int
    sha256: str
    part: int
    part_count: int


class _LineBuffer:
    """The ``csv`` writer's target: collects the text of one record."""

    def __init__(self) -> None:
        self.chunks: list[str] = []

    def write(self, text: str) -> None:
        self.chunks.append(text)

    def take(self) -> str:
        text = "".join(self.chunks)
        self.chunks.clear()
        return text


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

    def write(self, data: bytes) -> None:
        _write_bytes(self.handle, data)
        self.digest.update(data)
        self.byte_size += len(data)

    def close(self) -> None:
        if not self.handle.closed:
            self.handle.flush()
            os.fsync(self.handle.fileno())
            self.handle.close()


def part_file_name(stem: str, part: int, part_count: int) -> str:
    """``contacts.csv`` for an unsplit list, ``contacts_part002.csv`` for a split one."""
    return f"{stem}.csv" if part_count == 1 else f"{stem}_part{part:03d}.csv"


def write_csv_parts(
    directory: Path,
    stem: str,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    max_rows: int | None = None,
    max_bytes: int | None = None,
) -> list[WrittenFile]:
    """Write ``rows`` under ``directory`` as ``<stem>.csv`` or numbered parts, each with the
    header, none with more than ``max_rows`` data rows or ``max_bytes`` bytes. An empty list
    still gets a header-only file. Nothing carries a final name until every part is complete.
    """
    directory.mkdir(parents=True, exist_ok=True)
    buffer = _LineBuffer()
    writer = csv.writer(buffer, lineterminator=LINE_TERMINATOR, quoting=csv.QUOTE_MINIMAL)
    writer.writerow([neutralise_cell(name) for name in header])
    header_bytes = buffer.take().encode(ENCODING)
    if max_bytes is not None and len(header_bytes) > max_bytes:
        raise ValueError(f"{stem}: the header alone ({len(header_bytes)} bytes) exceeds {max_bytes} bytes")

    parts: list[_Part] = []

    def open_part() -> _Part:
        temp_path = temp_path_for(directory / f"{stem}.csv")
        part = _Part(temp_path=temp_path, handle=temp_path.open("wb"))
        parts.append(part)
        part.write(header_bytes)
        return part

    try:
        current = open_part()
        for row in rows:
            writer.writerow([neutralise_cell(value) for value in row])
            line = buffer.take().encode(ENCODING)
            too_many_rows = max_rows is not None and current.row_count + 1 > max_rows
            too_many_bytes = max_bytes is not None and current.byte_size + len(line) > max_bytes
            if too_many_rows or too_many_bytes:
                if current.row_count == 0:
                    raise ValueError(
                        f"{stem}: one row of {len(line)} bytes does not fit in a file of "
                        f"{max_bytes} bytes with its header"
                    )
                current.close()
                current = open_part()
            current.write(line)
            current.row_count += 1
        for part in parts:
            part.close()

        written: list[WrittenFile] = []
        for number, part in enumerate(parts, start=1):
            final_path = directory / part_file_name(stem, number, len(parts))
            commit(part.temp_path, final_path)
            written.append(
                WrittenFile(
                    path=final_path,
                    row_count=part.row_count,
                    byte_size=part.byte_size,
                    sha256=part.digest.hexdigest(),
                    part=number,
                    part_count=len(parts),
                )
            )
        return written
    finally:
        # Anything not yet renamed (an error above) is a half file: remove it.
        for part in parts:
            if not part.handle.closed:
                part.handle.close()
            part.temp_path.unlink(missing_ok=True)


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> WrittenFile:
    """One unsplit CSV file, atomically, injection safe."""
    if not path.name.endswith(".csv"):
        raise ValueError(f"{path}: expected a .csv file name")
    (written,) = write_csv_parts(path.parent, path.name[: -len(".csv")], header, rows)
    return written
