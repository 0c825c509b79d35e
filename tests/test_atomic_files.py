"""``atomic_write_files``: many small files (a day's sales alerts) written as one set, each
atomically, with one durability barrier instead of an fsync per file."""

from pathlib import Path

import pytest

from buying_groups.activation.atomic import atomic_write_files, temp_target
from tests.conftest import fill_filesystem, small_filesystem


def test_every_file_gets_its_bytes_and_no_temp_file_is_left(tmp_path: Path):
    files = [(tmp_path / "alerts" / f"group-{n}.json", f'{{"n": {n}}}\n'.encode()) for n in range(50)]
    files.append((tmp_path / "other" / "group-1.md", b"# alert\n"))
    (tmp_path / "alerts").mkdir()
    (tmp_path / "alerts" / "group-3.json").write_bytes(b"yesterday's")

    atomic_write_files(iter(files))  # a generator is enough: the set is read once

    for path, data in files:
        assert path.read_bytes() == data
    everything = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(everything) == 51
    # `other` did not exist: it was staged whole under a temp name and renamed into place.
    assert not [p for p in tmp_path.rglob("*") if temp_target(p.name)]


def test_a_file_that_already_holds_its_bytes_is_not_rewritten(tmp_path: Path):
    same, changed = tmp_path / "same.json", tmp_path / "changed.json"
    same.write_bytes(b'{"n": 1}')
    changed.write_bytes(b'{"n": 2}')
    inodes = {path: path.stat().st_ino for path in (same, changed)}

    atomic_write_files([(same, b'{"n": 1}'), (changed, b'{"n": 3}')])

    assert same.stat().st_ino == inodes[same]  # left alone
    assert changed.stat().st_ino != inodes[changed]  # replaced by a rename
    assert changed.read_bytes() == b'{"n": 3}'


def test_a_set_that_fills_the_disk_leaves_the_previous_files_and_no_temp_file(tmp_path: Path):
    with small_filesystem(tmp_path / "small", 256 * 1024) as output:
        previous = {output / f"group-{n}.md": f"previous {n}\n".encode() for n in range(3)}
        for path, data in previous.items():
            path.write_bytes(data)
        fill_filesystem(output, 16 * 1024)
        files = [(output / f"group-{n}.md", b"x" * 4096) for n in range(20)]

        with pytest.raises(OSError, match="No space left on device"):
            atomic_write_files(files)

        # Nothing was renamed before every file was written: the old set is whole, and the
        # temp files (which would hold names and emails) are gone.
        for path, data in previous.items():
            assert path.read_bytes() == data
        assert sorted(p.name for p in output.iterdir()) == ["filler", "group-0.md", "group-1.md", "group-2.md"]


def test_a_new_folder_that_fills_the_disk_never_appears_and_leaves_no_temp_folder(tmp_path: Path):
    with small_filesystem(tmp_path / "small", 256 * 1024) as output:
        fill_filesystem(output, 16 * 1024)
        files = [(output / "sales_alerts" / f"group-{n}.md", b"x" * 4096) for n in range(20)]

        with pytest.raises(OSError, match="No space left on device"):
            atomic_write_files(files)

        assert sorted(p.name for p in output.iterdir()) == ["filler"]
