"""Atomic file replacement: write a temp file in the target directory, fsync, ``os.replace``.

A crash (or an exception) before the rename leaves the previous file untouched and at worst a
hidden ``.<name>.<random>.tmp`` next to it, which the next run's stale-file sweep removes. A
file with the final name is therefore always complete.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

TEMP_SUFFIX = ".tmp"
# DuckDB's COPY writes to ``tmp_<target>`` first when the target exists; versions before we
# turned that off (``use_tmp_file=False``) could leave one behind when killed mid-write.
_DUCKDB_TEMP_PREFIX = "tmp_"


def temp_target(name: str) -> str | None:
    """The final file name a temp file of ours was written for (``.<final>.<random>.tmp``,
    possibly wrapped by DuckDB's own ``tmp_`` name), or None when ``name`` is not such a temp
    file. The random part (from :func:`tempfile.mkstemp`) holds no dot."""
    inner = name.removeprefix(_DUCKDB_TEMP_PREFIX)
    if not (inner.startswith(".") and inner.endswith(TEMP_SUFFIX)):
        return None
    final, dot, _random = inner[1 : -len(TEMP_SUFFIX)].rpartition(".")
    return final if dot and final else None


def sweep_leftover_temps(directory: Path, owns: Callable[[str], bool]) -> list[Path]:
    """Remove the temp files a crashed run left in ``directory`` for final names that
    ``owns`` accepts (they may hold personal data); returns what was removed. Temp-like
    files for other names are not ours and stay."""
    removed: list[Path] = []
    if not directory.is_dir():
        return removed
    for path in sorted(directory.iterdir()):
        target = temp_target(path.name)
        if target is not None and owns(target) and path.is_file() and not path.is_symlink():
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def temp_path_for(final_path: Path) -> Path:
    """A fresh hidden temp file next to ``final_path`` (same directory = same filesystem, so
    the rename is atomic)."""
    final_path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=final_path.parent, prefix=f".{final_path.name}.", suffix=TEMP_SUFFIX)
    os.close(handle)
    # Same form as final_path (mkstemp makes it absolute): callers take paths relative to an
    # output root that may itself be relative (the CLI's default `output`).
    return final_path.parent / Path(name).name


def fsync_file(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def fsync_directory(directory: Path) -> None:
    """Persist a rename. Best effort: some platforms cannot open a directory for fsync."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def commit(temp_path: Path, final_path: Path) -> None:
    """Move a complete, fsynced temp file onto its final name."""
    os.replace(temp_path, final_path)
    fsync_directory(final_path.parent)


@contextlib.contextmanager
def atomic_binary_writer(final_path: Path) -> Iterator[BinaryIO]:
    """Yield a binary handle; on normal exit the bytes replace ``final_path`` atomically, on
    an exception the temp file is removed and ``final_path`` is left as it was."""
    temp_path = temp_path_for(final_path)
    try:
        with temp_path.open("wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        commit(temp_path, final_path)
    except BaseException:
        temp_path.unlink(missing_ok=True)
        raise


def atomic_write_bytes(final_path: Path, data: bytes) -> None:
    with atomic_binary_writer(final_path) as handle:
        handle.write(data)


def atomic_write_files(files: Iterable[tuple[Path, bytes]]) -> None:
    """Write many small files, each atomically: every file goes to a temp file first and is
    renamed onto its final name only when all of them are written, so a file with a final
    name is always complete, and a failure part-way (disk full) leaves the previous set
    untouched and no temp file behind. The directories are fsynced once at the end.

    Two shortcuts keep a day's thousands of sales alerts cheap where creating and renaming a
    file costs up to a millisecond (a busy journaling filesystem; measured on ext4 after many
    deletions):

    - a file whose bytes are already on disk is left alone (a re-run of the day rewrites
      only what changed);
    - a directory that does not exist yet is written whole as a hidden sibling
      ``.<name>.<random>.tmp`` and renamed into place once: one rename instead of one per
      file. A crash leaves that directory, which the owner's stale-file sweep removes.

    Unlike :func:`atomic_write_bytes` the files' data is not fsynced one by one: an fsync
    costs about a millisecond on a journaling filesystem (and more while the warehouse's
    pages are being written back), and a day's few thousand sales alerts spent most of their
    time there; one ``os.sync()`` instead had to flush every dirty page of the machine. After
    a machine crash a file may therefore be cut short; the day's manifest (fsynced) holds
    each file's SHA-256, and re-running the day rewrites them (journeys are idempotent by
    ``as_of``)."""
    # One random part for the batch; each temp file is still created exclusively ("xb").
    token = secrets.token_hex(6)
    by_directory: dict[Path, list[tuple[Path, bytes]]] = {}
    for final_path, data in files:
        by_directory.setdefault(final_path.parent, []).append((final_path, data))
    pending: list[tuple[Path, Path]] = []  # temp file -> final name
    staged: list[tuple[Path, Path]] = []  # temp directory -> final directory
    try:
        for directory, items in by_directory.items():
            if directory.exists():
                for final_path, data in items:
                    if _holds(final_path, data):
                        continue
                    temp_path = directory / f".{final_path.name}.{token}{TEMP_SUFFIX}"
                    with temp_path.open("xb") as handle:
                        pending.append((temp_path, final_path))
                        handle.write(data)
            else:
                directory.parent.mkdir(parents=True, exist_ok=True)
                staging = directory.parent / f".{directory.name}.{token}{TEMP_SUFFIX}"
                staging.mkdir()
                staged.append((staging, directory))
                for final_path, data in items:
                    with (staging / final_path.name).open("xb") as handle:
                        handle.write(data)
        for staging, _ in staged:
            fsync_directory(staging)
        # The directories whose entries the renames below change, for one fsync each at the end.
        renamed_in = {final_path.parent for _, final_path in pending} | {d.parent for _, d in staged}
        while staged:
            # os.rename onto a directory that appeared meanwhile fails rather than merging.
            os.rename(*staged[-1])
            staged.pop()
        while pending:
            os.replace(*pending[-1])
            pending.pop()
        for directory in sorted(renamed_in):
            fsync_directory(directory)
    except BaseException:
        for temp_path, _ in pending:
            temp_path.unlink(missing_ok=True)
        for staging, _ in staged:
            shutil.rmtree(staging, ignore_errors=True)
        raise


def _holds(path: Path, data: bytes) -> bool:
    """Whether ``path`` is a regular file holding exactly ``data``."""
    try:
        if not path.is_file() or path.is_symlink() or path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False
